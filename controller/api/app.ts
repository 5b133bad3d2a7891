// The controller's HTTP API as a fastify instance that does not listen: tests use
// app.inject, controller/main.ts listens. Octavia v2 under /v2/lbaas and the admin
// API under /v2/octavia (each with its /v2.0 alias), plus the read-only Neutron
// and Keystone slices.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';
import { VeloxError, faultBody, renderError } from '../errors.js';
import { authHook } from './auth.js';
import { boundedBodyParsers } from './body-parser.js';
import { refuseNul } from './nul-guard.js';
import type { ApiDeps } from './deps.js';
import { localSecrets } from '../drivers/secrets/local.js';
import type { SecretsDriver } from '../drivers/secrets/types.js';
import { documentRoutes, openApiRoutes } from './openapi-routes.js';
import { checkDefaultProvider } from './provider-catalog.js';
import { amphoraRoutes } from './routes/amphorae.js';
import { healthMonitorRoutes } from './routes/health-monitors.js';
import { catalogRoutes } from './routes/catalog.js';
import { keystoneRoutes } from './routes/keystone.js';
import { l7PolicyRoutes } from './routes/l7policies.js';
import { l7RuleRoutes } from './routes/l7rules.js';
import { listenerRoutes } from './routes/listeners.js';
import { loadBalancerRoutes } from './routes/load-balancers.js';
import { memberRoutes } from './routes/members.js';
import { neutronRoutes } from './routes/neutron.js';
import { poolRoutes } from './routes/pools.js';
import { quotaRoutes } from './routes/quotas.js';
import { secretRoutes } from './routes/secrets.js';
import { statusStatsRoutes } from './routes/status-stats.js';
import { versionRoutes } from './routes/versions.js';

export type { ApiDeps } from './deps.js';

export interface BuildAppOptions extends Omit<ApiDeps, 'secrets'> {
  /** fastify's logger option (true, pino options) or an existing logger; default off. */
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger;
  /** Default: the local store over `db` with the key config.secrets names (drivers/secrets/local.ts). */
  secrets?: SecretsDriver;
}

/** What node's HTTP parser refused (bad framing, oversized headers): a fault body, then close. */
function rawClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify(faultBody(status, `Bad request: ${err.code ?? 'malformed HTTP'}`));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export async function buildApp(deps: BuildAppOptions): Promise<FastifyInstance> {
  const { logger, secrets, ...rest } = deps;
  checkDefaultProvider(rest.config);
  const api: ApiDeps = { ...rest, secrets: secrets ?? localSecrets(rest.db, rest.config) };
  const app = Fastify({
    ...(logger && typeof logger === 'object' && 'child' in logger
      ? { loggerInstance: logger as FastifyBaseLogger }
      : { logger: logger ?? false }),
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // The router's own refusals (a malformed URL, a path parameter over 100 characters)
    // and HTTP the parser cannot read leave as Octavia's fault body too.
    frameworkErrors: (err, _req, reply: FastifyReply) => {
      const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
      return reply.status(status).send(faultBody(status, err.message));
    },
    clientErrorHandler: rawClientError,
    ajv: {
      customOptions: {
        // Octavia answers 400 for unknown attributes: never strip them silently. Defaults
        // are applied in code (PUT must not get them) and JSON types are not coerced.
        removeAdditional: false,
        useDefaults: false,
        coerceTypes: false,
        allErrors: false,
      },
    },
  });

  documentRoutes(app); // before any route: the OpenAPI document lists them all
  app.setErrorHandler((err, req, reply) => renderError(err as Error, req, reply));
  app.setNotFoundHandler((req, reply) => {
    const e = new VeloxError('RouteNotFound');
    return reply.status(404).send(faultBody(404, e.message));
  });

  // Bounded JSON (depth, size; an empty body is no body: clients send the header on GET
  // and DELETE) on every route; see body-parser.ts.
  boundedBodyParsers(app);

  // Every request gets its RequestContext (noauth headers or a Keystone token) first.
  app.addHook('onRequest', authHook(api.config));
  app.addHook('preValidation', refuseNul);
  await app.register(versionRoutes);
  for (const prefix of ['/v2/lbaas', '/v2.0/lbaas']) {
    await app.register(
      async (scope) => {
        await scope.register(loadBalancerRoutes(api));
        await scope.register(listenerRoutes(api));
        await scope.register(poolRoutes(api));
        await scope.register(memberRoutes(api));
        await scope.register(healthMonitorRoutes(api));
        await scope.register(l7PolicyRoutes(api));
        await scope.register(l7RuleRoutes(api));
        await scope.register(catalogRoutes(api));
        await scope.register(quotaRoutes(api));
        await scope.register(statusStatsRoutes(api));
      },
      { prefix },
    );
  }
  for (const prefix of ['/v2/octavia', '/v2.0/octavia']) {
    await app.register(amphoraRoutes(api), { prefix });
  }
  // Ours: the local secrets store's upload API (drivers/secrets/local.ts).
  await app.register(secretRoutes(api), { prefix: '/v2/velox' });
  await app.register(neutronRoutes(api));
  await app.register(keystoneRoutes);
  await app.register(openApiRoutes);
  return app;
}
