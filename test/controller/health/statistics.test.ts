// Heartbeats -> listener_statistics: over real mTLS into the real database layer,
// then the rules that keep the totals monotonic when an agent's counters restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { createAmphora } from '../../../controller/db/amphora-repo.js';
import { now, openDatabase, type Db } from '../../../controller/db/database.js';
import { listenerStatistics } from '../../../controller/db/statistics-repo.js';
import { CertificateAuthority, type IssuedCert } from '../../../controller/drivers/certs/ca.js';
import { advanceCounters, type Counters } from '../../../controller/health/listener-counters.js';
import { HealthServer } from '../../../controller/health/server.js';
import { healthProto } from '../../../controller/worker/protos.js';
import { Agent } from '../../../src/agent/agent.js';
import { silentLogger } from '../../../src/agent/log.js';
import { readAmphoraConfig } from '../../../src/config/proto-json.js';
import type { HeartbeatRequest } from '../../../src/grpc/gen/velox/health/v1/HeartbeatRequest.js';
import { heartbeatRequest } from '../../../src/health/heartbeat.js';
import { RecordingDataplane, sampleConfig } from '../../agent/fake-dataplane.js';

const dir = mkdtempSync(join(tmpdir(), 'velox-stats-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const row = (id: string) => ({
  id,
  project_id: 'p',
  name: id,
  description: '',
  provisioning_status: 'ACTIVE' as const,
  operating_status: 'OFFLINE' as const,
  enabled: 1,
  tags: '[]',
  created_at: now(),
  updated_at: null,
});

const listenerRow = (id: string, lbId: string, port: number) => ({
  ...row(id),
  load_balancer_id: lbId,
  protocol: 'TCP',
  protocol_port: port,
  connection_limit: -1,
  default_pool_id: null,
  timeout_client_data: 50000,
  timeout_member_connect: 5000,
  timeout_member_data: 50000,
  timeout_tcp_inspect: 0,
  allowed_cidrs: '[]',
});

/** lb1 with listeners l1 and l2 served by amp-1; lb2 with l3 (another load balancer). */
async function seed(db: Db): Promise<void> {
  for (const id of ['lb1', 'lb2']) {
    await db
      .insertInto('load_balancer')
      .values({
        ...row(id),
        vip_address: '172.29.1.100',
        vip_port_id: `vp-${id}`,
        vip_subnet_id: 's',
        vip_network_id: 'n',
        provider: 'amphora',
        topology: 'SINGLE',
        flavor_id: null,
        availability_zone: null,
      })
      .execute();
  }
  await db
    .insertInto('listener')
    .values([listenerRow('l1', 'lb1', 80), listenerRow('l2', 'lb1', 81), listenerRow('l3', 'lb2', 80)])
    .execute();
  await createAmphora(db, { id: 'amp-1', status: 'ALLOCATED', role: 'STANDALONE', load_balancer_id: 'lb1' });
}

type Report = Partial<Counters>;

function listener(id: string, c: Report) {
  return {
    id,
    operating_status: 'ONLINE',
    bytes_in: c.bytes_in ?? 0,
    bytes_out: c.bytes_out ?? 0,
    total_connections: c.total_connections ?? 0,
    active_connections: c.active_connections ?? 0,
    request_errors: c.request_errors ?? 0,
  };
}

function send(port: number, ca: CertificateAuthority, cert: IssuedCert, hb: HeartbeatRequest): Promise<void> {
  const Health = healthProto().velox.health.v1.Health;
  const c = new Health(
    `127.0.0.1:${port}`,
    grpc.credentials.createSsl(Buffer.from(ca.certPem), Buffer.from(cert.keyPem), Buffer.from(cert.certPem)),
  );
  return new Promise((resolve, reject) =>
    c.Heartbeat(hb, { deadline: Date.now() + 5000 }, (err) => {
      c.close();
      if (err) reject(err);
      else resolve();
    }),
  );
}

