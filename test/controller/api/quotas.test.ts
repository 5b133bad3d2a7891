// /v2/lbaas/quotas: every endpoint and status code, validation, who may read and
// change quotas, and their enforcement on create, also under concurrent creates.
import SQLite from 'better-sqlite3';
import { join } from 'node:path';
import t from 'tap';
import { buildApp } from '../../../controller/api/app.js';
import { controllerConfig, type QuotaDefaults } from '../../../controller/config.js';
import { openDatabase } from '../../../controller/db/database.js';
import { checkQuota } from '../../../controller/db/quota-repo.js';
import { markGraphActive } from '../../../controller/db/worker-repo.js';
import { LocalNetworkDriver } from '../../../controller/drivers/network/local.js';
import {
  PRIVATE_SUBNET,
  PUBLIC_SUBNET,
  activeLb,
  activeListener,
  activePool,
  fault,
  subnetId,
  type Harness,
  type Res,
} from './helpers.js';

const UNLIMITED: QuotaDefaults = {
  loadBalancer: -1,
  listener: -1,
  pool: -1,
  healthMonitor: -1,
  member: -1,
  l7policy: -1,
  l7rule: -1,
};
const Q = '/v2/lbaas/quotas';
const P1 = 'project-one';
const P2 = 'project-two';
const asMember = (project: string) => ({ 'x-project-id': project });
const FORBIDDEN = 'Policy does not allow this request to be performed.';

