// A listener's counters from heartbeats, kept monotonic. The agent reports counters
// cumulative since its data plane started; they restart from zero when the agent
// restarts or re-creates the listener's VIP entry. Octavia's v2 heartbeats replace
// the stored values (totals then go backwards) and its v3 heartbeats carry deltas
// the amphora computes. Velox keeps the agent simple and does it here: stored total
// = offset + last report; when any cumulative counter comes back lower than the last
// report, the counters restarted, and every offset becomes the total so far.
// (A restart whose counters outgrow the old values before the next heartbeat, a
// second later, is not seen: that heartbeat's traffic counts from the old values.)
// active_connections is a gauge: always the last report. Pure: rows in, rows out.
import type { ListenerStatisticsTable } from '../db/schema.js';
import type { ObjectHealth__Output } from '../../src/grpc/gen/velox/health/v1/ObjectHealth.js';

export interface Counters {
  bytes_in: number;
  bytes_out: number;
  active_connections: number;
  total_connections: number;
  request_errors: number;
}

export type StoredCounters = Omit<ListenerStatisticsTable, 'listener_id' | 'amphora_id' | 'updated_at'>;

const CUMULATIVE = ['bytes_in', 'bytes_out', 'total_connections', 'request_errors'] as const;

/** uint64 as proto-loader gives it (a decimal string); anything unreadable counts as 0. */
function count(v: string | undefined): number {
  const n = Number(v ?? 0);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

/** The counters of one listener in a heartbeat (bytes_in: from clients, bytes_out: to clients). */
export function reportedCounters(o: ObjectHealth__Output): Counters {
  return {
    bytes_in: count(o.bytes_in),
    bytes_out: count(o.bytes_out),
    active_connections: count(o.active_connections),
    total_connections: count(o.total_connections),
    request_errors: count(o.request_errors),
  };
}

/** The row after a report, given the row before it (undefined: the first report). */
export function advanceCounters(prev: StoredCounters | undefined, reported: Counters): StoredCounters {
  const offsets = {
    bytes_in: prev?.bytes_in_offset ?? 0,
    bytes_out: prev?.bytes_out_offset ?? 0,
    total_connections: prev?.total_connections_offset ?? 0,
    request_errors: prev?.request_errors_offset ?? 0,
  };
  if (prev && CUMULATIVE.some((k) => reported[k] < prev[k] - offsets[k])) {
    for (const k of CUMULATIVE) offsets[k] = prev[k];
  }
  return {
    bytes_in: offsets.bytes_in + reported.bytes_in,
    bytes_out: offsets.bytes_out + reported.bytes_out,
    active_connections: reported.active_connections,
    total_connections: offsets.total_connections + reported.total_connections,
    request_errors: offsets.request_errors + reported.request_errors,
    bytes_in_offset: offsets.bytes_in,
    bytes_out_offset: offsets.bytes_out,
    total_connections_offset: offsets.total_connections,
    request_errors_offset: offsets.request_errors,
  };
}