t.test('heartbeats over mTLS write each listener’s counters, monotonic across restarts', async (t) => {
  const db = await openDatabase({ database: { driver: 'sqlite', path: ':memory:' } });
  t.teardown(() => db.destroy());
  await seed(db);
  const ca = await CertificateAuthority.loadOrCreate(join(dir, 'ca'));
  const server = new HealthServer({
    db,
    listen: '127.0.0.1:0',
    tls: { caPem: ca.certPem, ...(await ca.issueControllerCert(['127.0.0.1'])) },
    log: { error: (m) => t.comment(m) },
  });
  const port = await server.start();
  t.teardown(() => server.stop());
  const cert = await ca.issueAmphoraCert('amp-1', '127.0.0.1');
  let sequence = 0;
  const beat = (listeners: ReturnType<typeof listener>[]) =>
    send(port, ca, cert, { amphora_id: 'amp-1', applied_version: 1, sequence: ++sequence, listeners });
  const stats = async (id: string) => (await listenerStatistics(db, [id])).get(id);

  await beat([
    listener('l1', {
      bytes_in: 1000,
      bytes_out: 4000,
      total_connections: 10,
      active_connections: 3,
      request_errors: 1,
    }),
    // Not a listener of amp-1's load balancer, and not a listener at all: ignored.
    listener('l3', { bytes_in: 99 }),
    listener('ghost', { bytes_in: 99 }),
  ]);
  t.same(await stats('l1'), {
    bytes_in: 1000,
    bytes_out: 4000,
    active_connections: 3,
    total_connections: 10,
    request_errors: 1,
  });
  t.same(await stats('l3'), {
    bytes_in: 0,
    bytes_out: 0,
    active_connections: 0,
    total_connections: 0,
    request_errors: 0,
  });
  t.equal(
    (await db.selectFrom('listener_statistics').selectAll().execute()).length,
    1,
    'one row: listener l1 from amp-1',
  );

  // Cumulative counters replace the stored ones; they are not added up.
  await beat([
    listener('l1', {
      bytes_in: 1500,
      bytes_out: 6000,
      total_connections: 12,
      active_connections: 1,
      request_errors: 1,
    }),
    listener('l2', { bytes_in: 10, total_connections: 1 }),
  ]);
  t.same(await stats('l1'), {
    bytes_in: 1500,
    bytes_out: 6000,
    active_connections: 1,
    total_connections: 12,
    request_errors: 1,
  });
  t.match(await stats('l2'), { bytes_in: 10, total_connections: 1 });

  // The agent restarted: its counters start again from zero, the totals keep growing.
  sequence = 0;
  await beat([
    listener('l1', { bytes_in: 200, bytes_out: 800, total_connections: 2, active_connections: 2 }),
  ]);
  t.same(await stats('l1'), {
    bytes_in: 1700,
    bytes_out: 6800,
    active_connections: 2,
    total_connections: 14,
    request_errors: 1,
  });
  await beat([listener('l1', { bytes_in: 300, bytes_out: 900, total_connections: 3, request_errors: 2 })]);
  t.same(
    await stats('l1'),
    { bytes_in: 1800, bytes_out: 6900, active_connections: 0, total_connections: 15, request_errors: 3 },
    'after a restart, later reports add to the totals from before it',
  );
  t.match(await stats('l2'), { bytes_in: 10 }, 'a listener not in a heartbeat keeps its counters');

  // A deleted listener's rows go with it.
  await db.deleteFrom('listener').where('id', '=', 'l2').execute();
  t.equal(
    (await db.selectFrom('listener_statistics').selectAll().where('listener_id', '=', 'l2').execute()).length,
    0,
  );
});

t.test("an agent's heartbeat fills Octavia's stats fields from the fast path counters", async (t) => {
  const db = await openDatabase({ database: { driver: 'sqlite', path: ':memory:' } });
  t.teardown(() => db.destroy());
  await seed(db);
  const ca = await CertificateAuthority.loadOrCreate(join(dir, 'ca'));
  const server = new HealthServer({
    db,
    listen: '127.0.0.1:0',
    tls: { caPem: ca.certPem, ...(await ca.issueControllerCert(['127.0.0.1'])) },
    log: { error: (m) => t.comment(m) },
  });
  const port = await server.start();
  t.teardown(() => server.stop());
  const agent = new Agent(new RecordingDataplane(), silentLogger, 'amp-1');
  await agent.apply(readAmphoraConfig(sampleConfig(1)));
  const hb = await heartbeatRequest(agent, 'amp-1', 1n);
  await send(port, ca, await ca.issueAmphoraCert('amp-1', '127.0.0.1'), hb);
  // The recording data plane reports 300 bytes in, 200 out, 1 flow, 4 open, drops CIDR 5 + NO_FLOW 1.
  t.same((await listenerStatistics(db, ['l1'])).get('l1'), {
    bytes_in: 300,
    bytes_out: 200,
    active_connections: 4,
    total_connections: 1,
    request_errors: 6,
  });
});

t.test('advanceCounters: restart detection and the gauge', async (t) => {
  const c = (bytes_in: number, bytes_out: number, total: number, active = 0, errors = 0): Counters => ({
    bytes_in,
    bytes_out,
    active_connections: active,
    total_connections: total,
    request_errors: errors,
  });
  const first = advanceCounters(undefined, c(100, 200, 5, 4, 1));
  t.same(first, {
    bytes_in: 100,
    bytes_out: 200,
    active_connections: 4,
    total_connections: 5,
    request_errors: 1,
    bytes_in_offset: 0,
    bytes_out_offset: 0,
    total_connections_offset: 0,
    request_errors_offset: 0,
  });
  const same = advanceCounters(first, c(100, 200, 5, 0, 1));
  t.match(same, { bytes_in: 100, active_connections: 0, bytes_in_offset: 0 }, 'no traffic: no change');
  // Only one counter went down, yet all restarted together: every offset moves.
  const restarted = advanceCounters(same, c(150, 10, 5, 1, 0));
  t.same(restarted, {
    bytes_in: 250,
    bytes_out: 210,
    active_connections: 1,
    total_connections: 10,
    request_errors: 1,
    bytes_in_offset: 100,
    bytes_out_offset: 200,
    total_connections_offset: 5,
    request_errors_offset: 1,
  });
  const again = advanceCounters(restarted, c(160, 20, 6));
  t.match(again, { bytes_in: 260, bytes_out: 220, total_connections: 11, bytes_in_offset: 100 });
  const twice = advanceCounters(again, c(1, 1, 1));
  t.match(twice, { bytes_in: 261, bytes_out: 221, total_connections: 12, request_errors: 1 });
});
