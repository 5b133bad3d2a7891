// Listener statistics rows: written per amphora by the health server, summed per
// listener for the API.
import type { Selectable } from 'kysely';
import type { Executor } from './database.js';
import type { ListenerStatisticsTable } from './schema.js';

export type ListenerStatisticsRow = Selectable<ListenerStatisticsTable>;

/** What the API shows: Octavia's ListenerStatisticsResponse. */
export interface Statistics {
  bytes_in: number;
  bytes_out: number;
  active_connections: number;
  total_connections: number;
  request_errors: number;
}

export function zeroStatistics(): Statistics {
  return { bytes_in: 0, bytes_out: 0, active_connections: 0, total_connections: 0, request_errors: 0 };
}

export function addStatistics(a: Statistics, b: Statistics): Statistics {
  return {
    bytes_in: a.bytes_in + b.bytes_in,
    bytes_out: a.bytes_out + b.bytes_out,
    active_connections: a.active_connections + b.active_connections,
    total_connections: a.total_connections + b.total_connections,
    request_errors: a.request_errors + b.request_errors,
  };
}

/** The rows one amphora wrote, by listener id. */
export async function statisticsOfAmphora(
  ex: Executor,
  amphoraId: string,
): Promise<Map<string, ListenerStatisticsRow>> {
  const rows = await ex
    .selectFrom('listener_statistics')
    .selectAll()
    .where('amphora_id', '=', amphoraId)
    .execute();
  return new Map(rows.map((r) => [r.listener_id, r]));
}

/** Insert or replace rows by (listener_id, amphora_id). */
export async function upsertListenerStatistics(ex: Executor, rows: ListenerStatisticsRow[]): Promise<void> {
  for (const row of rows) {
    const { listener_id: _l, amphora_id: _a, ...changes } = row;
    await ex
      .insertInto('listener_statistics')
      .values(row)
      .onConflict((oc) => oc.columns(['listener_id', 'amphora_id']).doUpdateSet(changes))
      .execute();
  }
}

/**
 * The statistics of each listener: the sum of its rows over amphorae, as Octavia's
 * StatsMixin.get_listener_stats. Rows of replaced amphorae keep counting in the
 * cumulative counters; active connections count only from an amphora in service
 * (ALLOCATED), since a retired one's last report is stale.
 */
export async function listenerStatistics(
  ex: Executor,
  listenerIds: string[],
): Promise<Map<string, Statistics>> {
  const out = new Map(listenerIds.map((id) => [id, zeroStatistics()]));
  if (listenerIds.length === 0) return out;
  const rows = await ex
    .selectFrom('listener_statistics as s')
    .leftJoin('amphora as a', 'a.id', 's.amphora_id')
    .select([
      's.listener_id',
      's.bytes_in',
      's.bytes_out',
      's.active_connections',
      's.total_connections',
      's.request_errors',
      'a.status as amphora_status',
    ])
    .where('s.listener_id', 'in', listenerIds)
    .execute();
  for (const r of rows) {
    const live = r.amphora_status === 'ALLOCATED';
    out.set(
      r.listener_id,
      addStatistics(out.get(r.listener_id)!, {
        bytes_in: Number(r.bytes_in),
        bytes_out: Number(r.bytes_out),
        active_connections: live ? Number(r.active_connections) : 0,
        total_connections: Number(r.total_connections),
        request_errors: Number(r.request_errors),
      }),
    );
  }
  return out;
}

/** The sum over a load balancer's listeners, as Octavia's get_loadbalancer_stats. */
export async function loadBalancerStatistics(ex: Executor, loadBalancerId: string): Promise<Statistics> {
  const listeners = await ex
    .selectFrom('listener')
    .select('id')
    .where('load_balancer_id', '=', loadBalancerId)
    .execute();
  const each = await listenerStatistics(
    ex,
    listeners.map((l) => l.id),
  );
  return [...each.values()].reduce(addStatistics, zeroStatistics());
}
