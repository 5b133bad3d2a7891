// /v2/lbaas/l7policies: the L7 policies of HTTP and TERMINATED_HTTPS listeners, in
// position order. Changes go through the status gate of the listener's load
// balancer, mark the listener PENDING_UPDATE and enqueue sync_lb; the worker pushes
// the whole graph. Rules may be given inline at create (Octavia's L7PolicyPOST.rules).
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Transaction } from 'kysely';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import type { QuotaDefaults } from '../../config.js';
import type { Executor } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { changeUnderGate } from '../../db/status-gate.js';
import { checkQuota } from '../../db/quota-repo.js';
import { getListener, type ListenerRow } from '../../db/listener-repo.js';
import { getLoadBalancer, type LoadBalancerRow } from '../../db/load-balancer-repo.js';
import { getPool } from '../../db/pool-repo.js';
import {
  getL7Policy,
  insertL7Policy,
  insertL7Rule,
  listL7Policies,
  moveL7Policy,
  ruleIdsOfPolicies,
  updateL7Policy,
  type L7PolicyRow,
  type L7RuleRow,
} from '../../db/l7-repo.js';
import { authorizeWrite, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import {
  L7_LISTENER_PROTOCOLS,
  MAX_L7RULES_PER_L7POLICY,
  MAX_POLICY_POSITION,
  checkListenerPoolProtocol,
  checkPolicyValues,
  clearedByAction,
  sanitizePolicyArgs,
  type PolicyArgs,
} from '../l7-validate.js';
import {
  L7PolicyPostBody,
  L7PolicyPutBody,
  type L7PolicyPost,
  type L7PolicyPut,
} from '../schemas/l7policy.js';
import { l7PolicyFields, l7PolicyView, type L7PolicyView } from '../views/l7policy.js';
import { checkNewRule, newRuleRow } from './l7rules.js';
import { childChange, found, idParam, newRowColumns, readRoutes } from './resource.js';

/** Octavia names the resource "L7 Policy" in its 404 (the rules' path says "L7Policy"). */
export async function findL7Policy(deps: ApiDeps, id: string, resource = 'L7 Policy'): Promise<L7PolicyRow> {
  return found(await getL7Policy(deps.db, id), resource, id);
}

/** The listener and load balancer a policy lives under. */
export async function policyParents(
  ex: Executor,
  listenerId: string,
): Promise<{ listener: ListenerRow; lb: LoadBalancerRow }> {
  const listener = found(await getListener(ex, listenerId), 'Listener', listenerId);
  const lb = found(
    await getLoadBalancer(ex, listener.load_balancer_id),
    'Load Balancer',
    listener.load_balancer_id,
  );
  return { listener, lb };
}

async function renderPolicies(deps: ApiDeps, rows: L7PolicyRow[]): Promise<L7PolicyView[]> {
  const rules = await ruleIdsOfPolicies(
    deps.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => l7PolicyView(r, rules.get(r.id)!));
}

async function renderPolicy(deps: ApiDeps, id: string): Promise<L7PolicyView> {
  return (await renderPolicies(deps, [await findL7Policy(deps, id)]))[0]!;
}

/** A redirect pool named by the request: it exists and speaks what the listener sends. */
export async function checkRedirectPool(ex: Executor, poolId: string, listener: ListenerRow): Promise<void> {
  const pool = found(await getPool(ex, poolId), 'Pool', poolId);
  checkListenerPoolProtocol(listener.protocol, pool.protocol);
}

/** Under the lock (Octavia's _pool_check): the pool is on the listener's load balancer and project. */
async function checkPoolPlacement(ex: Executor, poolId: string, listener: ListenerRow): Promise<void> {
  const pool = await getPool(ex, poolId);
  if (
    !pool ||
    pool.load_balancer_id !== listener.load_balancer_id ||
    pool.project_id !== listener.project_id
  ) {
    throw new VeloxError('NotFound', { resource: 'Pool', id: poolId });
  }
}

/** The attributes a PUT gives, under Octavia's names, admin_state_up null meaning disabled. */
function givenArgs(body: L7PolicyPut): PolicyArgs {
  const args: PolicyArgs = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) continue;
    if (k === 'admin_state_up') args['enabled'] = v === true;
    else args[k] = v;
  }
  return args;
}

/** The columns a sanitized PUT changes (position is moved separately). */
function policyChanges(args: PolicyArgs) {
  const { position: _position, ...rest } = { ...args, ...clearedByAction(args.action) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) {
    if (k === 'name' || k === 'description') out[k] = v ?? '';
    else if (k === 'enabled') out[k] = v ? 1 : 0;
    else if (k === 'tags') out[k] = JSON.stringify(v ?? []);
    else out[k] = v;
  }
  return out;
}

/** A policy's create body without its listener (the graph create nests it under one). */
export type L7PolicyCreate = Omit<L7PolicyPost, 'listener_id'>;

