// L7 policy and rule rows for the API: reads, writes, and the position order of a
// listener's policies (1..n, renumbered densely as Octavia's ordering list). What the
// worker does with them as part of a load balancer's graph: ./l7-graph-repo.ts.
import type { Selectable, Transaction, Updateable } from 'kysely';
import { now, type Executor } from './database.js';
import { listRows, type ListSpec } from './list-query.js';
import type { Database, L7PolicyTable, L7RuleTable } from './schema.js';

export type L7PolicyRow = Selectable<L7PolicyTable>;
export type L7RuleRow = Selectable<L7RuleTable>;
type Scope = { column: string; value: string }[];

export function getL7Policy(ex: Executor, id: string): Promise<L7PolicyRow | undefined> {
  return ex.selectFrom('l7policy').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listL7Policies(ex: Executor, spec: ListSpec, scope: Scope): Promise<L7PolicyRow[]> {
  return listRows<L7PolicyRow>(ex, 'l7policy', spec, scope);
}

/** A listener's policies in evaluation order. */
export function policiesOfListener(ex: Executor, listenerId: string): Promise<L7PolicyRow[]> {
  return ex
    .selectFrom('l7policy')
    .selectAll()
    .where('listener_id', '=', listenerId)
    .orderBy('position')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Give the ids, in this order, positions 1..n. */
export async function writePositions(trx: Executor, ids: string[]): Promise<void> {
  for (const [i, id] of ids.entries()) {
    await trx
      .updateTable('l7policy')
      .set({ position: i + 1 })
      .where('id', '=', id)
      .where('position', '!=', i + 1)
      .execute();
  }
}

/** `id` moved to 1-based `position` among `ids`; a position past the end appends. */
function placed(ids: string[], id: string, position: number): string[] {
  const rest = ids.filter((x) => x !== id);
  rest.splice(Math.min(position, rest.length + 1) - 1, 0, id);
  return rest;
}

/** Inserts the policy at `position` (past the end: last); the others move down. */
export async function insertL7Policy(
  trx: Transaction<Database>,
  row: L7PolicyRow,
  position: number,
): Promise<void> {
  const ids = (await policiesOfListener(trx, row.listener_id)).map((p) => p.id);
  await trx
    .insertInto('l7policy')
    .values({ ...row, position: ids.length + 1 })
    .execute();
  await writePositions(trx, placed(ids, row.id, position));
}

export async function updateL7Policy(
  trx: Transaction<Database>,
  id: string,
  patch: Updateable<L7PolicyTable>,
): Promise<void> {
  await trx
    .updateTable('l7policy')
    .set({ ...patch, updated_at: now() })
    .where('id', '=', id)
    .execute();
}

/** Moves a policy to `position` among its listener's (past the end: last). */
export async function moveL7Policy(trx: Transaction<Database>, policy: L7PolicyRow, position: number) {
  const ids = (await policiesOfListener(trx, policy.listener_id)).map((p) => p.id);
  await writePositions(trx, placed(ids, policy.id, position));
}

/** Ids of each listener's policies, in position order. */
export async function policyIdsOfListeners(
  ex: Executor,
  listenerIds: string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(listenerIds.map((id) => [id, []]));
  if (!listenerIds.length) return out;
  const rows = await ex
    .selectFrom('l7policy')
    .select(['id', 'listener_id'])
    .where('listener_id', 'in', listenerIds)
    .orderBy('position')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const r of rows) out.get(r.listener_id)?.push(r.id);
  return out;
}

/** Ids of each policy's rules, in creation order. */
export async function ruleIdsOfPolicies(ex: Executor, policyIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(policyIds.map((id) => [id, []]));
  if (!policyIds.length) return out;
  const rows = await ex
    .selectFrom('l7rule')
    .select(['id', 'l7policy_id'])
    .where('l7policy_id', 'in', policyIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const r of rows) out.get(r.l7policy_id)?.push(r.id);
  return out;
}

/** Policies redirecting to a pool (any status), oldest first. */
export function policiesRedirectingTo(ex: Executor, poolId: string): Promise<L7PolicyRow[]> {
  return ex
    .selectFrom('l7policy')
    .selectAll()
    .where('redirect_pool_id', '=', poolId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * Listeners using each pool through an L7 policy: an enabled policy with at least
 * one rule redirecting to it (Octavia's Pool.listeners, beyond default pools).
 */
export async function l7ListenersOfPools(ex: Executor, poolIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(poolIds.map((id) => [id, []]));
  if (!poolIds.length) return out;
  const rows = await ex
    .selectFrom('l7policy as p')
    .innerJoin('listener as l', 'l.id', 'p.listener_id')
    .select(['p.redirect_pool_id', 'p.listener_id'])
    .where('p.redirect_pool_id', 'in', poolIds)
    .where('p.enabled', '=', 1)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('l7rule as r').select('r.id').whereRef('r.l7policy_id', '=', 'p.id')),
    )
    .orderBy('l.created_at')
    .orderBy('l.id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.redirect_pool_id!);
    if (list && !list.includes(r.listener_id)) list.push(r.listener_id);
  }
  return out;
}

/** Listeners a change of the pool affects: its default listeners, then its L7 listeners. */
export async function listenersUsingPool(ex: Executor, poolId: string): Promise<string[]> {
  const defaults = await ex
    .selectFrom('listener')
    .select('id')
    .where('default_pool_id', '=', poolId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const ids = defaults.map((l) => l.id);
  for (const id of (await l7ListenersOfPools(ex, [poolId])).get(poolId)!) if (!ids.includes(id)) ids.push(id);
  return ids;
}

export function getL7Rule(ex: Executor, id: string): Promise<L7RuleRow | undefined> {
  return ex.selectFrom('l7rule').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listL7Rules(ex: Executor, spec: ListSpec, scope: Scope): Promise<L7RuleRow[]> {
  return listRows<L7RuleRow>(ex, 'l7rule', spec, scope);
}

export async function countRules(ex: Executor, policyId: string): Promise<number> {
  const r = await ex
    .selectFrom('l7rule')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('l7policy_id', '=', policyId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function insertL7Rule(trx: Transaction<Database>, row: L7RuleRow): Promise<void> {
  await trx.insertInto('l7rule').values(row).execute();
}

export async function updateL7Rule(
  trx: Transaction<Database>,
  id: string,
  patch: Updateable<L7RuleTable>,
): Promise<void> {
  await trx
    .updateTable('l7rule')
    .set({ ...patch, updated_at: now() })
    .where('id', '=', id)
    .execute();
}

/** The ids of a load balancer's listeners, as a subquery. */
export function listenersOfLb(ex: Executor, lbId: string) {
  return ex.selectFrom('listener').select('id').where('load_balancer_id', '=', lbId);
}

/** The policies and rules of some listeners (one listener, or all of a load balancer) become PENDING_DELETE. */
export async function markL7Deleting(
  trx: Transaction<Database>,
  under: { listenerId: string } | { loadBalancerId: string },
): Promise<void> {
  const ts = now();
  const listeners =
    'listenerId' in under
      ? [under.listenerId]
      : (await listenersOfLb(trx, under.loadBalancerId).execute()).map((l) => l.id);
  if (!listeners.length) return;
  const policies = trx.selectFrom('l7policy').select('id').where('listener_id', 'in', listeners);
  await trx
    .updateTable('l7rule')
    .set({ provisioning_status: 'PENDING_DELETE', updated_at: ts })
    .where('l7policy_id', 'in', policies)
    .execute();
  await trx
    .updateTable('l7policy')
    .set({ provisioning_status: 'PENDING_DELETE', updated_at: ts })
    .where('listener_id', 'in', listeners)
    .execute();
}
