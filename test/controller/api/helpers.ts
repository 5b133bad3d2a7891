// Shared set-up of the API tests: an app over an in-memory database and the
// local network driver, plus shortcuts for requests and status flips that a
// worker would otherwise make.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { controllerConfig, type ControllerConfig } from '../../../controller/config.js';
import { openDatabase, type Db } from '../../../controller/db/database.js';
import { markGraphActive } from '../../../controller/db/worker-repo.js';
import { LocalNetworkDriver } from '../../../controller/drivers/network/local.js';
import { LocalSecretsDriver } from '../../../controller/drivers/secrets/local.js';
import { SecretBox } from '../../../controller/drivers/secrets/secret-box.js';
import { buildApp } from '../../../controller/api/app.js';
import { createTestDatabase } from '../db/postgres-test-db.js';

export interface Harness {
  app: FastifyInstance;
  db: Db;
  config: ControllerConfig;
  network: LocalNetworkDriver;
  /** The app's secrets store (what uploads to /v2/velox/secrets land in); harness() sets it. */
  secrets?: LocalSecretsDriver;
  req(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Res>;
  /** What the worker does once the amphora serves everything. */
  activate(lbId: string): Promise<void>;
  close(): Promise<void>;
}

export interface Res {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
  raw: LightMyRequestResponse;
}

export const PUBLIC_SUBNET = 'public-subnet';
export const PRIVATE_SUBNET = 'private-subnet';

/**
 * An app over a fresh database: in-memory SQLite, or, when VELOX_TEST_PG_URL names a
 * PostgreSQL server (`make test-pg`), a new database there that close() drops.
 */
export async function harness(): Promise<Harness> {
  const pgAdminUrl = process.env.VELOX_TEST_PG_URL;
  const pg = pgAdminUrl ? await createTestDatabase(pgAdminUrl, true) : undefined;
  const database = pg
    ? { driver: 'postgres' as const, url: pg.url }
    : { driver: 'sqlite' as const, path: ':memory:' };
  const config = controllerConfig({ database }, '');
  const db = await openDatabase(config).catch(async (err: unknown) => {
    await pg?.drop();
    throw err;
  });
  const network = new LocalNetworkDriver(db, config.network);
  // The local secrets store with a key in memory: nothing is written outside the database.
  const secrets = new LocalSecretsDriver(db, SecretBox.withKey(randomBytes(32)));
  const app = await buildApp({ config, db, network, secrets });
  return {
    app,
    db,
    config,
    network,
    secrets,
    async req(method, url, body, headers = {}) {
      const raw = await app.inject({
        method,
        url,
        headers,
        ...(body === undefined ? {} : { payload: body as object }),
      });
      let parsed: unknown = undefined;
      if (raw.body) {
        try {
          parsed = JSON.parse(raw.body);
        } catch {
          parsed = raw.body;
        }
      }
      return { status: raw.statusCode, body: parsed, raw };
    },
    activate: (lbId) => markGraphActive(db, lbId),
    async close() {
      await app.close();
      await db.destroy();
      await pg?.drop();
    },
  };
}

export function subnetId(h: Harness, name: string): string {
  return h.network.findSubnet(name)!.id;
}

export function fault(res: Res): string {
  return (res.body as { faultstring: string }).faultstring;
}

/** An ACTIVE load balancer on the public subnet. */
export async function activeLb(
  h: Harness,
  extra: Record<string, unknown> = {},
  headers?: Record<string, string>,
) {
  const r = await h.req(
    'POST',
    '/v2/lbaas/loadbalancers',
    { loadbalancer: { name: 'lb', vip_subnet_id: subnetId(h, PUBLIC_SUBNET), ...extra } },
    headers,
  );
  if (r.status !== 201) throw new Error(`create lb: ${r.status} ${JSON.stringify(r.body)}`);
  await h.activate(r.body.loadbalancer.id);
  return r.body.loadbalancer as { id: string; vip_address: string; project_id: string };
}

export async function activeListener(h: Harness, lbId: string, extra: Record<string, unknown> = {}) {
  const r = await h.req('POST', '/v2/lbaas/listeners', {
    listener: { loadbalancer_id: lbId, protocol: 'TCP', protocol_port: 80, ...extra },
  });
  if (r.status !== 201) throw new Error(`create listener: ${r.status} ${JSON.stringify(r.body)}`);
  await h.activate(lbId);
  return r.body.listener as { id: string };
}

export async function activePool(h: Harness, body: Record<string, unknown>) {
  const r = await h.req('POST', '/v2/lbaas/pools', {
    pool: { protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN', ...body },
  });
  if (r.status !== 201) throw new Error(`create pool: ${r.status} ${JSON.stringify(r.body)}`);
  await h.activate(r.body.pool.loadbalancers[0].id);
  return r.body.pool as { id: string };
}
