// A load balancer's graph -> Octavia's status tree (StatusRootResponse): the load
// balancer, its listeners, under each listener the pools it uses (its default pool,
// then the redirect pools of its enabled L7 policies that have rules; a pool no
// listener uses is not in the tree, as in Octavia), their health monitor if any and
// their members. Pure.
import type { LoadBalancerGraph } from '../../db/worker-repo.js';

interface StatusNode {
  id: string;
  name: string;
  provisioning_status: string;
  operating_status: string;
}

export interface HealthMonitorStatusView extends StatusNode {
  type: string;
}

export interface MemberStatusView extends StatusNode {
  address: string;
  protocol_port: number;
}

export interface PoolStatusView extends StatusNode {
  /** Absent when the pool has no health monitor (wsme leaves unset attributes out). */
  health_monitor?: HealthMonitorStatusView;
  members: MemberStatusView[];
}

export interface ListenerStatusView extends StatusNode {
  pools: PoolStatusView[];
}

export interface LoadBalancerStatusView extends StatusNode {
  listeners: ListenerStatusView[];
}

function node(row: StatusNode): StatusNode {
  return {
    id: row.id,
    name: row.name,
    provisioning_status: row.provisioning_status,
    operating_status: row.operating_status,
  };
}

export function statusTree(graph: LoadBalancerGraph): { statuses: { loadbalancer: LoadBalancerStatusView } } {
  const pools = new Map(
    graph.pools.map(({ pool, members, healthMonitor: hm }): [string, PoolStatusView] => [
      pool.id,
      {
        ...node(pool),
        ...(hm ? { health_monitor: { ...node(hm), type: hm.type } } : {}),
        members: members.map((m) => ({ ...node(m), address: m.address, protocol_port: m.protocol_port })),
      },
    ]),
  );
  const listeners = graph.listeners.map((l) => {
    const used = l.default_pool_id ? [l.default_pool_id] : [];
    for (const { policy, rules } of graph.l7policies ?? []) {
      const to = policy.redirect_pool_id;
      if (policy.listener_id === l.id && to && policy.enabled === 1 && rules.length && !used.includes(to)) {
        used.push(to);
      }
    }
    return { ...node(l), pools: used.flatMap((id) => pools.get(id) ?? []) };
  });
  return { statuses: { loadbalancer: { ...node(graph.loadBalancer), listeners } } };
}
