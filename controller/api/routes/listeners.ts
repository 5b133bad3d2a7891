// /v2/lbaas/listeners: every Octavia listener protocol with its TLS, header and HSTS
// fields (rules: ../listener-rules.ts); every change goes through the status gate of
// the listener's load balancer and enqueues sync_lb.
import { integerStrings } from '../integer-strings.js';
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Transaction } from 'kysely';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import type { Executor } from '../../db/database.js';
import { changeUnderGate } from '../../db/status-gate.js';
import { checkQuota } from '../../db/quota-repo.js';
import { getLoadBalancer, type LoadBalancerRow } from '../../db/load-balancer-repo.js';
import type { Database } from '../../db/schema.js';
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
import {
  checkListenerCreate,
  checkListenerUpdate,
  listenerCreateColumns,
  listenerCreateRefs,
  listenerUpdateColumns,
  listenerUpdateRefs,
  portConflict,
} from '../listener-rules.js';
import { TlsRefs } from '../tls-refs.js';
import { ListenerPostBody, ListenerPutBody, type ListenerPost } from '../schemas/listener.js';
import { checkListenerPoolProtocol, normaliseAllowedCidrs } from '../validate.js';
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

/** A listener's create body without its load balancer (the graph create nests it under one). */
export type ListenerCreate = Omit<ListenerPost, 'loadbalancer_id'>;

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
export async function renderListeners(deps: ApiDeps, rows: ListenerRow[]): Promise<ListenerView[]> {
  const policies = await policyIdsOfListeners(
    deps.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...listenerView(r), l7policies: ids(policies.get(r.id)!) }));
}

async function renderListener(deps: ApiDeps, id: string): Promise<ListenerView> {
  return (await renderListeners(deps, [await findListener(deps, id)]))[0]!;
}

/** A default pool must be a pool of the same load balancer with a compatible protocol. */
export async function checkDefaultPool(
  ex: Executor,
  poolId: string,
  lbId: string,
  protocol: string,
): Promise<void> {
  const pool = await getPool(ex, poolId);
  if (!pool || pool.load_balancer_id !== lbId)
    throw new VeloxError('NotFound', { resource: 'Pool', id: poolId });
  checkListenerPoolProtocol(protocol, pool.protocol);
}

/** PROMETHEUS listeners serve metrics themselves: no pool, no L7 policy. */
function checkNoChildren(protocol: string): void {
  if (protocol === 'PROMETHEUS') throw new VeloxError('ListenerNoChildren', { protocol });
}

/**
 * A new listener's body checked and made its row (POST /listeners and the load balancer
 * graph create); `refs` holds its TLS refs, fetched before (listenerCreateRefs).
 */
export function newListenerRow(lb: LoadBalancerRow, body: ListenerCreate, refs: TlsRefs): ListenerRow {
  if (body.default_pool_id) checkNoChildren(body.protocol);
  checkListenerCreate(body, refs);
  const allowedCidrs = normaliseAllowedCidrs(body.allowed_cidrs ?? [], lb.vip_address);
  return {
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
    ...listenerCreateColumns(body),
  };
}

/** Inside the write transaction: refuses a protocol and port already taken on the load balancer, then inserts. */
export async function insertNewListener(trx: Transaction<Database>, row: ListenerRow): Promise<void> {
  const duplicate = (protocol: string) => () =>
    new VeloxError('DuplicateListenerEntry', { protocol, port: row.protocol_port });
  // One listener per L4 protocol and port: HTTP and TCP conflict, TCP and UDP do not.
  // Octavia names the listener already there.
  const taken = portConflict(
    await listenersOnPort(trx, row.load_balancer_id, row.protocol_port),
    row.protocol,
  );
  if (taken) throw duplicate(taken.protocol)();
  await insertUnique(() => insertListener(trx, row), duplicate(row.protocol));
}

export function listenerRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    // octaviaclient sends --connection-limit (and the timeouts) as strings; Octavia takes them.
    app.addHook(
      'preValidation',
      integerStrings('listener', [
        'protocol_port',
        'connection_limit',
        'timeout_client_data',
        'timeout_member_connect',
        'timeout_member_data',
        'timeout_tcp_inspect',
        'hsts_max_age',
      ]),
    );

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
      // Resolved in the load balancer's project: the one the worker will resolve them in.
      const refs = await TlsRefs.fetch(deps.secrets, { projectId: lb.project_id }, listenerCreateRefs(body));
      // Octavia checks the default pool before the listener's own fields.
      if (body.default_pool_id) {
        checkNoChildren(body.protocol);
        await checkDefaultPool(deps.db, body.default_pool_id, lb.id, body.protocol);
      }
      const row = newListenerRow(lb, body, refs);
      await changeUnderGate(deps.db, childChange(lb.id), async (trx) => {
        await checkQuota(trx, lb.project_id, 'listener', deps.config.quotas);
        await insertNewListener(trx, row);
      });
      return reply.status(201).send({ listener: await renderListener(deps, row.id) });
    });

    app.put('/listeners/:id', { schema: { body: ListenerPutBody } }, async (req) => {
      const id = idParam(req);
      const body = req.body.listener;
      const l = await findListener(deps, id);
      authorizeWrite(requestContext(req), l.project_id);
      const refs = await TlsRefs.fetch(
        deps.secrets,
        { projectId: l.project_id },
        listenerUpdateRefs(body, l),
      );
      checkListenerUpdate(body, l, refs);
      const lb = (await getLoadBalancer(deps.db, l.load_balancer_id))!;
      const allowed =
        body.allowed_cidrs !== undefined
          ? JSON.stringify(normaliseAllowedCidrs(body.allowed_cidrs ?? [], lb.vip_address))
          : undefined;
      if (body.default_pool_id) {
        checkNoChildren(l.protocol);
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
          ...listenerUpdateColumns(body),
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
