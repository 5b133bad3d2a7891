// /v2/lbaas/pools/{pool_id}/members: changes need the pool ACTIVE as well as its
// load balancer (Octavia's member rules), and enqueue sync_lb.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import { changeUnderGate, type GateRequest } from '../../db/status-gate.js';
import { checkQuota } from '../../db/quota-repo.js';
import { listenersOfPool } from '../../db/listener-repo.js';
import {
  findMember,
  getMember,
  insertMember,
  listMembers,
  updateMember,
  type MemberRow,
} from '../../db/member-repo.js';
import type { PoolRow } from '../../db/pool-repo.js';
import { authorizeRead, authorizeWrite, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { parseListQuery, selectFields } from '../list-helper.js';
import { MemberPostBody, MemberPutBody } from '../schemas/member.js';
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

/** A member change also needs its pool ACTIVE, and marks the pool's listeners. */
async function memberChange(deps: ApiDeps, pool: PoolRow): Promise<GateRequest> {
  return childChange(pool.load_balancer_id, {
    listenerIds: await listenersOfPool(deps.db, pool.id),
    poolId: pool.id,
  });
}

export function memberRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

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
      checkMemberAddress(body.address);
      if (body.monitor_address) checkIpAddress('monitor_address', body.monitor_address);
      if (body.subnet_id) {
        const subnet = deps.network.findSubnet(body.subnet_id);
        if (!subnet || subnet.id !== body.subnet_id) {
          throw new VeloxError('InvalidSubresource', { resource: 'Subnet', id: body.subnet_id });
        }
      }
      const row: MemberRow = {
        id: randomUUID(),
        ...newRowColumns(pool.project_id, body),
        // No health monitor yet: Octavia shows NO_MONITOR for such members.
        operating_status: 'NO_MONITOR',
        pool_id: pool.id,
        address: body.address,
        protocol_port: body.protocol_port,
        subnet_id: body.subnet_id ?? null,
        weight: body.weight ?? 1,
        backup: body.backup ? 1 : 0,
        monitor_address: body.monitor_address ?? null,
        monitor_port: body.monitor_port ?? null,
      };
      const duplicate = () =>
        new VeloxError('DuplicateMemberEntry', { ip_address: row.address, port: row.protocol_port });
      await changeUnderGate(deps.db, await memberChange(deps, pool), async (trx) => {
        await checkQuota(trx, pool.project_id, 'member', deps.config.quotas);
        if (await findMember(trx, pool.id, row.address, row.protocol_port)) throw duplicate();
        await insertUnique(() => insertMember(trx, row), duplicate);
      });
      return reply.status(201).send({ member: memberView(await findPoolMember(deps, pool.id, row.id)) });
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
