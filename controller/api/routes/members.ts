// /v2/lbaas/pools/{pool_id}/members: changes need the pool ACTIVE as well as its
// load balancer (Octavia's member rules), and enqueue sync_lb.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import { now } from '../../db/database.js';
import { changeUnderGate } from '../../db/status-gate.js';
import { listenersOfPool } from '../../db/listener-repo.js';
import {
  findMember,
  getMember,
  insertMember,
  listMembers,
  updateMember,
  type MemberRow,
} from '../../db/member-repo.js';
import { authorizeRead, authorizeWrite, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { pageLinks, parseListQuery, selectFields } from '../list-helper.js';
import { MemberPostBody, MemberPutBody } from '../schemas/member.js';
import { checkIpAddress, checkMemberAddress } from '../validate.js';
import { memberFields, memberView } from '../views/member.js';
import { findPool } from './pools.js';

type Query = Record<string, string | string[] | undefined>;
type Params = { pool_id: string; id: string };

async function findPoolMember(deps: ApiDeps, poolId: string, id: string): Promise<MemberRow> {
  const m = await getMember(deps.db, id);
  if (!m || m.pool_id !== poolId) throw new VeloxError('NotFound', { resource: 'Member', id });
  return m;
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed|duplicate key/i.test(err.message);
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
      return {
        members: rows.map((r) => selectFields(memberView(r), parsed.fields)),
        members_links: pageLinks(
          req,
          parsed,
          rows.map((r) => r.id),
        ),
      };
    });

    app.get('/pools/:pool_id/members/:id', async (req) => {
      const { pool_id: poolId, id } = req.params as Params;
      const pool = await findPool(deps, poolId);
      const m = await findPoolMember(deps, pool.id, id);
      authorizeRead(requestContext(req), m.project_id);
      const fields = parseListQuery({ fields: (req.query as Query)['fields'] }, memberFields).fields;
      return { member: selectFields(memberView(m), fields) };
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
        project_id: pool.project_id,
        name: body.name ?? '',
        description: '',
        provisioning_status: 'PENDING_CREATE',
        // No health monitor yet: Octavia shows NO_MONITOR for such members.
        operating_status: 'NO_MONITOR',
        enabled: body.admin_state_up === false ? 0 : 1,
        tags: JSON.stringify(body.tags ?? []),
        created_at: now(),
        updated_at: null,
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
      const listenerIds = await listenersOfPool(deps.db, pool.id);
      await changeUnderGate(
        deps.db,
        {
          loadBalancerId: pool.load_balancer_id,
          lbStatus: 'PENDING_UPDATE',
          refusal: 'child',
          job: 'sync_lb',
          listenerIds,
          poolId: pool.id,
        },
        async (trx) => {
          if (await findMember(trx, pool.id, row.address, row.protocol_port)) throw duplicate();
          try {
            await insertMember(trx, row);
          } catch (err) {
            throw isUniqueViolation(err) ? duplicate() : err;
          }
        },
      );
      return reply.status(201).send({ member: memberView(await findPoolMember(deps, pool.id, row.id)) });
    });

    app.put('/pools/:pool_id/members/:id', { schema: { body: MemberPutBody } }, async (req) => {
      const { pool_id: poolId, id } = req.params as Params;
      const body = req.body.member;
      const pool = await findPool(deps, poolId);
      const m = await findPoolMember(deps, pool.id, id);
      authorizeWrite(requestContext(req), m.project_id);
      if (body.monitor_address) checkIpAddress('monitor_address', body.monitor_address);
      const listenerIds = await listenersOfPool(deps.db, pool.id);
      await changeUnderGate(
        deps.db,
        {
          loadBalancerId: pool.load_balancer_id,
          lbStatus: 'PENDING_UPDATE',
          refusal: 'child',
          job: 'sync_lb',
          listenerIds,
          poolId: pool.id,
        },
        async (trx) => {
          await updateMember(trx, id, {
            provisioning_status: 'PENDING_UPDATE',
            ...(body.name !== undefined ? { name: body.name ?? '' } : {}),
            ...(body.admin_state_up !== undefined ? { enabled: body.admin_state_up === false ? 0 : 1 } : {}),
            ...(body.tags !== undefined ? { tags: JSON.stringify(body.tags ?? []) } : {}),
            // null resets to the default, as Octavia's _set_default_on_none.
            ...(body.weight !== undefined ? { weight: body.weight ?? 1 } : {}),
            ...(body.backup !== undefined ? { backup: body.backup ? 1 : 0 } : {}),
            ...(body.monitor_address !== undefined ? { monitor_address: body.monitor_address } : {}),
            ...(body.monitor_port !== undefined ? { monitor_port: body.monitor_port } : {}),
          });
        },
      );
      return { member: memberView(await findPoolMember(deps, pool.id, id)) };
    });

    app.delete('/pools/:pool_id/members/:id', async (req, reply) => {
      const { pool_id: poolId, id } = req.params as Params;
      const pool = await findPool(deps, poolId);
      const m = await findPoolMember(deps, pool.id, id);
      authorizeWrite(requestContext(req), m.project_id);
      const listenerIds = await listenersOfPool(deps.db, pool.id);
      await changeUnderGate(
        deps.db,
        {
          loadBalancerId: pool.load_balancer_id,
          lbStatus: 'PENDING_UPDATE',
          refusal: 'child',
          job: 'sync_lb',
          listenerIds,
          poolId: pool.id,
        },
        (trx) => updateMember(trx, id, { provisioning_status: 'PENDING_DELETE' }),
      );
      return reply.status(204).send();
    });
  };
}
