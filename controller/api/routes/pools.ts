// /v2/lbaas/pools: TCP and UDP pools on a load balancer, optionally the default
// pool of a listener; changes go through the status gate and enqueue sync_lb.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import { now } from '../../db/database.js';
import { changeUnderGate } from '../../db/status-gate.js';
import { getLoadBalancer } from '../../db/load-balancer-repo.js';
import { getListener, listenersOfPool, updateListener } from '../../db/listener-repo.js';
import {
  getPool,
  insertPool,
  listPools,
  markPoolDeleting,
  poolChildren,
  updatePool,
  type PoolRow,
} from '../../db/pool-repo.js';
import { authorizeRead, authorizeWrite, listProject, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { pageLinks, parseListQuery, selectFields } from '../list-helper.js';
import { PoolPostBody, PoolPutBody, type SessionPersistence } from '../schemas/pool.js';
import { checkSessionPersistence, checkSupportedProtocol } from '../validate.js';
import { poolFields, poolView, type PoolView } from '../views/pool.js';

type Query = Record<string, string | string[] | undefined>;

export async function findPool(deps: ApiDeps, id: string): Promise<PoolRow> {
  const p = await getPool(deps.db, id);
  if (!p) throw new VeloxError('NotFound', { resource: 'Pool', id });
  return p;
}

async function renderPool(deps: ApiDeps, row: PoolRow): Promise<PoolView> {
  const children = await poolChildren(deps.db, [row.id]);
  return poolView(row, children.get(row.id)!);
}

function spJson(sp: SessionPersistence | null | undefined): string | null {
  if (!sp) return null;
  return JSON.stringify({
    type: sp.type,
    cookie_name: sp.cookie_name ?? null,
    persistence_timeout: sp.persistence_timeout ?? null,
    persistence_granularity: sp.persistence_granularity ?? null,
  });
}

function checkTls(enabled: boolean | null | undefined): void {
  if (enabled) throw new VeloxError('DisabledOption', { option: 'tls_enabled', value: 'True' });
}

export function poolRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/pools', async (req: FastifyRequest) => {
      const parsed = parseListQuery(req.query as Query, poolFields);
      const project = listProject(requestContext(req), parsed.projectId);
      const rows = await listPools(
        deps.db,
        parsed.spec,
        project ? [{ column: 'project_id', value: project }] : [],
      );
      const children = await poolChildren(
        deps.db,
        rows.map((r) => r.id),
      );
      return {
        pools: rows.map((r) => selectFields(poolView(r, children.get(r.id)!), parsed.fields)),
        pools_links: pageLinks(
          req,
          parsed,
          rows.map((r) => r.id),
        ),
      };
    });

    app.get('/pools/:id', async (req) => {
      const { id } = req.params as { id: string };
      const p = await findPool(deps, id);
      authorizeRead(requestContext(req), p.project_id);
      const fields = parseListQuery({ fields: (req.query as Query)['fields'] }, poolFields).fields;
      return { pool: selectFields(await renderPool(deps, p), fields) };
    });

    app.post('/pools', { schema: { body: PoolPostBody } }, async (req, reply) => {
      const body = req.body.pool;
      let lbId = body.loadbalancer_id ?? undefined;
      const listener = body.listener_id ? await getListener(deps.db, body.listener_id) : undefined;
      if (body.listener_id && !listener) {
        throw new VeloxError('NotFound', { resource: 'Listener', id: body.listener_id });
      }
      if (!lbId && !listener) {
        throw new VeloxError('ValidationException', {
          detail: 'Must provide at least one of: loadbalancer_id, listener_id',
        });
      }
      if (listener && lbId && listener.load_balancer_id !== lbId) {
        throw new VeloxError('ValidationException', {
          detail: `Listener ${listener.id} is not on load balancer ${lbId}.`,
        });
      }
      lbId ??= listener!.load_balancer_id;
      const lb = await getLoadBalancer(deps.db, lbId);
      if (!lb) throw new VeloxError('NotFound', { resource: 'Load Balancer', id: lbId });
      authorizeWrite(requestContext(req), lb.project_id);
      checkSupportedProtocol(body.protocol);
      if (listener && listener.protocol !== body.protocol) {
        throw new VeloxError('ValidationException', {
          detail: `The pool protocol '${body.protocol}' is invalid while the listener protocol is '${listener.protocol}'.`,
        });
      }
      if (body.session_persistence) checkSessionPersistence(body.session_persistence, body.protocol);
      checkTls(body.tls_enabled);
      const row: PoolRow = {
        id: randomUUID(),
        project_id: lb.project_id,
        name: body.name ?? '',
        description: body.description ?? '',
        provisioning_status: 'PENDING_CREATE',
        operating_status: 'OFFLINE',
        enabled: body.admin_state_up === false ? 0 : 1,
        tags: JSON.stringify(body.tags ?? []),
        created_at: now(),
        updated_at: null,
        load_balancer_id: lb.id,
        protocol: body.protocol,
        lb_algorithm: body.lb_algorithm,
        session_persistence: spJson(body.session_persistence),
      };
      await changeUnderGate(
        deps.db,
        {
          loadBalancerId: lb.id,
          lbStatus: 'PENDING_UPDATE',
          refusal: 'child',
          job: 'sync_lb',
          ...(listener ? { listenerIds: [listener.id] } : {}),
        },
        async (trx) => {
          if (listener) {
            // Checked inside the transaction so two pools cannot both become default.
            const current = await getListener(trx, listener.id);
            if (current?.default_pool_id) throw new VeloxError('DuplicatePoolEntry');
          }
          await insertPool(trx, row);
          if (listener) await updateListener(trx, listener.id, { default_pool_id: row.id });
        },
      );
      return reply.status(201).send({ pool: await renderPool(deps, await findPool(deps, row.id)) });
    });

    app.put('/pools/:id', { schema: { body: PoolPutBody } }, async (req) => {
      const { id } = req.params as { id: string };
      const body = req.body.pool;
      const p = await findPool(deps, id);
      authorizeWrite(requestContext(req), p.project_id);
      if (body.session_persistence) checkSessionPersistence(body.session_persistence, p.protocol);
      checkTls(body.tls_enabled);
      const listenerIds = await listenersOfPool(deps.db, id);
      await changeUnderGate(
        deps.db,
        {
          loadBalancerId: p.load_balancer_id,
          lbStatus: 'PENDING_UPDATE',
          refusal: 'child',
          job: 'sync_lb',
          listenerIds,
        },
        async (trx) => {
          await updatePool(trx, id, {
            provisioning_status: 'PENDING_UPDATE',
            ...(body.name !== undefined ? { name: body.name ?? '' } : {}),
            ...(body.description !== undefined ? { description: body.description ?? '' } : {}),
            ...(body.admin_state_up !== undefined ? { enabled: body.admin_state_up === false ? 0 : 1 } : {}),
            ...(body.tags !== undefined ? { tags: JSON.stringify(body.tags ?? []) } : {}),
            ...(body.lb_algorithm !== undefined ? { lb_algorithm: body.lb_algorithm } : {}),
            ...(body.session_persistence !== undefined
              ? { session_persistence: spJson(body.session_persistence) }
              : {}),
          });
        },
      );
      return { pool: await renderPool(deps, await findPool(deps, id)) };
    });

    app.delete('/pools/:id', async (req, reply) => {
      const { id } = req.params as { id: string };
      const p = await findPool(deps, id);
      authorizeWrite(requestContext(req), p.project_id);
      const listenerIds = await listenersOfPool(deps.db, id);
      await changeUnderGate(
        deps.db,
        {
          loadBalancerId: p.load_balancer_id,
          lbStatus: 'PENDING_UPDATE',
          refusal: 'child',
          job: 'sync_lb',
          listenerIds,
        },
        (trx) => markPoolDeleting(trx, id),
      );
      return reply.status(204).send();
    });
  };
}
