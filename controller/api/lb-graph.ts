// Octavia's single-call create of a load balancer's graph (LoadBalancersController.
// _graph_create): the listeners with their default pools and L7 policies, and the
// pools with their health monitors and members, written inside the load balancer's
// create transaction. Every object goes through the checks and row builders of its own
// POST route, and its quota is checked as it is added, so a refusal anywhere rolls the
// whole graph back, load balancer and VIP port included. TLS refs are fetched before the
// transaction (graphTlsRefs) and checked by each object's own rules inside it.
import type { Transaction } from 'kysely';
import { VeloxError } from '../errors.js';
import { insertHealthMonitor } from '../db/health-monitor-repo.js';
import type { ListenerRow } from '../db/listener-repo.js';
import type { LoadBalancerRow } from '../db/load-balancer-repo.js';
import { findMember, insertMember } from '../db/member-repo.js';
import { insertPool, type PoolRow } from '../db/pool-repo.js';
import { checkQuota } from '../db/quota-repo.js';
import type { Database } from '../db/schema.js';
import type { ApiDeps } from './deps.js';
import { checkPoolProtocol, checkValues } from './health-monitor-rules.js';
import { checkPolicyValues } from './l7-validate.js';
import { newHealthMonitorRow } from './routes/health-monitors.js';
import { checkRedirectPool, insertNewL7Policy, newL7PolicyRows } from './routes/l7policies.js';
import {
  checkDefaultPool,
  insertNewListener,
  newListenerRow,
  type ListenerCreate,
} from './routes/listeners.js';
import { checkNewMember, newMemberRow } from './routes/members.js';
import { newPoolRow, type PoolCreate } from './routes/pools.js';
import { insertUnique } from './routes/resource.js';
import { listenerCreateRefs } from './listener-rules.js';
import { poolCreateRefs } from './pool-rules.js';
import { mergeRefs, type TlsRefs, type WantedRefs } from './tls-refs.js';
import type {
  L7PolicySingleCreate,
  ListenerSingleCreate,
  LoadBalancerPost,
  PoolSingleCreate,
} from './schemas/load-balancer.js';

/** The ids of what the graph create made, in creation order (the order of the response). */
export interface CreatedGraph {
  listenerIds: string[];
  poolIds: string[];
  /** Members and L7 rules (rows made in one second have no other order). */
  childIds: string[];
}

const invalid = (detail: string) => new VeloxError('ValidationException', { detail });

/**
 * A pool under a listener or policy that gives nothing but its name (and the two
 * attributes wsme always fills in) refers to a pool defined elsewhere in the request;
 * anything more is a definition, moved to the top level as Octavia does.
 */
function isReference(pool: PoolSingleCreate): boolean {
  return Object.keys(pool).every((k) => ['name', 'admin_state_up', 'tls_enabled'].includes(k));
}

/**
 * Octavia's first pass: nested pool definitions join the top-level pools, every pool
 * referenced must be defined once by name. Returns the pools to create, in order.
 */
function collectPools(listeners: ListenerSingleCreate[], pools: PoolSingleCreate[]): PoolSingleCreate[] {
  const all = [...pools];
  const required: string[] = [];
  const take = (pool: PoolSingleCreate | null | undefined) => {
    if (!pool) return;
    if (!pool.name) throw invalid('Pools must be named when creating a fully populated loadbalancer.');
    if (isReference(pool)) required.push(pool.name);
    else all.push(pool);
  };
  for (const l of listeners) {
    take(l.default_pool);
    for (const p of l.l7policies ?? []) take(p.redirect_pool);
  }
  // Unnamed top-level pools count as the same name (Python's None), as in Octavia.
  const names = all.map((p) => p.name ?? null);
  if (new Set(names).size !== names.length) {
    throw invalid('Pool names must be unique when creating a fully populated loadbalancer.');
  }
  for (const name of required) {
    if (!names.includes(name)) {
      throw invalid(`Pool '${name}' was referenced but no full definition was found.`);
    }
  }
  return all;
}

/**
 * Every TLS ref of the request: listeners' and pools', nested pool definitions included
 * (a superset of what collectPools keeps; it throws nothing, the checks come later).
 */
export function graphTlsRefs(body: LoadBalancerPost): WantedRefs {
  const listeners = body.listeners ?? [];
  const pools = [
    ...(body.pools ?? []),
    ...listeners.flatMap((l) => [
      ...(l.default_pool ? [l.default_pool] : []),
      ...(l.l7policies ?? []).flatMap((p) => (p.redirect_pool ? [p.redirect_pool] : [])),
    ]),
  ];
  return mergeRefs([
    ...listeners.map((l) => listenerCreateRefs(l as ListenerCreate)),
    ...pools.map((p) => poolCreateRefs(p as PoolCreate)),
  ]);
}

