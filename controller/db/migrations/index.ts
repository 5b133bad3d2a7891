// Every migration, listed in code: a compiled build carries them with it, unlike a
// FileMigrationProvider that imports paths at run time. Names sort in apply order.
import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';

const migrations: Record<string, Migration> = {
  '0001-initial': initial,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
