// The objects HAProxy was asked to serve, by id, and how status() finds them in the stats:
// listener -> frontend, pool -> its backends (one per listener using it, as default pool or
// L7 redirect target), member -> servers.
import { addCounters, zeroCounters, type Counters } from './counters.js';
import { backendName } from './render-backend.js';
import type { ServedListener } from './render.js';
import {
  listenerStatus,
  memberStatus,
  poolStatus,
  worstStatus,
  type HaproxyObjectStatus,
  type StatRow,
} from './stats.js';

export interface Served {
  listeners: string[];
  pools: Map<string, { backends: string[]; members: string[] }>;
}

export const NOTHING_SERVED: Served = { listeners: [], pools: new Map() };

export function servedObjects(selected: ServedListener[]): Served {
  const served: Served = { listeners: selected.map((s) => s.listener.id), pools: new Map() };
  for (const s of selected) {
    for (const { pool } of [...(s.pool ? [s.pool] : []), ...s.l7Pools]) {
      const entry = served.pools.get(pool.id) ?? { backends: [], members: pool.members.map((m) => m.id) };
      if (pool.admin_state_up) entry.backends.push(backendName(pool.id, s.listener.id));
      served.pools.set(pool.id, entry);
    }
  }
  return served;
}

export interface HaproxyStatus {
  listeners: HaproxyObjectStatus[];
  pools: HaproxyObjectStatus[];
  members: HaproxyObjectStatus[];
}

/** Statuses from one stats snapshot (`rows`) and the running totals per row key. */
export function statusFromStats(
  served: Served,
  rows: StatRow[],
  totals: Map<string, Counters>,
): HaproxyStatus {
  const row = (px: string, sv: string): StatRow | undefined =>
    rows.find((r) => r.pxname === px && r.svname === sv);
  const sum = (keys: string[]): Counters =>
    keys.reduce((acc, k) => addCounters(acc, totals.get(k) ?? zeroCounters()), zeroCounters());
  const listeners = served.listeners.map((id) => ({
    id,
    status: listenerStatus(row(id, 'FRONTEND')),
    ...sum([`${id}/FRONTEND`]),
  }));
  const pools: HaproxyObjectStatus[] = [];
  const members: HaproxyObjectStatus[] = [];
  for (const [id, p] of served.pools) {
    const memberStatuses = p.members.map((m) => {
      const status = p.backends.map((b) => memberStatus(row(b, m))).reduce(worstStatus, 'OFFLINE');
      members.push({ id: m, status, ...sum(p.backends.map((b) => `${b}/${m}`)) });
      return status;
    });
    const status = p.backends
      .map((b) => poolStatus(row(b, 'BACKEND'), memberStatuses))
      .reduce(worstStatus, 'OFFLINE');
    pools.push({ id, status, ...sum(p.backends.map((b) => `${b}/BACKEND`)) });
  }
  return { listeners, pools, members };
}

/** Everything ERROR: HAProxy should serve these but is not running. */
export function statusNotRunning(served: Served, totals: Map<string, Counters>): HaproxyStatus {
  const empty = statusFromStats(served, [], totals);
  const error = (s: HaproxyObjectStatus): HaproxyObjectStatus => ({
    ...s,
    status: 'ERROR',
    activeConnections: 0,
  });
  return {
    listeners: empty.listeners.map(error),
    pools: empty.pools.map(error),
    members: empty.members.map(error),
  };
}
