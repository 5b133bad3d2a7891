// /v2/lbaas/pools: pools of every Octavia protocol, with their re-encryption fields
// (rules: ../pool-rules.ts), on a load balancer, optionally the default pool of a
// listener; changes go through the status gate and enqueue sync_lb.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import { changeUnderGate, type GateRequest } from '../../db/status-gate.js';
import { checkQuota } from '../../db/quota-repo.js';
import { getLoadBalancer, type LoadBalancerRow } from '../../db/load-balancer-repo.js';
import { getListener, updateListener } from '../../db/listener-repo.js';
import { l7ListenersOfPools, listenersUsingPool, policiesRedirectingTo } from '../../db/l7-repo.js';
import {
  getPool,
  insertPool,
  listPools,
  markPoolDeleting,
  poolChildren,
  updatePool,
  type PoolRow,
} from '../../db/pool-repo.js';
import { authorizeWrite, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { PoolPostBody, PoolPutBody, type PoolPost, type SessionPersistence } from '../schemas/pool.js';
import {
  checkPoolCreate,
  checkPoolUpdate,
  poolCreateColumns,
  poolCreateRefs,
  poolUpdateColumns,
  poolUpdateRefs,
} from '../pool-rules.js';
import { TlsRefs } from '../tls-refs.js';
import { checkListenerPoolProtocol, checkSessionPersistence } from '../validate.js';
import { poolFields, poolView, type PoolView } from '../views/pool.js';
import { childChange, commonChanges, found, idParam, newRowColumns, readRoutes } from './resource.js';

/** A pool's create body without its listener or load balancer (the graph create nests it under one). */
export type PoolCreate = Omit<PoolPost, 'listener_id' | 'loadbalancer_id'>;

export async function findPool(deps: ApiDeps, id: string): Promise<PoolRow> {
  return found(await getPool(deps.db, id), 'Pool', id);
}

/** A change of a pool also marks the listeners using it (default pool or L7 redirect). */
async function poolChange(deps: ApiDeps, pool: PoolRow): Promise<GateRequest> {
  return childChange(pool.load_balancer_id, { listenerIds: await listenersUsingPool(deps.db, pool.id) });
}

export async function renderPools(deps: ApiDeps, rows: PoolRow[]): Promise<PoolView[]> {
  const ids = rows.map((r) => r.id);
  const children = await poolChildren(deps.db, ids);
  // Octavia's Pool.listeners: default-pool listeners, then those of L7 policies redirecting here.
  const l7 = await l7ListenersOfPools(deps.db, ids);
  return rows.map((r) => {
    const c = children.get(r.id)!;
    const listeners = [...c.listeners, ...l7.get(r.id)!.filter((l) => !c.listeners.includes(l))];
    return poolView(r, { ...c, listeners });
  });
}

async function renderPool(deps: ApiDeps, row: PoolRow): Promise<PoolView> {
  return (await renderPools(deps, [row]))[0]!;
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

/**
 * A new pool's body checked and made its row (POST /pools and the load balancer graph
 * create); `refs` holds its TLS refs, fetched before (poolCreateRefs).
 */
export function newPoolRow(lb: LoadBalancerRow, body: PoolCreate, refs: TlsRefs): PoolRow {
  if (body.session_persistence) checkSessionPersistence(body.session_persistence, body.protocol, 'create');
  checkPoolCreate(body, refs);
  return {
    id: randomUUID(),
    ...newRowColumns(lb.project_id, body),
    load_balancer_id: lb.id,
    protocol: body.protocol,
    lb_algorithm: body.lb_algorithm,
    session_persistence: spJson(body.session_persistence),
    ...poolCreateColumns(body),
  };
}

export function poolRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    readRoutes(app, {
      plural: 'pools',
      singular: 'pool',
      fields: poolFields,
      list: (spec, scope) => listPools(deps.db, spec, scope),
      find: (id) => findPool(deps, id),
      render: (rows) => renderPools(deps, rows),
    });

    app.post('/pools', { schema: { body: PoolPostBody } }, async (req, reply) => {
      const body = req.body.pool;
      let lbId = body.loadbalancer_id ?? undefined;
      const listener = body.listener_id ? await getListener(deps.db, body.listener_id) : undefined;
      if (body.listener_id) found(listener, 'Listener', body.listener_id);
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
      const lb = found(await getLoadBalancer(deps.db, lbId), 'Load Balancer', lbId);
      authorizeWrite(requestContext(req), lb.project_id);
      if (listener) {
        if (listener.protocol === 'PROMETHEUS') {
          throw new VeloxError('ListenerNoChildren', { protocol: listener.protocol });
        }
        checkListenerPoolProtocol(listener.protocol, body.protocol);
      }
      // Resolved in the load balancer's project: the one the worker will resolve them in.
      const refs = await TlsRefs.fetch(deps.secrets, { projectId: lb.project_id }, poolCreateRefs(body));
      const row = newPoolRow(lb, body, refs);
      await changeUnderGate(
        deps.db,
        childChange(lb.id, listener ? { listenerIds: [listener.id] } : {}),
        async (trx) => {
          await checkQuota(trx, lb.project_id, 'pool', deps.config.quotas);
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
      const id = idParam(req);
      const body = req.body.pool;
      const p = await findPool(deps, id);
      authorizeWrite(requestContext(req), p.project_id);
      if (body.session_persistence) checkSessionPersistence(body.session_persistence, p.protocol, 'update');
      const refs = await TlsRefs.fetch(deps.secrets, { projectId: p.project_id }, poolUpdateRefs(body, p));
      checkPoolUpdate(body, p, refs);
      await changeUnderGate(deps.db, await poolChange(deps, p), async (trx) => {
        await updatePool(trx, id, {
          provisioning_status: 'PENDING_UPDATE',
          ...commonChanges(body),
          ...(body.lb_algorithm !== undefined ? { lb_algorithm: body.lb_algorithm } : {}),
          ...(body.session_persistence !== undefined
            ? { session_persistence: spJson(body.session_persistence) }
            : {}),
          ...poolUpdateColumns(body),
        });
      });
      return { pool: await renderPool(deps, await findPool(deps, id)) };
    });

    app.delete('/pools/:id', async (req, reply) => {
      const p = await findPool(deps, idParam(req));
      authorizeWrite(requestContext(req), p.project_id);
      const [policy] = await policiesRedirectingTo(deps.db, p.id);
      if (policy) throw new VeloxError('PoolInUseByL7Policy', { id: p.id, l7policy_id: policy.id });
      await changeUnderGate(deps.db, await poolChange(deps, p), (trx) => markPoolDeleting(trx, p.id));
      return reply.status(204).send();
    });
  };
}