/** A new policy and its inline rules, checked (Octavia's create_l7policy), as rows. */
export function newL7PolicyRows(
  listener: ListenerRow,
  projectId: string,
  body: L7PolicyCreate,
): { row: L7PolicyRow; rules: L7RuleRow[] } {
  const args = sanitizePolicyArgs(
    {
      action: body.action,
      redirect_pool_id: body.redirect_pool_id ?? null,
      redirect_url: body.redirect_url ?? null,
      redirect_prefix: body.redirect_prefix ?? null,
      redirect_http_code: body.redirect_http_code ?? null,
    },
    true,
  );
  const id = randomUUID();
  const rules = body.rules ?? [];
  if (rules.length > MAX_L7RULES_PER_L7POLICY) throw new VeloxError('TooManyL7RulesOnL7Policy', { id });
  rules.forEach((r) => checkNewRule(r, false));
  const common = newRowColumns(projectId, body);
  const row: L7PolicyRow = {
    id,
    ...common,
    enabled: body.admin_state_up === null || body.admin_state_up === false ? 0 : 1,
    listener_id: listener.id,
    action: args.action!,
    redirect_pool_id: args.redirect_pool_id ?? null,
    redirect_url: args.redirect_url ?? null,
    redirect_prefix: args.redirect_prefix ?? null,
    redirect_http_code: args.redirect_http_code ?? null,
    position: body.position ?? MAX_POLICY_POSITION,
  };
  return { row, rules: rules.map((r) => newRuleRow(row, r, common.created_at)) };
}

/** Inside the write transaction: quotas, the redirect pool's placement, the listener's protocol, then the rows. */
export async function insertNewL7Policy(
  trx: Transaction<Database>,
  quotas: QuotaDefaults,
  lb: LoadBalancerRow,
  listener: ListenerRow,
  row: L7PolicyRow,
  rules: L7RuleRow[],
): Promise<void> {
  await checkQuota(trx, lb.project_id, 'l7policy', quotas);
  if (rules.length) await checkQuota(trx, lb.project_id, 'l7rule', quotas, rules.length);
  if (row.action === 'REDIRECT_TO_POOL') await checkPoolPlacement(trx, row.redirect_pool_id!, listener);
  if (!L7_LISTENER_PROTOCOLS.includes(listener.protocol)) {
    // The amphora provider's refusal, as Octavia's driver words it.
    throw new VeloxError('ProviderUnsupportedOptionError', {
      prov: lb.provider,
      user_msg: `${listener.protocol} protocol listeners do not support L7 policies`,
    });
  }
  await insertL7Policy(trx, row, row.position);
  for (const r of rules) await insertL7Rule(trx, r);
}

export function l7PolicyRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    readRoutes(app, {
      plural: 'l7policies',
      singular: 'l7policy',
      fields: l7PolicyFields,
      list: (spec, scope) => listL7Policies(deps.db, spec, scope),
      find: (id) => findL7Policy(deps, id),
      render: (rows) => renderPolicies(deps, rows),
    });

    app.post('/l7policies', { schema: { body: L7PolicyPostBody } }, async (req, reply) => {
      const body = req.body.l7policy;
      checkPolicyValues(body);
      const { listener, lb } = await policyParents(deps.db, body.listener_id ?? 'None');
      authorizeWrite(requestContext(req), lb.project_id);
      if (listener.protocol === 'PROMETHEUS') {
        throw new VeloxError('ListenerNoChildren', { protocol: 'PROMETHEUS' });
      }
      if (body.redirect_pool_id) await checkRedirectPool(deps.db, body.redirect_pool_id, listener);
      const { row, rules } = newL7PolicyRows(listener, lb.project_id, body);
      await changeUnderGate(deps.db, childChange(lb.id, { listenerIds: [listener.id] }), (trx) =>
        insertNewL7Policy(trx, deps.config.quotas, lb, listener, row, rules),
      );
      return reply.status(201).send({ l7policy: await renderPolicy(deps, row.id) });
    });

    app.put('/l7policies/:id', { schema: { body: L7PolicyPutBody } }, async (req) => {
      const id = idParam(req);
      const body = req.body.l7policy;
      checkPolicyValues(body);
      const policy = await findL7Policy(deps, id);
      const { listener, lb } = await policyParents(deps.db, policy.listener_id);
      authorizeWrite(requestContext(req), lb.project_id);
      const args = sanitizePolicyArgs(givenArgs(body), false);
      if (args.redirect_pool_id) await checkRedirectPool(deps.db, args.redirect_pool_id, listener);
      await changeUnderGate(deps.db, childChange(lb.id, { listenerIds: [listener.id] }), async (trx) => {
        if (args.action === 'REDIRECT_TO_POOL')
          await checkPoolPlacement(trx, args.redirect_pool_id!, listener);
        await updateL7Policy(trx, id, { ...policyChanges(args), provisioning_status: 'PENDING_UPDATE' });
        const position = args['position'];
        if (typeof position === 'number' && position !== policy.position) {
          await moveL7Policy(trx, policy, position);
        }
      });
      return { l7policy: await renderPolicy(deps, id) };
    });

    app.delete('/l7policies/:id', async (req, reply) => {
      const policy = await findL7Policy(deps, idParam(req));
      const { listener, lb } = await policyParents(deps.db, policy.listener_id);
      authorizeWrite(requestContext(req), lb.project_id);
      await changeUnderGate(deps.db, childChange(lb.id, { listenerIds: [listener.id] }), (trx) =>
        updateL7Policy(trx, policy.id, { provisioning_status: 'PENDING_DELETE' }),
      );
      return reply.status(204).send();
    });
  };
}
