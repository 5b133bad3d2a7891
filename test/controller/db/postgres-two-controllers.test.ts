// Two controllers on one PostgreSQL database: each with its own API and connection
// pool, creating load balancers concurrently under a quota, then two worker processes
// draining the job queue. Every job must be processed exactly once, never two jobs of
// one load balancer at a time, and intent rows and their jobs must commit together.
// Needs PostgreSQL: VELOX_TEST_PG_URL, or root and the postgresql package (the test
// starts its own server); without either it fails, saying so.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import t from 'tap';
import { buildApp } from '../../../controller/api/app.js';
import { controllerConfig, type ControllerConfig } from '../../../controller/config.js';
import { openDatabase, type Db } from '../../../controller/db/database.js';
import { changeUnderGate } from '../../../controller/db/status-gate.js';
import { markGraphActive } from '../../../controller/db/worker-repo.js';
import { LocalNetworkDriver } from '../../../controller/drivers/network/local.js';
import type { ClaimRecord } from './postgres-claimer.js';
import { createTestDatabase, postgresServer } from './postgres-test-db.js';

const server = postgresServer();
t.teardown(() => server.stop());

const QUOTED = 'project-quoted';
const FREE = 'project-free';
const LB_QUOTA = 12;

interface Controller {
  db: Db;
  config: ControllerConfig;
  /** The first tenant subnet, for VIPs. */
  subnetId: string;
  post(url: string, body: unknown, project: string): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
  close(): Promise<void>;
}

/** One controller's API over its own pool (as a separate process would have). */
async function controller(url: string): Promise<Controller> {
  const config = controllerConfig(
    { database: { driver: 'postgres', url }, quotas: { loadBalancer: -1 } },
    '',
  );
  const db = await openDatabase(config);
  const network = new LocalNetworkDriver(db, config.network);
  const app = await buildApp({ config, db, network });
  return {
    db,
    config,
    subnetId: network.findSubnet(config.network.tenant[0]!.subnetName)!.id,
    async post(path, body, project) {
      const r = await app.inject({
        method: 'POST',
        url: path,
        payload: body as object,
        headers: { 'x-project-id': project },
      });
      return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined };
    },
    async close() {
      await app.close();
      await db.destroy();
    },
  };
}

interface Claimer {
  /** Resolves once the claimer is connected and waiting for go(). */
  ready: Promise<void>;
  go(): void;
  result: Promise<{ owner: string; claims: ClaimRecord[] }>;
}

