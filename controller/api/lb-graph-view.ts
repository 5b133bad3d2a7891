// What a load balancer create answers: Octavia's LoadBalancerFullResponse, the load
// balancer with its listeners and pools as whole objects rather than id references.
// Inside it a listener has its L7 policies whole (with their rules whole) and no
// `loadbalancers`; a pool has its members whole, its health monitor whole under
// `healthmonitor` (without `pools`), and neither `loadbalancers` nor `healthmonitor_id`.
// Each object starts from its resource's own view, so fields added there show here too.
import type { LoadBalancerRow } from '../db/load-balancer-repo.js';
import { loadLoadBalancerGraph } from '../db/worker-repo.js';
import type { ApiDeps } from './deps.js';
import { renderListeners } from './routes/listeners.js';
import { renderPools } from './routes/pools.js';
import { healthMonitorView, type HealthMonitorView } from './views/health-monitor.js';
import { l7PolicyView, type L7PolicyView } from './views/l7policy.js';
import { l7RuleView, type L7RuleView } from './views/l7rule.js';
import type { ListenerView } from './views/listener.js';
import { loadBalancerView, type LoadBalancerView } from './views/load-balancer.js';
import { memberView, type MemberView } from './views/member.js';
import type { PoolView } from './views/pool.js';

export type L7PolicyFullView = Omit<L7PolicyView, 'rules'> & { rules: L7RuleView[] };
export type ListenerFullView = Omit<ListenerView, 'loadbalancers' | 'l7policies'> & {
  l7policies: L7PolicyFullView[];
};
export type PoolFullView = Omit<PoolView, 'loadbalancers' | 'healthmonitor_id' | 'members'> & {
  members: MemberView[];
  healthmonitor: Omit<HealthMonitorView, 'pools'> | null;
};
export type LoadBalancerFullView = Omit<LoadBalancerView, 'listeners' | 'pools'> & {
  listeners: ListenerFullView[];
  pools: PoolFullView[];
};

/** `rows` sorted as `order` lists their ids; ids not listed keep their place after them. */
function inOrder<T extends { id: string }>(rows: T[], order: string[] | undefined): T[] {
  if (!order) return rows;
  const rank = (id: string) => {
    const i = order.indexOf(id);
    return i === -1 ? order.length : i;
  };
  return [...rows].sort((a, b) => rank(a.id) - rank(b.id));
}

/**
 * The full view of a load balancer as stored now. `order` (the graph create's ids)
 * keeps listeners, pools, members and rules in the order the request gave them.
 */
export async function renderFullLoadBalancer(
  deps: ApiDeps,
  lb: LoadBalancerRow,
  order?: { listenerIds: string[]; poolIds: string[]; childIds: string[] },
): Promise<LoadBalancerFullView> {
  const graph = (await loadLoadBalancerGraph(deps.db, lb.id))!;
  const policies = graph.l7policies ?? [];
  const listeners = (await renderListeners(deps, inOrder(graph.listeners, order?.listenerIds))).map(
    ({ loadbalancers: _lbs, ...l }): ListenerFullView => ({
      ...l,
      l7policies: l.l7policies.map(({ id }) => {
        const { policy, rules } = policies.find((p) => p.policy.id === id)!;
        return {
          ...l7PolicyView(
            policy,
            rules.map((r) => r.id),
          ),
          rules: inOrder(rules, order?.childIds).map(l7RuleView),
        };
      }),
    }),
  );
  const poolGraphs = inOrder(
    graph.pools.map((p) => ({ id: p.pool.id, ...p })),
    order?.poolIds,
  );
  const pools = (
    await renderPools(
      deps,
      poolGraphs.map((p) => p.pool),
    )
  ).map(({ loadbalancers: _lbs, healthmonitor_id: _hm, members: _m, ...view }, i): PoolFullView => {
    const { members, healthMonitor } = poolGraphs[i]!;
    const hm = healthMonitor ? healthMonitorView(healthMonitor) : undefined;
    return {
      ...view,
      members: inOrder(members, order?.childIds).map(memberView),
      healthmonitor: hm ? (({ pools: _pools, ...rest }) => rest)(hm) : null,
    };
  });
  return { ...loadBalancerView(lb, { listeners: [], pools: [] }), listeners, pools };
}
