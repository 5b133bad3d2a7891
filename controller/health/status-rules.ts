// Operating statuses from a heartbeat, after Octavia's health driver
// (octavia/amphorae/drivers/health/heartbeat_udp.py, UpdateHealthDb._update_health):
// the load balancer is ONLINE until proven otherwise; a listener the amphora does not
// report is ERROR (OFFLINE while disabled or provisioning); a pool not reported is
// OFFLINE, a failed pool is ERROR and makes the load balancer ERROR; a failed member
// is ERROR and makes its pool and the load balancer DEGRADED. Pure: DB graph and
// heartbeat in, only the statuses that change out.
import type { OperatingStatus } from '../db/schema.js';
import type { LoadBalancerGraph, OperatingStatuses } from '../db/worker-repo.js';
import type { HeartbeatRequest__Output } from '../../src/grpc/gen/velox/health/v1/HeartbeatRequest.js';

const KNOWN: ReadonlySet<string> = new Set([
  'ONLINE',
  'OFFLINE',
  'DEGRADED',
  'ERROR',
  'DRAINING',
  'NO_MONITOR',
]);

function reported(list: { id: string; operating_status: string }[]): Map<string, OperatingStatus> {
  const m = new Map<string, OperatingStatus>();
  for (const o of list) if (KNOWN.has(o.operating_status)) m.set(o.id, o.operating_status as OperatingStatus);
  return m;
}

export function statusesFromHeartbeat(
  graph: LoadBalancerGraph,
  hb: HeartbeatRequest__Output,
): OperatingStatuses {
  const lbRow = graph.loadBalancer;
  const listenersSeen = reported(hb.listeners);
  const poolsSeen = reported(hb.pools);
  const membersSeen = reported(hb.members);
  let lb: OperatingStatus = lbRow.enabled === 1 ? 'ONLINE' : 'OFFLINE';
  const degrade = () => {
    if (lb === 'ONLINE') lb = 'DEGRADED';
  };
  const out: Required<OperatingStatuses> = {
    loadBalancer: { id: lbRow.id, status: lb },
    listeners: {},
    pools: {},
    members: {},
  };
  const set = (
    kind: 'listeners' | 'pools' | 'members',
    id: string,
    was: OperatingStatus,
    now: OperatingStatus,
  ) => {
    if (now !== was) out[kind][id] = now;
  };

  for (const l of graph.listeners) {
    let s = listenersSeen.get(l.id);
    if (s === undefined) {
      s = l.enabled === 1 && lbRow.provisioning_status === 'ACTIVE' ? 'ERROR' : 'OFFLINE';
    } else if (s === 'DEGRADED' || s === 'ERROR') {
      degrade();
    }
    set('listeners', l.id, l.operating_status, s);
  }

  for (const { pool, members } of graph.pools) {
    let poolStatus = poolsSeen.get(pool.id);
    if (poolStatus === undefined) {
      set('pools', pool.id, pool.operating_status, 'OFFLINE');
      continue; // Octavia leaves the members of an unreported pool alone
    }
    if (poolStatus === 'ERROR') lb = 'ERROR';
    else if (poolStatus === 'DEGRADED') degrade();
    for (const m of members) {
      let s = membersSeen.get(m.id);
      if (s === undefined) s = m.operating_status === 'NO_MONITOR' ? 'NO_MONITOR' : 'OFFLINE';
      if (s === 'ERROR') {
        if (poolStatus === 'ONLINE') poolStatus = 'DEGRADED';
        degrade();
      }
      set('members', m.id, m.operating_status, s);
    }
    set('pools', pool.id, pool.operating_status, poolStatus);
  }

  out.loadBalancer.status = lb;
  return {
    loadBalancer: lb !== lbRow.operating_status ? out.loadBalancer : undefined,
    listeners: out.listeners,
    pools: out.pools,
    members: out.members,
  };
}

/** A silent amphora: its load balancer is in ERROR and nothing under it is known to work. */
export function statusesWhenStale(graph: LoadBalancerGraph): OperatingStatuses {
  const offline = <T extends { id: string; operating_status: OperatingStatus }>(rows: T[]) =>
    Object.fromEntries(
      rows.filter((r) => r.operating_status !== 'OFFLINE').map((r) => [r.id, 'OFFLINE' as const]),
    );
  return {
    loadBalancer:
      graph.loadBalancer.operating_status !== 'ERROR'
        ? { id: graph.loadBalancer.id, status: 'ERROR' }
        : undefined,
    listeners: offline(graph.listeners),
    pools: offline(graph.pools.map((p) => p.pool)),
    members: offline(graph.pools.flatMap((p) => p.members)),
  };
}

export function isEmpty(s: OperatingStatuses): boolean {
  return (
    s.loadBalancer === undefined &&
    Object.keys(s.listeners ?? {}).length === 0 &&
    Object.keys(s.pools ?? {}).length === 0 &&
    Object.keys(s.members ?? {}).length === 0
  );
}
