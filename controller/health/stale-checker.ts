// Marks load balancers whose amphora went silent: an ALLOCATED amphora without a
// heartbeat for health.staleAfterMs puts its load balancer's operating status in
// ERROR and everything under it OFFLINE (Octavia would then fail it over; failover
// is not implemented yet). A later heartbeat sets the real statuses again.
import { listAmphorae, type AmphoraRow } from '../db/amphora-repo.js';
import type { Db } from '../db/database.js';
import { loadLoadBalancerGraph, setOperatingStatuses } from '../db/worker-repo.js';
import { isEmpty, statusesWhenStale } from './status-rules.js';

/** Timestamps from `now()` have no zone: they are UTC. */
function parseUtc(ts: string): number {
  return Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(ts) ? ts : `${ts}Z`);
}

export function isStale(amp: AmphoraRow, staleAfterMs: number, at = Date.now()): boolean {
  // Never heard from: count from when it became ALLOCATED (its last update).
  const since = amp.last_heartbeat_at ?? amp.updated_at ?? amp.created_at;
  return at - parseUtc(since) > staleAfterMs;
}

export class StaleChecker {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly db: Db,
    private readonly staleAfterMs: number,
    private readonly log: { error(msg: string): void },
  ) {}

  /** One pass; returns the ids of the stale amphorae. */
  async check(): Promise<string[]> {
    const stale: string[] = [];
    for (const amp of await listAmphorae(this.db, { status: 'ALLOCATED' })) {
      if (!amp.load_balancer_id || !isStale(amp, this.staleAfterMs)) continue;
      stale.push(amp.id);
      const graph = await loadLoadBalancerGraph(this.db, amp.load_balancer_id);
      if (!graph) continue;
      const statuses = statusesWhenStale(graph);
      if (!isEmpty(statuses)) await setOperatingStatuses(this.db, statuses);
    }
    return stale;
  }

  start(periodMs = Math.max(200, Math.min(1000, this.staleAfterMs / 3))): void {
    this.timer ??= setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.check()
        .catch((err: unknown) => this.log.error(`stale check: ${String(err)}`))
        .finally(() => (this.busy = false));
    }, periodMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
