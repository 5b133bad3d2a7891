// L7 policies and rules as part of a load balancer's graph, for the worker: read
// with the graph, settled with it (ACTIVE or ERROR), removed once the amphora no
// longer serves them, and deleted with the load balancer.
import type { ExpressionBuilder } from 'kysely';
import type { Executor } from './database.js';
import {
  listenersOfLb,
  policiesOfListener,
  writePositions,
  type L7PolicyRow,
  type L7RuleRow,
} from './l7-repo.js';
import type { Database, ProvisioningStatus } from './schema.js';

export interface L7PolicyGraph {
  policy: L7PolicyRow;
  rules: L7RuleRow[];
}

/** Every policy (with its rules) of a load balancer's listeners, by listener and position. */
export async function loadL7Graph(ex: Executor, lbId: string): Promise<L7PolicyGraph[]> {
  const policies = await ex
    .selectFrom('l7policy as p')
    .innerJoin('listener as l', 'l.id', 'p.listener_id')
    .selectAll('p')
    .where('l.load_balancer_id', '=', lbId)
    .orderBy('l.created_at')
    .orderBy('l.id')
    .orderBy('p.position')
    .orderBy('p.created_at')
    .orderBy('p.id')
    .execute();
  if (!policies.length) return [];
  const rules = await ex
    .selectFrom('l7rule')
    .selectAll()
    .where(
      'l7policy_id',
      'in',
      policies.map((p) => p.id),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return policies.map((policy) => ({ policy, rules: rules.filter((r) => r.l7policy_id === policy.id) }));
}

/**
 * The amphora serves the graph: rules and policies being deleted (or under a
 * listener being deleted) are removed, and every listener's positions close up.
 */
export async function removeDeletedL7(trx: Executor, lbId: string): Promise<void> {
  const listeners = listenersOfLb(trx, lbId);
  const deadListeners = listenersOfLb(trx, lbId).where('provisioning_status', '=', 'PENDING_DELETE');
  const deadPolicies = trx
    .selectFrom('l7policy')
    .select('id')
    .where('listener_id', 'in', listeners)
    .where((eb) =>
      eb.or([eb('provisioning_status', '=', 'PENDING_DELETE'), eb('listener_id', 'in', deadListeners)]),
    );
  await trx
    .deleteFrom('l7rule')
    .where((eb) =>
      eb.or([
        eb('l7policy_id', 'in', deadPolicies),
        eb.and([
          eb('provisioning_status', '=', 'PENDING_DELETE'),
          eb(
            'l7policy_id',
            'in',
            trx.selectFrom('l7policy').select('id').where('listener_id', 'in', listeners),
          ),
        ]),
      ]),
    )
    .execute();
  await trx.deleteFrom('l7policy').where('id', 'in', deadPolicies).execute();
  for (const l of await listeners.execute()) {
    await writePositions(
      trx,
      (await policiesOfListener(trx, l.id)).map((p) => p.id),
    );
  }
}

/** Rows of the load balancer's policies and rules in one of `from` become `to` (ONLINE/OFFLINE when ACTIVE). */
export async function settleL7(
  trx: Executor,
  lbId: string,
  from: ProvisioningStatus[],
  to: ProvisioningStatus,
  ts: string,
): Promise<void> {
  const policies = trx
    .selectFrom('l7policy')
    .select('id')
    .where('listener_id', 'in', listenersOfLb(trx, lbId));
  // As Octavia's MarkL7PolicyActiveInDB / MarkL7RuleActiveInDB: ONLINE unless disabled.
  const settled = (eb: ExpressionBuilder<Database, 'l7rule' | 'l7policy'>) => ({
    provisioning_status: to,
    updated_at: ts,
    ...(to === 'ACTIVE'
      ? {
          operating_status: eb
            .case()
            .when('enabled', '=', 1)
            .then('ONLINE' as const)
            .else('OFFLINE' as const)
            .end(),
        }
      : {}),
  });
  await trx
    .updateTable('l7rule')
    .set((eb) => settled(eb))
    .where('l7policy_id', 'in', policies)
    .where('provisioning_status', 'in', from)
    .execute();
  await trx
    .updateTable('l7policy')
    .set((eb) => settled(eb))
    .where('id', 'in', policies)
    .where('provisioning_status', 'in', from)
    .execute();
}

/** Before the listeners of a deleted load balancer go. */
export async function deleteL7OfLoadBalancer(trx: Executor, lbId: string): Promise<void> {
  const policies = trx
    .selectFrom('l7policy')
    .select('id')
    .where('listener_id', 'in', listenersOfLb(trx, lbId));
  await trx.deleteFrom('l7rule').where('l7policy_id', 'in', policies).execute();
  await trx.deleteFrom('l7policy').where('listener_id', 'in', listenersOfLb(trx, lbId)).execute();
}