function startClaimer(url: string, owner: string): Claimer {
  const fixture = resolve(import.meta.dirname, 'postgres-claimer.ts');
  const child = spawn(process.execPath, [...process.execArgv, fixture, url, owner], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((r) => (markReady = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.on('error', () => {}); // a claimer gone early: its exit code tells why
  const result = new Promise<{ owner: string; claims: ClaimRecord[] }>((done, fail) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      markReady(); // a claimer that died before "ready" must not hang the test
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) fail(new Error(`claimer ${owner} exited ${code}: ${err}`));
      else done(JSON.parse(last) as { owner: string; claims: ClaimRecord[] });
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), result };
}

t.test('two controllers: concurrent creates, quota, and every job processed exactly once', async (t) => {
  const database = await createTestDatabase(server.adminUrl);
  t.teardown(() => database.drop());
  const a = await controller(database.url);
  t.teardown(() => a.close());
  const b = await controller(database.url);
  t.teardown(() => b.close());
  const subnet = a.subnetId;

  // The quotaed project gets an explicit limit (one controller writes it, both read it).
  const q = await a.db
    .insertInto('quota')
    .values({
      project_id: QUOTED,
      load_balancer: LB_QUOTA,
      listener: null,
      pool: null,
      health_monitor: null,
      member: null,
      l7policy: null,
      l7rule: null,
    })
    .executeTakeFirst();
  t.equal(Number(q.numInsertedOrUpdatedRows), 1);

  const creates = Array.from({ length: 40 }, (_, i) => {
    const c = i % 2 ? a : b;
    const project = i % 4 < 2 ? QUOTED : FREE;
    return c.post(
      '/v2/lbaas/loadbalancers',
      { loadbalancer: { vip_subnet_id: subnet, project_id: project, name: `lb-${i}` } },
      project,
    );
  });
  const results = await Promise.all(creates);
  const byStatus = (project: string, status: number) =>
    results.filter((r, i) => (i % 4 < 2 ? QUOTED : FREE) === project && r.status === status).length;
  t.equal(
    byStatus(QUOTED, 201),
    LB_QUOTA,
    `exactly the quota (${LB_QUOTA}) of 20 concurrent creates succeed`,
  );
  t.equal(byStatus(QUOTED, 403), 20 - LB_QUOTA, 'the others are refused with 403');
  t.equal(byStatus(FREE, 201), 20, 'an unlimited project gets all 20');
  const unexpected = results.filter((r) => r.status !== 201 && r.status !== 403);
  t.same(unexpected, [], 'no other answers (no 500 from a lost race)');

  const lbs = await a.db.selectFrom('load_balancer').select(['id', 'project_id', 'vip_address']).execute();
  t.equal(lbs.filter((l) => l.project_id === QUOTED).length, LB_QUOTA, 'quota holds in the table');
  t.equal(new Set(lbs.map((l) => l.vip_address)).size, lbs.length, 'every VIP address is distinct');

  // Intent and work item together: one create_lb job per load balancer row, and no other.
  const jobs = await a.db.selectFrom('job').select(['id', 'kind', 'load_balancer_id']).execute();
  t.same(
    jobs.map((j) => j.load_balancer_id).sort(),
    lbs.map((l) => l.id).sort(),
    'each load balancer has exactly one job and each job its load balancer',
  );
  t.ok(
    jobs.every((j) => j.kind === 'create_lb'),
    'all of them create_lb',
  );

  // More work for some load balancers, so that claimers compete within one load balancer.
  for (const lb of lbs.slice(0, 10)) {
    for (let k = 0; k < 2; k++) {
      await b.db
        .insertInto('job')
        .values({ kind: 'sync_lb', load_balancer_id: lb.id, state: 'pending', attempts: 0, created_at: 'x' })
        .execute();
    }
  }
  const total = lbs.length + 20;

  // Both claimers start on the same signal, once both are connected.
  const first = startClaimer(database.url, 'controller-1');
  const second = startClaimer(database.url, 'controller-2');
  await Promise.all([first.ready, second.ready]);
  first.go();
  second.go();
  const [one, two] = await Promise.all([first.result, second.result]);
  const claims = [...one.claims, ...two.claims];
  t.ok(
    one.claims.length > 0 && two.claims.length > 0,
    `both controllers worked (${one.claims.length} + ${two.claims.length})`,
  );
  t.equal(claims.length, total, `${total} claims in all`);
  t.equal(new Set(claims.map((c) => c.id)).size, total, 'no job claimed twice');

  const overlapping: string[] = [];
  for (const x of claims) {
    for (const y of claims) {
      if (x.id < y.id && x.lb === y.lb && x.from < y.to && y.from < x.to) overlapping.push(`${x.id}/${y.id}`);
    }
  }
  t.same(overlapping, [], 'never two jobs of one load balancer at the same time');

  const settled = await a.db.selectFrom('job').select(['state', 'attempts', 'lease_owner']).execute();
  t.equal(settled.length, total);
  t.ok(
    settled.every((j) => j.state === 'done' && j.attempts === 1),
    'every job done after exactly one attempt',
  );
  t.same(
    [...new Set(settled.map((j) => j.lease_owner))].sort(),
    ['controller-1', 'controller-2'],
    'owners recorded',
  );
});

t.test('intent and job commit together, or neither does', async (t) => {
  const database = await createTestDatabase(server.adminUrl);
  t.teardown(() => database.drop());
  const c = await controller(database.url);
  t.teardown(() => c.close());
  const subnet = c.subnetId;
  const created = await c.post(
    '/v2/lbaas/loadbalancers',
    { loadbalancer: { vip_subnet_id: subnet, name: 'before' } },
    FREE,
  );
  t.equal(created.status, 201);
  const lbId: string = created.body.loadbalancer.id;
  await markGraphActive(c.db, lbId);
  const jobCount = async () => (await c.db.selectFrom('job').select('id').execute()).length;
  t.equal(await jobCount(), 1);

  // The controller dies in the middle of the transaction: its connection is cut after
  // the status gate and the intent were written, before the job and the commit.
  const crashed = changeUnderGate(
    c.db,
    { loadBalancerId: lbId, lbStatus: 'PENDING_UPDATE', refusal: 'loadbalancer', job: 'sync_lb' },
    async (trx) => {
      await trx.updateTable('load_balancer').set({ name: 'after' }).where('id', '=', lbId).execute();
      await trx
        .selectNoFrom((eb) => eb.fn('pg_terminate_backend', [eb.fn('pg_backend_pid')]).as('x'))
        .execute();
    },
  );
  await t.rejects(crashed, 'the transaction fails with its connection');
  const lb = await c.db
    .selectFrom('load_balancer')
    .select(['name', 'provisioning_status'])
    .where('id', '=', lbId)
    .executeTakeFirstOrThrow();
  t.same(lb, { name: 'before', provisioning_status: 'ACTIVE' }, 'no intent left behind');
  t.equal(await jobCount(), 1, 'no job left behind');

  // A refused write through the API (a listener on a taken port): the gate's PENDING_UPDATE
  // and the job are rolled back with it.
  const listener = { loadbalancer_id: lbId, protocol: 'TCP', protocol_port: 80 };
  t.equal((await c.post('/v2/lbaas/listeners', { listener }, FREE)).status, 201);
  t.equal(await jobCount(), 2, 'the listener create enqueued its job');
  await markGraphActive(c.db, lbId);
  const dup = await c.post('/v2/lbaas/listeners', { listener }, FREE);
  t.equal(dup.status, 409, 'the duplicate port is refused');
  const after = await c.db
    .selectFrom('load_balancer')
    .select('provisioning_status')
    .where('id', '=', lbId)
    .executeTakeFirstOrThrow();
  t.equal(after.provisioning_status, 'ACTIVE', 'the load balancer is not left PENDING_UPDATE');
  t.equal(await jobCount(), 2, 'and no job was enqueued for the refused change');

  // The connection pool survives the cut connection: the next request works.
  const next = await c.post('/v2/lbaas/listeners', { listener: { ...listener, protocol_port: 81 } }, FREE);
  t.equal(next.status, 201);
});
