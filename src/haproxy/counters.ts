// HAProxy's counters live in the worker and start from zero in every new worker (reload,
// restart). Totals reported to Octavia must not go backwards: when the worker changes,
// what the previous one had counted becomes a base that later readings add to.
import type { StatRow } from './stats.js';

export interface Counters {
  bytesIn: number;
  bytesOut: number;
  activeConnections: number;
  totalConnections: number;
  requestErrors: number;
}

const CUMULATIVE = ['bytesIn', 'bytesOut', 'totalConnections', 'requestErrors'] as const;

export function rowCounters(row: StatRow): Counters {
  return {
    bytesIn: row.bin,
    bytesOut: row.bout,
    activeConnections: row.scur,
    totalConnections: row.stot,
    // Frontends count bad requests; backends and servers failed connects and responses.
    requestErrors: row.svname === 'FRONTEND' ? row.ereq : row.econ + row.eresp,
  };
}

export function zeroCounters(): Counters {
  return { bytesIn: 0, bytesOut: 0, activeConnections: 0, totalConnections: 0, requestErrors: 0 };
}

export function addCounters(a: Counters, b: Counters): Counters {
  return {
    bytesIn: a.bytesIn + b.bytesIn,
    bytesOut: a.bytesOut + b.bytesOut,
    activeConnections: a.activeConnections + b.activeConnections,
    totalConnections: a.totalConnections + b.totalConnections,
    requestErrors: a.requestErrors + b.requestErrors,
  };
}

/** Per stats row (`pxname/svname`): the last reading of the current worker and the base before it. */
export class CounterTotals {
  private workerPid: number | undefined;
  private readonly last = new Map<string, Counters>();
  private readonly base = new Map<string, Counters>();

  /** Totals for one snapshot of `worker`; rows absent from the snapshot are forgotten. */
  observe(worker: number | undefined, rows: StatRow[]): Map<string, Counters> {
    if (worker !== this.workerPid) {
      for (const [key, c] of this.last) {
        const b = this.base.get(key) ?? zeroCounters();
        for (const f of CUMULATIVE) b[f] += c[f];
        this.base.set(key, b);
      }
      this.last.clear();
      this.workerPid = worker;
    }
    const totals = new Map<string, Counters>();
    for (const row of rows) {
      const key = `${row.pxname}/${row.svname}`;
      const current = rowCounters(row);
      this.last.set(key, current);
      const b = this.base.get(key);
      totals.set(
        key,
        b ? { ...addCounters(b, current), activeConnections: current.activeConnections } : current,
      );
    }
    for (const key of [...this.base.keys()]) if (!totals.has(key)) this.base.delete(key);
    for (const key of [...this.last.keys()]) if (!totals.has(key)) this.last.delete(key);
    return totals;
  }
}
