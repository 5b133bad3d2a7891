// /v2/lbaas/listeners: TCP and UDP listeners; every change goes through the
// status gate of the listener's load balancer and enqueues sync_lb.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import type { Executor } from '../../db/database.js';
import { changeUnderGate } from '../../db/status-gate.js';
import { checkQuota } from '../../db/quota-repo.js';
import { getLoadBalancer } from '../../db/load-balancer-repo.js';
import {
  getListener,
  insertListener,
  listListeners,
  listenersOnPort,
  setListenerStatus,
  updateListener,
  type ListenerRow,
} from '../../db/listener-repo.js';
import { getPool } from '../../db/pool-repo.js';
import { markL7Deleting, policyIdsOfListeners } from '../../db/l7-repo.js';
import { authorizeWrite, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ListenerPostBody, ListenerPutBody, type ListenerPut } from '../schemas/listener.js';
import { checkSupportedProtocol, normaliseAllowedCidrs } from '../validate.js';
import { listenerFields, listenerView, type ListenerView } from '../views/listener.js';
import { ids } from '../views/common.js';
import {
  childChange,
  commonChanges,
  found,
  idParam,
  insertUnique,
  newRowColumns,
  readRoutes,
} from './resource.js';

/** Octavia's defaults (haproxy_amphora.timeout_*). */
export const LISTENER_DEFAULTS = {
  connection_limit: -1,
  timeout_client_data: 50000,
  timeout_member_connect: 5000,
  timeout_member_data: 50000,
  timeout_tcp_inspect: 0,
};

async function findListener(deps: ApiDeps, id: string): Promise<ListenerRow> {
  return found(await getListener(deps.db, id), 'Listener', id);
}

/** Listener views with their L7 policies, in position order. */
async function renderListeners(deps: ApiDeps, rows: ListenerRow[]): Promise<ListenerView[]> {
  const policies = await policyIdsOfListeners(
    deps.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...listenerView(r), l7policies: ids(policies.get(r.id)!) }));
}

async function renderListener(deps: ApiDeps, id: string): Promise<ListenerView> {
  return (await renderListeners(deps, [await findListener(deps, id)]))[0]!;
}

/** TLS and header insertion need the HTTP-family protocols, which are not served yet. */
function checkL4Options(protocol: string, body: ListenerPut): void {
  const tls =
    !!body.default_tls_container_ref ||
    !!body.sni_container_refs?.length ||
    !!body.client_ca_tls_container_ref;
  const headers = !!body.insert_headers && Object.keys(body.insert_headers).length > 0;
  if (protocol === 'UDP' && (tls || headers)) {
    throw new VeloxError('ValidationException', { detail: 'UDP protocol listener does not support TLS.' });
  }
  if (tls) {
    throw new VeloxError('ValidationException', {
      detail: `Certificate container references are not allowed on ${protocol} protocol listeners.`,
    });
  }
  if (headers) {
    throw new VeloxError('InvalidOption', {
      value: 'insert-headers',
      option: `a ${protocol} protocol listener.`,
    });
  }
  if (body.client_authentication && body.client_authentication !== 'NONE') {
    throw new VeloxError('ValidationException', {
      detail: `Client authentication setting ${body.client_authentication} requires a client CA container reference.`,
    });
  }
  if (body.client_crl_container_ref) {
    throw new VeloxError('ValidationException', {
      detail:
        'A client authentication CA reference is required to specify a client authentication revocation list.',
    });
  }
}

/** A default pool must be a pool of the same load balancer with a compatible protocol. */
async function checkDefaultPool(ex: Executor, poolId: string, lbId: string, protocol: string): Promise<void> {
  const pool = await getPool(ex, poolId);
  if (!pool || pool.load_balancer_id !== lbId)
    throw new VeloxError('NotFound', { resource: 'Pool', id: poolId });
  if (pool.protocol !== protocol) {
    throw new VeloxError('ValidationException', {
      detail: `The pool protocol '${pool.protocol}' is invalid while the listener protocol is '${protocol}'.`,
    });
  }
}

