// /v2/lbaas/l7policies/{l7policy_id}/rules: the conditions of an L7 policy. Changes
// need the policy ACTIVE as well as its load balancer (Octavia's L7 rule rules), mark
// the policy and its listener PENDING_UPDATE, and enqueue sync_lb.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Transaction } from 'kysely';
import { VeloxError } from '../../errors.js';
import { now, type Executor } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { changeUnderGate } from '../../db/status-gate.js';
import { checkQuota } from '../../db/quota-repo.js';
import {
  countRules,
  getL7Policy,
  getL7Rule,
  insertL7Rule,
  listL7Rules,
  updateL7Policy,
  updateL7Rule,
  type L7PolicyRow,
  type L7RuleRow,
} from '../../db/l7-repo.js';
import { authorizeRead, authorizeWrite, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { MAX_L7RULES_PER_L7POLICY, checkRule, checkRuleStrings, type RuleData } from '../l7-validate.js';
import { parseListQuery, selectFields } from '../list-helper.js';
import { L7RulePostBody, L7RulePutBody, type L7RuleSingleCreate } from '../schemas/l7rule.js';
import { l7RuleFields, l7RuleView } from '../views/l7rule.js';
import { findL7Policy, policyParents } from './l7policies.js';
import { childChange, listEnvelope, shownFields, type Query } from './resource.js';

type Params = { policy_id: string; id: string };

/** Octavia's lookup of the parent in the path: an unknown policy is "L7Policy <id> not found." */
function parentPolicy(deps: ApiDeps, req: FastifyRequest): Promise<L7PolicyRow> {
  return findL7Policy(deps, (req.params as Params).policy_id, 'L7Policy');
}

async function findPolicyRule(deps: ApiDeps, policyId: string, id: string): Promise<L7RuleRow> {
  const r = await getL7Rule(deps.db, id);
  if (!r || r.l7policy_id !== policyId) throw new VeloxError('NotFound', { resource: 'L7 Rule', id });
  return r;
}

/** wsme's string checks and Octavia's l7rule_data for a new rule (inline ones skip the CR/LF pattern). */
export function checkNewRule(body: RuleData, withPattern: boolean): void {
  checkRuleStrings(body, withPattern);
  checkRule(body);
}

/** The row of a new rule of `policy`, as Octavia's create_l7rule prepares it. */
export function newRuleRow(policy: L7PolicyRow, body: L7RuleSingleCreate, createdAt = now()): L7RuleRow {
  return {
    id: randomUUID(),
    project_id: policy.project_id,
    l7policy_id: policy.id,
    type: body.type!,
    compare_type: body.compare_type!,
    key: body.key ?? null,
    value: body.value!,
    invert: body.invert ? 1 : 0,
    provisioning_status: 'PENDING_CREATE',
    operating_status: 'OFFLINE',
    // wsme's to_dict turns an admin_state_up given as null into False.
    enabled: body.admin_state_up === null || body.admin_state_up === false ? 0 : 1,
    tags: JSON.stringify(body.tags ?? []),
    created_at: createdAt,
    updated_at: null,
  };
}

/** A rule change: the policy must be ACTIVE (checked again under the lock) and becomes PENDING_UPDATE. */
async function ruleChange<T>(
  deps: ApiDeps,
  policy: L7PolicyRow,
  write: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const immutable = () => new VeloxError('ImmutableObject', { resource: 'L7Policy', id: policy.id });
  if (policy.provisioning_status !== 'ACTIVE') throw immutable();
  const { listener, lb } = await policyParents(deps.db, policy.listener_id);
  return changeUnderGate(deps.db, childChange(lb.id, { listenerIds: [listener.id] }), async (trx) => {
    if ((await getL7Policy(trx, policy.id))?.provisioning_status !== 'ACTIVE') throw immutable();
    await updateL7Policy(trx, policy.id, { provisioning_status: 'PENDING_UPDATE' });
    return write(trx);
  });
}

async function projectOf(ex: Executor, policy: L7PolicyRow): Promise<string> {
  return (await policyParents(ex, policy.listener_id)).lb.project_id;
}

export function l7RuleRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const base = '/l7policies/:policy_id/rules';

    app.get(base, async (req: FastifyRequest) => {
      const policy = await parentPolicy(deps, req);
      authorizeRead(requestContext(req), policy.project_id);
      const parsed = parseListQuery(req.query as Query, l7RuleFields);
      if (parsed.projectId !== undefined)
        parsed.spec.filters.push({ column: 'project_id', values: [parsed.projectId] });
      const rows = await listL7Rules(deps.db, parsed.spec, [{ column: 'l7policy_id', value: policy.id }]);
      return listEnvelope(req, 'rules', parsed, rows.map(l7RuleView));
    });

    app.get(`${base}/:id`, async (req) => {
      const policy = await parentPolicy(deps, req);
      const rule = await findPolicyRule(deps, policy.id, (req.params as Params).id);
      authorizeRead(requestContext(req), rule.project_id);
      return { rule: selectFields(l7RuleView(rule), shownFields(req, l7RuleFields)) };
    });

    app.post(base, { schema: { body: L7RulePostBody } }, async (req, reply) => {
      const body = req.body.rule;
      const policy = await parentPolicy(deps, req);
      const projectId = await projectOf(deps.db, policy);
      authorizeWrite(requestContext(req), projectId);
      checkNewRule(body, true);
      if ((await countRules(deps.db, policy.id)) >= MAX_L7RULES_PER_L7POLICY) {
        throw new VeloxError('TooManyL7RulesOnL7Policy', { id: policy.id });
      }
      const row = newRuleRow({ ...policy, project_id: projectId }, body);
      await ruleChange(deps, policy, async (trx) => {
        await checkQuota(trx, projectId, 'l7rule', deps.config.quotas);
        await insertL7Rule(trx, row);
      });
      return reply.status(201).send({ rule: l7RuleView(await findPolicyRule(deps, policy.id, row.id)) });
    });

    app.put(`${base}/:id`, { schema: { body: L7RulePutBody } }, async (req) => {
      const body = req.body.rule;
      const policy = await parentPolicy(deps, req);
      const rule = await findPolicyRule(deps, policy.id, (req.params as Params).id);
      authorizeWrite(requestContext(req), await projectOf(deps.db, policy));
      checkRuleStrings(body, true);
      // The stored rule with the given attributes must still be a valid rule.
      const merged = {
        ...rule,
        ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)),
      };
      checkRule(merged as RuleData);
      await ruleChange(deps, policy, (trx) =>
        updateL7Rule(trx, rule.id, {
          provisioning_status: 'PENDING_UPDATE',
          ...(body.type !== undefined ? { type: body.type! } : {}),
          ...(body.compare_type !== undefined ? { compare_type: body.compare_type! } : {}),
          ...(body.key !== undefined ? { key: body.key } : {}),
          ...(body.value !== undefined ? { value: body.value! } : {}),
          // Octavia: an invert given as null is False; admin_state_up null is disabled.
          ...(body.invert !== undefined ? { invert: body.invert ? 1 : 0 } : {}),
          ...(body.admin_state_up !== undefined ? { enabled: body.admin_state_up ? 1 : 0 } : {}),
          ...(body.tags !== undefined ? { tags: JSON.stringify(body.tags ?? []) } : {}),
        }),
      );
      return { rule: l7RuleView(await findPolicyRule(deps, policy.id, rule.id)) };
    });

    app.delete(`${base}/:id`, async (req, reply) => {
      const policy = await parentPolicy(deps, req);
      const rule = await findPolicyRule(deps, policy.id, (req.params as Params).id);
      authorizeWrite(requestContext(req), await projectOf(deps.db, policy));
      await ruleChange(deps, policy, (trx) =>
        updateL7Rule(trx, rule.id, { provisioning_status: 'PENDING_DELETE' }),
      );
      return reply.status(204).send();
    });
  };
}
