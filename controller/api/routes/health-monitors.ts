// /v2/lbaas/healthmonitors: one health monitor per pool. Changes need the pool
// ACTIVE as well as its load balancer (Octavia's health monitor rules), mark the
// pool and its listeners PENDING_UPDATE, and enqueue sync_lb.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import { changeUnderGate, type GateRequest } from '../../db/status-gate.js';
import {
  getHealthMonitor,
  healthMonitorOfPool,
  insertHealthMonitor,
  listHealthMonitors,
  updateHealthMonitor,
  type HealthMonitorRow,
} from '../../db/health-monitor-repo.js';
import { listenersOfPool } from '../../db/listener-repo.js';
import type { PoolRow } from '../../db/pool-repo.js';
import { checkQuota } from '../../db/quota-repo.js';
import { authorizeWrite, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { integerStrings } from '../integer-strings.js';
import {
  DEFAULT_MAX_RETRIES_DOWN,
  HTTP_DEFAULTS,
  checkPoolProtocol,
  checkUpdate,
  checkValues,
  createValues,
} from '../health-monitor-rules.js';
import {
  HealthMonitorPostBody,
  HealthMonitorPutBody,
  type HealthMonitorPost,
} from '../schemas/health-monitor.js';
import { healthMonitorFields, healthMonitorView } from '../views/health-monitor.js';
import { findPool } from './pools.js';
import {
  childChange,
  commonChanges,
  found,
  idParam,
  insertUnique,
  newRowColumns,
  readRoutes,
} from './resource.js';

async function findHealthMonitor(deps: ApiDeps, id: string): Promise<HealthMonitorRow> {
  return found(await getHealthMonitor(deps.db, id), 'Health Monitor', id);
}

/** A health monitor change needs its pool ACTIVE, and marks the pool and its listeners. */
async function monitorChange(deps: ApiDeps, pool: PoolRow): Promise<GateRequest> {
  return childChange(pool.load_balancer_id, {
    listenerIds: await listenersOfPool(deps.db, pool.id),
    poolId: pool.id,
  });
}

const duplicate = () => new VeloxError('DuplicateHealthMonitor');

/** A new monitor's row (Octavia's _validate_create_hm checks); POST /healthmonitors and the graph create. */
export function newHealthMonitorRow(
  pool: PoolRow,
  body: Omit<HealthMonitorPost, 'pool_id'>,
  id: string = randomUUID(),
): HealthMonitorRow {
  const values = createValues(body as HealthMonitorPost);
  const { description: _description, ...common } = newRowColumns(pool.project_id, body);
  return {
    id,
    ...common,
    pool_id: pool.id,
    type: values.type,
    delay: values.delay,
    timeout: values.timeout,
    rise_threshold: values.max_retries,
    fall_threshold: body.max_retries_down ?? DEFAULT_MAX_RETRIES_DOWN,
    http_method: values.http_method,
    url_path: values.url_path,
    expected_codes: values.expected_codes,
    http_version: body.http_version ?? null,
    domain_name: body.domain_name ?? null,
  };
}

export function healthMonitorRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    // octaviaclient sends --delay and --timeout as strings; Octavia takes integer strings.
    const integers = ['delay', 'timeout', 'max_retries', 'max_retries_down'];
    app.addHook('preValidation', integerStrings('healthmonitor', integers));

    readRoutes(app, {
      plural: 'healthmonitors',
      singular: 'healthmonitor',
      fields: healthMonitorFields,
      list: (spec, scope) => listHealthMonitors(deps.db, spec, scope),
      find: (id) => findHealthMonitor(deps, id),
      render: (rows) => rows.map(healthMonitorView),
    });

    app.post('/healthmonitors', { schema: { body: HealthMonitorPostBody } }, async (req, reply) => {
      const body = req.body.healthmonitor;
      checkValues(body);
      // Octavia looks the pool up first: a null pool_id is "Pool None not found."
      const pool = await findPool(deps, body.pool_id ?? 'None');
      authorizeWrite(requestContext(req), pool.project_id);
      checkPoolProtocol(body.type, body.delay, pool.protocol);
      const id = randomUUID();
      await changeUnderGate(deps.db, await monitorChange(deps, pool), async (trx) => {
        await checkQuota(trx, pool.project_id, 'health_monitor', deps.config.quotas);
        const row = newHealthMonitorRow(pool, body, id);
        if (await healthMonitorOfPool(trx, pool.id)) throw duplicate();
        await insertUnique(() => insertHealthMonitor(trx, row), duplicate);
      });
      return reply.status(201).send({ healthmonitor: healthMonitorView(await findHealthMonitor(deps, id)) });
    });

    app.put('/healthmonitors/:id', { schema: { body: HealthMonitorPutBody } }, async (req) => {
      const id = idParam(req);
      const body = req.body.healthmonitor;
      checkValues(body);
      const hm = await findHealthMonitor(deps, id);
      const pool = await findPool(deps, hm.pool_id);
      authorizeWrite(requestContext(req), pool.project_id);
      checkUpdate(hm, body);
      if (body.delay !== undefined) checkPoolProtocol(hm.type, body.delay, pool.protocol);
      await changeUnderGate(deps.db, await monitorChange(deps, pool), async (trx) => {
        const { description: _description, ...common } = commonChanges(body);
        await updateHealthMonitor(trx, id, {
          provisioning_status: 'PENDING_UPDATE',
          ...common,
          // null resets to the default, as Octavia's _set_default_on_none.
          ...(body.delay !== undefined ? { delay: body.delay! } : {}),
          ...(body.timeout !== undefined ? { timeout: body.timeout! } : {}),
          ...(body.max_retries !== undefined ? { rise_threshold: body.max_retries! } : {}),
          ...(body.max_retries_down !== undefined
            ? { fall_threshold: body.max_retries_down ?? DEFAULT_MAX_RETRIES_DOWN }
            : {}),
          ...(body.http_method !== undefined
            ? { http_method: body.http_method ?? HTTP_DEFAULTS.http_method }
            : {}),
          ...(body.url_path !== undefined ? { url_path: body.url_path ?? HTTP_DEFAULTS.url_path } : {}),
          ...(body.expected_codes !== undefined
            ? { expected_codes: body.expected_codes ?? HTTP_DEFAULTS.expected_codes }
            : {}),
          ...(body.http_version !== undefined ? { http_version: body.http_version } : {}),
          ...(body.domain_name !== undefined ? { domain_name: body.domain_name } : {}),
        });
      });
      return { healthmonitor: healthMonitorView(await findHealthMonitor(deps, id)) };
    });

    app.delete('/healthmonitors/:id', async (req, reply) => {
      const hm = await findHealthMonitor(deps, idParam(req));
      const pool = await findPool(deps, hm.pool_id);
      authorizeWrite(requestContext(req), pool.project_id);
      await changeUnderGate(deps.db, await monitorChange(deps, pool), (trx) =>
        updateHealthMonitor(trx, hm.id, { provisioning_status: 'PENDING_DELETE' }),
      );
      return reply.status(204).send();
    });
  };
}
