// /v2/lbaas/pools/{pool_id}/members: changes need the pool ACTIVE as well as its
// load balancer (Octavia's member rules), and enqueue sync_lb. PUT on the collection
// replaces the pool's members at once (Octavia's batch update, 202).
import { integerStrings } from '../integer-strings.js';
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import { changeUnderGate, type GateRequest } from '../../db/status-gate.js';
import { checkQuota } from '../../db/quota-repo.js';
import { listenersUsingPool } from '../../db/l7-repo.js';
import { healthMonitorOfPool } from '../../db/health-monitor-repo.js';
import {
  findMember,
  getMember,
  insertMember,
  listMembers,
  updateMember,
  type MemberRow,
} from '../../db/member-repo.js';
import type { Executor } from '../../db/database.js';
import { emptyListSpec } from '../../db/list-query.js';
import type { PoolRow } from '../../db/pool-repo.js';
import { authorizeRead, authorizeWrite, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { parseListQuery, selectFields } from '../list-helper.js';
import { MemberPostBody, MemberPutBody, MembersPutBody, type MemberPost } from '../schemas/member.js';
import { checkIpAddress, checkMemberAddress } from '../validate.js';
import { memberFields, memberView } from '../views/member.js';
import { findPool } from './pools.js';
import {
  childChange,
  commonChanges,
  insertUnique,
  listEnvelope,
  newRowColumns,
  shownFields,
  type Query,
} from './resource.js';

type Params = { pool_id: string; id: string };

async function findPoolMember(deps: ApiDeps, poolId: string, id: string): Promise<MemberRow> {
  const m = await getMember(deps.db, id);
  if (!m || m.pool_id !== poolId) throw new VeloxError('NotFound', { resource: 'Member', id });
  return m;
}

/** A new member row; OFFLINE under a health monitor, else NO_MONITOR (Octavia's create_member). */
export async function newMemberRow(ex: Executor, pool: PoolRow, body: MemberPost): Promise<MemberRow> {
  const monitored = (await healthMonitorOfPool(ex, pool.id)) !== undefined;
  return {
    id: randomUUID(),
    ...newRowColumns(pool.project_id, body),
    operating_status: monitored ? 'OFFLINE' : 'NO_MONITOR',
    pool_id: pool.id,
    address: body.address,
    protocol_port: body.protocol_port,
    subnet_id: body.subnet_id ?? null,
    weight: body.weight ?? 1,
    backup: body.backup ? 1 : 0,
    monitor_address: body.monitor_address ?? null,
    monitor_port: body.monitor_port ?? null,
  };
}

/** A new member's address, monitor address and subnet (POST and the load balancer graph create). */
export function checkNewMember(deps: ApiDeps, body: MemberPost): void {
  checkMemberAddress(body.address);
  if (body.monitor_address) checkIpAddress('monitor_address', body.monitor_address);
  checkSubnet(deps, body.subnet_id);
}

function checkSubnet(deps: ApiDeps, subnetId: string | null | undefined): void {
  if (!subnetId) return;
  const subnet = deps.network.findSubnet(subnetId);
  if (!subnet || subnet.id !== subnetId) {
    throw new VeloxError('InvalidSubresource', { resource: 'Subnet', id: subnetId });
  }
}

/** Octavia's strutils.bool_from_string, as for ?cascade=. */
function isTrue(v: unknown): boolean {
  return ['true', '1', 'yes', 'on', 'y', 't'].includes(String(v ?? '').toLowerCase());
}

/** Thrown inside the transaction to roll back a batch that changes nothing. */
class NothingToDo extends Error {}

/** A member change also needs its pool ACTIVE, and marks the pool's listeners. */
async function memberChange(deps: ApiDeps, pool: PoolRow): Promise<GateRequest> {
  return childChange(pool.load_balancer_id, {
    listenerIds: await listenersUsingPool(deps.db, pool.id),
    poolId: pool.id,
  });
}

export function memberRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', integerStrings('member', ['protocol_port', 'weight', 'monitor_port']));

    app.get('/pools/:pool_id/members', async (req: FastifyRequest) => {
      const { pool_id: poolId } = req.params as Params;
      const pool = await findPool(deps, poolId);
      authorizeRead(requestContext(req), pool.project_id);
      const parsed = parseListQuery(req.query as Query, memberFields);
      if (parsed.projectId !== undefined)
        parsed.spec.filters.push({ column: 'project_id', values: [parsed.projectId] });
      const rows = await listMembers(deps.db, parsed.spec, [{ column: 'pool_id', value: poolId }]);
      return listEnvelope(req, 'members', parsed, rows.map(memberView));
    });

    app.get('/pools/:pool_id/members/:id', async (req) => {
      const { pool_id: poolId, id } = req.params as Params;
      const pool = await findPool(deps, poolId);
      const m = await findPoolMember(deps, pool.id, id);
      authorizeRead(requestContext(req), m.project_id);
      return { member: selectFields(memberView(m), shownFields(req, memberFields)) };
    });

    app.post('/pools/:pool_id/members', { schema: { body: MemberPostBody } }, async (req, reply) => {
      const { pool_id: poolId } = req.params as Params;
      const body = req.body.member;
      const pool = await findPool(deps, poolId);
      authorizeWrite(requestContext(req), pool.project_id);
      checkNewMember(deps, body);
      const row = await newMemberRow(deps.db, pool, body);
      const duplicate = () =>
        new VeloxError('DuplicateMemberEntry', { ip_address: row.address, port: row.protocol_port });
      await changeUnderGate(deps.db, await memberChange(deps, pool), async (trx) => {
        await checkQuota(trx, pool.project_id, 'member', deps.config.quotas);
        if (await findMember(trx, pool.id, row.address, row.protocol_port)) throw duplicate();
        await insertUnique(() => insertMember(trx, row), duplicate);
      });
      return reply.status(201).send({ member: memberView(await findPoolMember(deps, pool.id, row.id)) });
    });

    app.put('/pools/:pool_id/members', { schema: { body: MembersPutBody } }, async (req, reply) => {
      const { pool_id: poolId } = req.params as Params;
      const additiveOnly = isTrue((req.query as Query)['additive_only']);
      const wanted = req.body.members;
      const pool = await findPool(deps, poolId);
      authorizeWrite(requestContext(req), pool.project_id);
      for (const m of wanted) {
        checkIpAddress('address', m.address);
        if (m.monitor_address) checkIpAddress('monitor_address', m.monitor_address);
      }
      const key = (address: string, port: number) => `${address} ${port}`;
      try {
        await changeUnderGate(deps.db, await memberChange(deps, pool), async (trx) => {
          const old = await listMembers(trx, emptyListSpec(), [{ column: 'pool_id', value: pool.id }]);
          const byKey = new Map(old.map((m) => [key(m.address, m.protocol_port), m]));
          const wantedKeys = new Set(wanted.map((m) => key(m.address, m.protocol_port)));
          const created = wanted.filter((m) => !byKey.has(key(m.address, m.protocol_port)));
          const updated = wanted.filter((m) => byKey.has(key(m.address, m.protocol_port)));
          const removed = old.filter((m) => !wantedKeys.has(key(m.address, m.protocol_port)));
          created.forEach((m) => checkMemberAddress(m.address));
          if (!created.length && !updated.length && !removed.length) throw new NothingToDo();
          const added = additiveOnly ? created.length : created.length - removed.length;
          if (added > 0) await checkQuota(trx, pool.project_id, 'member', deps.config.quotas, added);
          for (const m of created) {
            checkSubnet(deps, m.subnet_id);
            const row = await newMemberRow(trx, pool, m);
            const duplicate = () =>
              new VeloxError('DuplicateMemberEntry', { ip_address: row.address, port: row.protocol_port });
            await insertUnique(() => insertMember(trx, row), duplicate);
          }
          // An existing member takes the request's values, defaults for those not given
          // (wsme's MemberPOST defaults); its name and tags only when given.
          for (const m of updated) {
            await updateMember(trx, byKey.get(key(m.address, m.protocol_port))!.id, {
              provisioning_status: 'PENDING_UPDATE',
              ...(m.name !== undefined ? { name: m.name ?? '' } : {}),
              ...(m.tags !== undefined ? { tags: JSON.stringify(m.tags ?? []) } : {}),
              enabled: m.admin_state_up === false || m.admin_state_up === null ? 0 : 1,
              weight: m.weight ?? 1,
              backup: m.backup ? 1 : 0,
              monitor_address: m.monitor_address ?? null,
              monitor_port: m.monitor_port ?? null,
            });
          }
          if (!additiveOnly) {
            for (const m of removed) await updateMember(trx, m.id, { provisioning_status: 'PENDING_DELETE' });
          }
        });
      } catch (err) {
        if (!(err instanceof NothingToDo)) throw err;
      }
      return reply.status(202).send();
    });

    app.put('/pools/:pool_id/members/:id', { schema: { body: MemberPutBody } }, async (req) => {
      const { pool_id: poolId, id } = req.params as Params;
      const body = req.body.member;
      const pool = await findPool(deps, poolId);
      const m = await findPoolMember(deps, pool.id, id);
      authorizeWrite(requestContext(req), m.project_id);
      if (body.monitor_address) checkIpAddress('monitor_address', body.monitor_address);
      await changeUnderGate(deps.db, await memberChange(deps, pool), async (trx) => {
        await updateMember(trx, id, {
          provisioning_status: 'PENDING_UPDATE',
          ...commonChanges(body),
          // null resets to the default, as Octavia's _set_default_on_none.
          ...(body.weight !== undefined ? { weight: body.weight ?? 1 } : {}),
          ...(body.backup !== undefined ? { backup: body.backup ? 1 : 0 } : {}),
          ...(body.monitor_address !== undefined ? { monitor_address: body.monitor_address } : {}),
          ...(body.monitor_port !== undefined ? { monitor_port: body.monitor_port } : {}),
        });
      });
      return { member: memberView(await findPoolMember(deps, pool.id, id)) };
    });

    app.delete('/pools/:pool_id/members/:id', async (req, reply) => {
      const { pool_id: poolId, id } = req.params as Params;
      const pool = await findPool(deps, poolId);
      const m = await findPoolMember(deps, pool.id, id);
      authorizeWrite(requestContext(req), m.project_id);
      await changeUnderGate(deps.db, await memberChange(deps, pool), (trx) =>
        updateMember(trx, id, { provisioning_status: 'PENDING_DELETE' }),
      );
      return reply.status(204).send();
    });
  };
}
