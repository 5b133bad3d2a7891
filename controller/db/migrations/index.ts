// Every migration, listed in code: a compiled build carries them with it, unlike a
// FileMigrationProvider that imports paths at run time. Names sort in apply order.
import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';
import * as healthMonitor from './0002-health-monitor.js';
import * as statistics from './0003-statistics.js';
import * as quota from './0004-quota.js';
import * as flavorAz from './0005-flavor-az.js';
import * as l7 from './0006-l7.js';
import * as tlsFields from './0007-tls-fields.js';
import * as secrets from './0008-secrets.js';
import * as activeStandby from './0011-active-standby.js';

const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-health-monitor': healthMonitor,
  '0003-statistics': statistics,
  '0004-quota': quota,
  '0005-flavor-az': flavorAz,
  '0006-l7': l7,
  '0007-tls-fields': tlsFields,
  '0008-secrets': secrets,
  '0011-active-standby': activeStandby,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