/** A pool with its health monitor and members (Octavia's PoolsController._graph_create). */
async function createPool(
  trx: Transaction<Database>,
  deps: ApiDeps,
  lb: LoadBalancerRow,
  spec: PoolSingleCreate,
  created: CreatedGraph,
  refs: TlsRefs,
): Promise<PoolRow> {
  for (const attr of ['protocol', 'lb_algorithm'] as const) {
    if (spec[attr] === undefined) {
      throw invalid(`Pool definition for '${spec.name ?? 'None'}' missing required attribute: ${attr}`);
    }
  }
  const { healthmonitor, members, ...body } = spec;
  const pool = newPoolRow(lb, body as PoolCreate, refs);
  await insertPool(trx, pool);

  if (healthmonitor) {
    await checkQuota(trx, lb.project_id, 'health_monitor', deps.config.quotas);
    checkValues(healthmonitor);
    const hm = newHealthMonitorRow(pool, healthmonitor);
    checkPoolProtocol(hm.type, hm.delay, pool.protocol);
    await insertHealthMonitor(trx, hm);
  }

  if (members?.length) {
    await checkQuota(trx, lb.project_id, 'member', deps.config.quotas, members.length);
    for (const m of members) {
      checkNewMember(deps, m);
      const row = await newMemberRow(trx, pool, m);
      const duplicate = () =>
        new VeloxError('DuplicateMemberEntry', { ip_address: row.address, port: row.protocol_port });
      if (await findMember(trx, pool.id, row.address, row.protocol_port)) throw duplicate();
      await insertUnique(() => insertMember(trx, row), duplicate);
      created.childIds.push(row.id);
    }
  }
  return pool;
}

/** A policy of a new listener, its redirect pool named in the request. */
async function createPolicy(
  trx: Transaction<Database>,
  deps: ApiDeps,
  lb: LoadBalancerRow,
  listener: ListenerRow,
  spec: L7PolicySingleCreate,
  poolIds: Map<string, string>,
  created: CreatedGraph,
): Promise<void> {
  const { redirect_pool: redirectPool, ...body } = spec;
  checkPolicyValues(body);
  if (listener.protocol === 'PROMETHEUS') {
    throw new VeloxError('ListenerNoChildren', { protocol: 'PROMETHEUS' });
  }
  const redirectPoolId = redirectPool?.name ? poolIds.get(redirectPool.name) : undefined;
  if (redirectPoolId) await checkRedirectPool(trx, redirectPoolId, listener);
  const { row, rules } = newL7PolicyRows(listener, lb.project_id, {
    ...body,
    ...(redirectPoolId ? { redirect_pool_id: redirectPoolId } : {}),
  });
  await insertNewL7Policy(trx, deps.config.quotas, lb, listener, row, rules);
  created.childIds.push(...rules.map((r) => r.id));
}

/** A listener with its default pool (by name) and its L7 policies. */
async function createListener(
  trx: Transaction<Database>,
  deps: ApiDeps,
  lb: LoadBalancerRow,
  spec: ListenerSingleCreate,
  poolIds: Map<string, string>,
  created: CreatedGraph,
  refs: TlsRefs,
): Promise<ListenerRow> {
  const { default_pool: defaultPool, l7policies, ...body } = spec;
  const defaultPoolId = defaultPool?.name ? poolIds.get(defaultPool.name) : undefined;
  const listener = newListenerRow(
    lb,
    { ...body, ...(defaultPoolId ? { default_pool_id: defaultPoolId } : {}) },
    refs,
  );
  if (listener.default_pool_id) {
    await checkDefaultPool(trx, listener.default_pool_id, lb.id, listener.protocol);
  }
  await insertNewListener(trx, listener);
  for (const policy of l7policies ?? []) {
    await createPolicy(trx, deps, lb, listener, policy, poolIds, created);
  }
  return listener;
}

/**
 * Creates the listeners and pools of `body` under the load balancer just inserted in
 * `trx`, in Octavia's order: pools (quota for all of them first), then listeners
 * (likewise), each listener's policies after it. `refs`: graphTlsRefs(body), fetched.
 */
export async function createLoadBalancerGraph(
  trx: Transaction<Database>,
  deps: ApiDeps,
  lb: LoadBalancerRow,
  body: LoadBalancerPost,
  refs: TlsRefs,
): Promise<CreatedGraph> {
  const listeners = body.listeners ?? [];
  const pools = collectPools(listeners, body.pools ?? []);
  const created: CreatedGraph = { listenerIds: [], poolIds: [], childIds: [] };
  const poolIds = new Map<string, string>();

  if (pools.length) await checkQuota(trx, lb.project_id, 'pool', deps.config.quotas, pools.length);
  for (const spec of pools) {
    const pool = await createPool(trx, deps, lb, spec, created, refs);
    created.poolIds.push(pool.id);
    if (spec.name) poolIds.set(spec.name, pool.id);
  }

  if (listeners.length) {
    await checkQuota(trx, lb.project_id, 'listener', deps.config.quotas, listeners.length);
  }
  for (const spec of listeners) {
    created.listenerIds.push((await createListener(trx, deps, lb, spec, poolIds, created, refs)).id);
  }
  return created;
}