/** helpers.ts's harness, with quota defaults and the database file chosen by the test. */
async function quotaHarness(quotas: Partial<QuotaDefaults> = {}, path = ':memory:'): Promise<Harness> {
  const config = controllerConfig(
    { database: { driver: 'sqlite', path }, quotas: { ...UNLIMITED, ...quotas } },
    '',
  );
  const db = await openDatabase(config);
  const network = new LocalNetworkDriver(db, config.network);
  const app = await buildApp({ config, db, network });
  return {
    app,
    db,
    config,
    network,
    async req(method, url, body, headers = {}): Promise<Res> {
      const raw = await app.inject({
        method,
        url,
        headers,
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: raw.statusCode, body: raw.body ? JSON.parse(raw.body) : undefined, raw };
    },
    activate: (lbId) => markGraphActive(db, lbId),
    async close() {
      await app.close();
      await db.destroy();
    },
  };
}

const lbBody = (h: Harness, project: string) => ({
  loadbalancer: { vip_subnet_id: subnetId(h, PUBLIC_SUBNET), project_id: project },
});

t.test('defaults come from the controller config', async (t) => {
  const h = await quotaHarness({ loadBalancer: 5, member: 50 });
  t.teardown(() => h.close());
  const defaults = {
    load_balancer: 5,
    listener: -1,
    pool: -1,
    health_monitor: -1,
    member: 50,
    l7policy: -1,
    l7rule: -1,
  };
  let r = await h.req('GET', `${Q}/defaults`);
  t.equal(r.status, 200);
  t.same(r.body, { quota: defaults });
  r = await h.req('GET', `${Q}/${P1}`);
  t.equal(r.status, 200);
  t.same(r.body, { quota: defaults }, 'a project without explicit quotas has the defaults');
  r = await h.req('GET', `${Q}/${P1}/default`);
  t.same(r.body, { quota: defaults });
  r = await h.req('GET', Q);
  t.same(r.body, { quotas: [], quotas_links: [] }, 'only explicit quotas are listed');
  r = await h.req('GET', `/v2.0/lbaas/quotas/defaults`);
  t.equal(r.status, 200, 'the /v2.0 alias serves quotas too');
});

t.test('set, show, list and reset a quota', async (t) => {
  const h = await quotaHarness({ loadBalancer: 5 });
  t.teardown(() => h.close());
  let r = await h.req('PUT', `${Q}/${P1}`, { quota: { listener: 10, member: -1, pool: 0 } });
  t.equal(r.status, 202);
  t.same(r.body, {
    quota: {
      load_balancer: 5,
      listener: 10,
      pool: 0,
      health_monitor: -1,
      member: -1,
      l7policy: -1,
      l7rule: -1,
    },
  });
  r = await h.req('GET', `${Q}/${P1}`);
  t.equal(r.status, 200);
  t.match(r.body.quota, { load_balancer: 5, listener: 10, pool: 0 });

  // The deprecated spellings are accepted; a later PUT changes only what it names.
  r = await h.req('PUT', `${Q}/${P1}`, { quota: { loadbalancer: 2, healthmonitor: 3 } });
  t.equal(r.status, 202);
  t.match(r.body.quota, { load_balancer: 2, health_monitor: 3, listener: 10, pool: 0 });
  r = await h.req('PUT', `${Q}/${P2}`, { quota: { l7policy: 7, l7rule: 8 } });
  t.equal(r.status, 202);

  r = await h.req('GET', Q);
  t.equal(r.status, 200);
  t.same(r.body, {
    quotas: [
      {
        project_id: P1,
        tenant_id: P1,
        load_balancer: 2,
        loadbalancer: 2,
        listener: 10,
        pool: 0,
        health_monitor: 3,
        healthmonitor: 3,
        member: -1,
        l7policy: null,
        l7rule: null,
      },
      {
        project_id: P2,
        tenant_id: P2,
        load_balancer: null,
        loadbalancer: null,
        listener: null,
        pool: null,
        health_monitor: null,
        healthmonitor: null,
        member: null,
        l7policy: 7,
        l7rule: 8,
      },
    ],
    quotas_links: [],
  });
  r = await h.req('GET', `${Q}?project_id=${P2}`);
  t.same(
    r.body.quotas.map((q: { project_id: string }) => q.project_id),
    [P2],
    '?project_id= filters',
  );

  // null puts one limit back to the default.
  r = await h.req('PUT', `${Q}/${P1}`, { quota: { load_balancer: null } });
  t.equal(r.status, 202);
  t.equal(r.body.quota.load_balancer, 5);
  t.equal(r.body.quota.listener, 10);

  r = await h.req('DELETE', `${Q}/${P1}`);
  t.equal(r.status, 202);
  t.equal(r.raw.body, '', 'reset answers without a body');
  r = await h.req('GET', `${Q}/${P1}`);
  t.same(r.body.quota, {
    load_balancer: 5,
    listener: -1,
    pool: -1,
    health_monitor: -1,
    member: -1,
    l7policy: -1,
    l7rule: -1,
  });
  r = await h.req('GET', Q);
  t.same(
    r.body.quotas.map((q: { project_id: string }) => q.project_id),
    [P2],
  );
  r = await h.req('DELETE', `${Q}/${P1}`);
  t.equal(r.status, 404);
  t.equal(fault(r), `Quotas ${P1} not found.`);
});

t.test('validation', async (t) => {
  const h = await quotaHarness();
  t.teardown(() => h.close());
  const bad: [unknown, string][] = [
    [{ quota: { load_balancer: -2 } }, 'load_balancer'],
    [{ quota: { member: 2_000_000_001 } }, 'member'],
    [{ quota: { pool: 1.5 } }, 'pool'],
    [{ quota: { listener: '5' } }, 'listener'],
    [{ quota: { l7rule: true } }, 'l7rule'],
  ];
  for (const [body, field] of bad) {
    const r = await h.req('PUT', `${Q}/${P1}`, body);
    t.equal(r.status, 400, JSON.stringify(body));
    t.match(fault(r), `Invalid input for field/attribute ${field}.`);
  }
  let r = await h.req('PUT', `${Q}/${P1}`, { quota: { load_balancer: 1, bogus: 1 } });
  t.equal(r.status, 400);
  t.equal(fault(r), 'Unknown attribute for argument quota: bogus');
  r = await h.req('PUT', `${Q}/${P1}`, { quota: {}, extra: 1 });
  t.equal(r.status, 400);
  t.match(fault(r), 'Unknown attribute');
  r = await h.req('PUT', `${Q}/${P1}`, {});
  t.equal(r.status, 400);
  t.match(fault(r), 'Invalid input for field/attribute quota.');
  r = await h.req('PUT', `${Q}/${P1}`, { quota: { load_balancer: -1, member: 2_000_000_000 } });
  t.equal(r.status, 202, 'the bounds themselves are allowed');
  r = await h.req('GET', Q);
  t.equal(r.body.quotas.length, 1, 'refused PUTs left nothing behind');
});

t.test('who may read and change quotas', async (t) => {
  const h = await quotaHarness();
  t.teardown(() => h.close());
  for (const p of [P1, P2]) {
    const r = await h.req('PUT', `${Q}/${p}`, { quota: { load_balancer: 3 } });
    t.equal(r.status, 202, 'the operator (no X-Project-Id) is an admin');
  }
  const member = asMember(P1);
  let r = await h.req('GET', `${Q}/${P1}`, undefined, member);
  t.equal(r.status, 200, 'a member reads its own quota');
  r = await h.req('GET', `${Q}/${P2}`, undefined, member);
  t.equal(r.status, 403);
  t.equal(fault(r), FORBIDDEN);
  r = await h.req('GET', `${Q}/${P2}/default`, undefined, member);
  t.equal(r.status, 403);
  r = await h.req('GET', `${Q}/${P1}/default`, undefined, member);
  t.equal(r.status, 200);
  r = await h.req('GET', `${Q}/defaults`, undefined, member);
  t.equal(r.status, 200);
  r = await h.req('GET', Q, undefined, member);
  t.same(
    r.body.quotas.map((q: { project_id: string }) => q.project_id),
    [P1],
    'a member lists its own',
  );
  r = await h.req('GET', `${Q}?project_id=${P2}`, undefined, member);
  t.equal(r.status, 403);
  r = await h.req('PUT', `${Q}/${P1}`, { quota: { load_balancer: 100 } }, member);
  t.equal(r.status, 403, 'a member cannot raise its own quota');
  t.equal(fault(r), FORBIDDEN);
  r = await h.req('DELETE', `${Q}/${P1}`, undefined, member);
  t.equal(r.status, 403);
  r = await h.req('GET', `${Q}/${P1}`);
  t.equal(r.body.quota.load_balancer, 3, 'refused changes changed nothing');

  const observer = { 'x-project-id': P1, 'x-roles': 'load-balancer_global_observer' };
  r = await h.req('GET', Q, undefined, observer);
  t.equal(r.body.quotas.length, 2, 'a global observer lists every project');
  r = await h.req('PUT', `${Q}/${P2}`, { quota: { pool: 1 } }, observer);
  t.equal(r.status, 403, 'but changes nothing');

  const admin = { 'x-project-id': P1, 'x-roles': 'admin' };
  r = await h.req('GET', Q, undefined, admin);
  t.equal(r.body.quotas.length, 2, 'an admin lists every project');
  r = await h.req('PUT', `${Q}/${P2}`, { quota: { pool: 1 } }, admin);
  t.equal(r.status, 202, 'an admin sets the quota of another project');
  const quotaAdmin = { 'x-project-id': 'ops', 'x-roles': 'load-balancer_quota_admin' };
  r = await h.req('GET', `${Q}/${P2}`, undefined, quotaAdmin);
  t.equal(r.status, 200);
  r = await h.req('DELETE', `${Q}/${P2}`, undefined, quotaAdmin);
  t.equal(r.status, 202, "Octavia's quota admin role resets quotas");
});

t.test('load balancers: the limit, the other project, -1 and deleted objects', async (t) => {
  const h = await quotaHarness({ loadBalancer: 1 });
  t.teardown(() => h.close());
  let r = await h.req('POST', '/v2/lbaas/loadbalancers', lbBody(h, P1), asMember(P1));
  t.equal(r.status, 201, 'the default quota allows one');
  const first = r.body.loadbalancer.id as string;
  r = await h.req('POST', '/v2/lbaas/loadbalancers', lbBody(h, P1), asMember(P1));
  t.equal(r.status, 403);
  t.equal(fault(r), 'Quota has been met for resources: Load Balancer');
  r = await h.req('POST', '/v2/lbaas/loadbalancers', lbBody(h, P2), asMember(P2));
  t.equal(r.status, 201, 'another project has its own count');
  const ports = await h.db.selectFrom('port').select('id').execute();
  t.equal(ports.length, 2, 'a refused create allocated no VIP port');

  // A load balancer being deleted still counts; once the worker marks it DELETED it does not.
  await h.activate(first);
  r = await h.req('DELETE', `/v2/lbaas/loadbalancers/${first}`);
  t.equal(r.status, 204);
  r = await h.req('POST', '/v2/lbaas/loadbalancers', lbBody(h, P1), asMember(P1));
  t.equal(r.status, 403, 'PENDING_DELETE still counts');
  await h.db
    .updateTable('load_balancer')
    .set({ provisioning_status: 'DELETED' })
    .where('id', '=', first)
    .execute();
  r = await h.req('POST', '/v2/lbaas/loadbalancers', lbBody(h, P1), asMember(P1));
  t.equal(r.status, 201, 'DELETED does not count');

  r = await h.req('PUT', `${Q}/${P1}`, { quota: { load_balancer: -1 } });
  for (let i = 0; i < 3; i++) {
    r = await h.req('POST', '/v2/lbaas/loadbalancers', lbBody(h, P1), asMember(P1));
    t.equal(r.status, 201, '-1 is unlimited');
  }
  await h.req('PUT', `${Q}/${P2}`, { quota: { load_balancer: 0 } });
  r = await h.req('POST', '/v2/lbaas/loadbalancers', lbBody(h, P2));
  t.equal(r.status, 403, '0 refuses even the operator creating for the project');
});

t.test('listeners, pools and members', async (t) => {
  const h = await quotaHarness();
  t.teardown(() => h.close());
  await h.req('PUT', `${Q}/${P1}`, { quota: { listener: 1, pool: 1, member: 1 } });
  const lb = await activeLb(h, { project_id: P1 });
  const other = await activeLb(h, { project_id: P2 });

  await activeListener(h, lb.id, { protocol_port: 80 });
  let r = await h.req('POST', '/v2/lbaas/listeners', {
    listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 81 },
  });
  t.equal(r.status, 403);
  t.equal(fault(r), 'Quota has been met for resources: Listener');
  const lbRow = await h.db
    .selectFrom('load_balancer')
    .select('provisioning_status')
    .where('id', '=', lb.id)
    .executeTakeFirstOrThrow();
  t.equal(lbRow.provisioning_status, 'ACTIVE', 'the refusal left the load balancer ACTIVE');
  await activeListener(h, other.id, { protocol_port: 81 });

  const pool = await activePool(h, { loadbalancer_id: lb.id });
  r = await h.req('POST', '/v2/lbaas/pools', {
    pool: { loadbalancer_id: lb.id, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' },
  });
  t.equal(r.status, 403);
  t.equal(fault(r), 'Quota has been met for resources: Pool');

  const members = `/v2/lbaas/pools/${pool.id}/members`;
  const subnet = subnetId(h, PRIVATE_SUBNET);
  r = await h.req('POST', members, {
    member: { address: '172.30.2.10', protocol_port: 80, subnet_id: subnet },
  });
  t.equal(r.status, 201);
  await h.activate(lb.id);
  r = await h.req('POST', members, {
    member: { address: '172.30.2.11', protocol_port: 80, subnet_id: subnet },
  });
  t.equal(r.status, 403);
  t.equal(fault(r), 'Quota has been met for resources: Member');

  r = await h.req('PUT', `${Q}/${P1}`, { quota: { member: 2 } });
  r = await h.req('POST', members, {
    member: { address: '172.30.2.11', protocol_port: 80, subnet_id: subnet },
  });
  t.equal(r.status, 201, 'raising the quota allows the next one');
});

t.test('concurrent creates against a file database: exactly the limit succeed', async (t) => {
  const dir = t.testdir({});
  const h = await quotaHarness({ loadBalancer: 3, listener: 2 }, join(dir, 'velox.db'));
  t.teardown(() => h.close());

  const lbs = await Promise.all(
    Array.from({ length: 12 }, () => h.req('POST', '/v2/lbaas/loadbalancers', lbBody(h, P1), asMember(P1))),
  );
  const statuses = lbs.map((r) => r.status);
  t.equal(statuses.filter((s) => s === 201).length, 3, 'three load balancers created');
  t.equal(statuses.filter((s) => s === 403).length, 9, 'nine refused by the quota');
  const rows = await h.db.selectFrom('load_balancer').select('id').where('project_id', '=', P1).execute();
  t.equal(rows.length, 3);

  // Listeners on different load balancers: the status gate does not serialize them, the quota must.
  await h.req('PUT', `${Q}/${P2}`, { quota: { load_balancer: -1 } });
  const parents = [];
  for (let i = 0; i < 6; i++) parents.push(await activeLb(h, { project_id: P2 }));
  const listeners = await Promise.all(
    parents.map((lb) =>
      h.req('POST', '/v2/lbaas/listeners', {
        listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 80 },
      }),
    ),
  );
  const ls = listeners.map((r) => r.status);
  t.equal(ls.filter((s) => s === 201).length, 2, 'two listeners created');
  t.equal(ls.filter((s) => s === 403).length, 4, 'four refused by the quota');
  const count = await h.db.selectFrom('listener').select('id').where('project_id', '=', P2).execute();
  t.equal(count.length, 2);
});

t.test('the check holds the write lock until its transaction ends', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'velox.db');
  const h = await quotaHarness({}, path);
  t.teardown(() => h.close());
  // Another controller process, as far as SQLite can tell: a second connection to the file.
  const other = new SQLite(path);
  other.pragma('busy_timeout = 0');
  t.teardown(() => other.close());
  const tryWrite = (): string => {
    try {
      other.exec('BEGIN IMMEDIATE');
      other.exec('ROLLBACK');
      return 'acquired';
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    }
  };
  await h.db.transaction().execute(async (trx) => {
    await trx.selectFrom('quota').selectAll().execute();
    t.equal(tryWrite(), 'acquired', 'a plain BEGIN and a read take no write lock');
    await checkQuota(trx, P1, 'load_balancer', UNLIMITED);
    t.equal(tryWrite(), 'SQLITE_BUSY', 'after checkQuota no other connection may write');
  });
  t.equal(tryWrite(), 'acquired', 'the lock ends with the transaction');
});