export function listenerRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    readRoutes(app, {
      plural: 'listeners',
      singular: 'listener',
      fields: listenerFields,
      list: (spec, scope) => listListeners(deps.db, spec, scope),
      find: (id) => findListener(deps, id),
      render: (rows) => renderListeners(deps, rows),
    });

    app.post('/listeners', { schema: { body: ListenerPostBody } }, async (req, reply) => {
      const body = req.body.listener;
      const lb = found(
        await getLoadBalancer(deps.db, body.loadbalancer_id),
        'Load Balancer',
        body.loadbalancer_id,
      );
      authorizeWrite(requestContext(req), lb.project_id);
      checkSupportedProtocol(body.protocol);
      checkL4Options(body.protocol, body);
      const allowedCidrs = normaliseAllowedCidrs(body.allowed_cidrs ?? [], lb.vip_address);
      const row: ListenerRow = {
        id: randomUUID(),
        ...newRowColumns(lb.project_id, body),
        load_balancer_id: lb.id,
        protocol: body.protocol,
        protocol_port: body.protocol_port,
        connection_limit: body.connection_limit ?? LISTENER_DEFAULTS.connection_limit,
        default_pool_id: body.default_pool_id ?? null,
        timeout_client_data: body.timeout_client_data ?? LISTENER_DEFAULTS.timeout_client_data,
        timeout_member_connect: body.timeout_member_connect ?? LISTENER_DEFAULTS.timeout_member_connect,
        timeout_member_data: body.timeout_member_data ?? LISTENER_DEFAULTS.timeout_member_data,
        timeout_tcp_inspect: body.timeout_tcp_inspect ?? LISTENER_DEFAULTS.timeout_tcp_inspect,
        allowed_cidrs: JSON.stringify(allowedCidrs),
      };
      if (row.default_pool_id) {
        await checkDefaultPool(deps.db, row.default_pool_id, lb.id, row.protocol);
      }
      const duplicate = () =>
        new VeloxError('DuplicateListenerEntry', { protocol: row.protocol, port: row.protocol_port });
      await changeUnderGate(deps.db, childChange(lb.id), async (trx) => {
        await checkQuota(trx, lb.project_id, 'listener', deps.config.quotas);
        // TCP and UDP are different L4 protocols: they may share a port number.
        const same = await listenersOnPort(trx, lb.id, row.protocol_port);
        if (same.some((l) => l.protocol === row.protocol)) throw duplicate();
        await insertUnique(() => insertListener(trx, row), duplicate);
      });
      return reply.status(201).send({ listener: await renderListener(deps, row.id) });
    });

    app.put('/listeners/:id', { schema: { body: ListenerPutBody } }, async (req) => {
      const id = idParam(req);
      const body = req.body.listener;
      const l = await findListener(deps, id);
      authorizeWrite(requestContext(req), l.project_id);
      checkL4Options(l.protocol, body);
      const lb = (await getLoadBalancer(deps.db, l.load_balancer_id))!;
      const allowed =
        body.allowed_cidrs !== undefined
          ? JSON.stringify(normaliseAllowedCidrs(body.allowed_cidrs ?? [], lb.vip_address))
          : undefined;
      if (body.default_pool_id) {
        await checkDefaultPool(deps.db, body.default_pool_id, lb.id, l.protocol);
      }
      // null resets a value to its default, as Octavia's _set_default_on_none.
      const reset = <K extends keyof typeof LISTENER_DEFAULTS>(k: K) =>
        body[k] !== undefined ? { [k]: body[k] ?? LISTENER_DEFAULTS[k] } : {};
      await changeUnderGate(deps.db, childChange(l.load_balancer_id), async (trx) => {
        await updateListener(trx, id, {
          provisioning_status: 'PENDING_UPDATE',
          ...commonChanges(body),
          ...(body.default_pool_id !== undefined ? { default_pool_id: body.default_pool_id } : {}),
          ...(allowed !== undefined ? { allowed_cidrs: allowed } : {}),
          ...reset('connection_limit'),
          ...reset('timeout_client_data'),
          ...reset('timeout_member_connect'),
          ...reset('timeout_member_data'),
          ...reset('timeout_tcp_inspect'),
        });
      });
      return { listener: await renderListener(deps, id) };
    });

    app.delete('/listeners/:id', async (req, reply) => {
      const l = await findListener(deps, idParam(req));
      authorizeWrite(requestContext(req), l.project_id);
      // Its L7 policies and their rules go with it (Octavia's cascade on listener.l7policies).
      await changeUnderGate(deps.db, childChange(l.load_balancer_id), async (trx) => {
        await setListenerStatus(trx, l.id, 'PENDING_DELETE');
        await markL7Deleting(trx, { listenerId: l.id });
      });
      return reply.status(204).send();
    });
  };
}
