// The Health service over real mTLS against the real database layer, and the stale checker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { createAmphora, getAmphora, updateAmphora } from '../../../controller/db/amphora-repo.js';
import { now, openDatabase, type Db } from '../../../controller/db/database.js';
import { CertificateAuthority, type IssuedCert } from '../../../controller/drivers/certs/ca.js';
import { HealthServer } from '../../../controller/health/server.js';
import { StaleChecker } from '../../../controller/health/stale-checker.js';
import { healthProto } from '../../../controller/worker/protos.js';
import type { HeartbeatRequest } from '../../../src/grpc/gen/velox/health/v1/HeartbeatRequest.js';

const dir = mkdtempSync(join(tmpdir(), 'velox-health-'));
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

async function seed(db: Db): Promise<void> {
  await db
    .insertInto('load_balancer')
    .values({
      ...row('lb1'),
      vip_address: '172.29.1.100',
      vip_port_id: 'vp',
      vip_subnet_id: 's',
      vip_network_id: 'n',
      provider: 'amphora',
      topology: 'SINGLE',
      flavor_id: null,
      availability_zone: null,
    })
    .execute();
  await db
    .insertInto('pool')
    .values({
      ...row('p1'),
      load_balancer_id: 'lb1',
      protocol: 'TCP',
      lb_algorithm: 'ROUND_ROBIN',
      session_persistence: null,
    })
    .execute();
  await db
    .insertInto('listener')
    .values({
      ...row('l1'),
      load_balancer_id: 'lb1',
      protocol: 'TCP',
      protocol_port: 80,
      connection_limit: -1,
      default_pool_id: 'p1',
      timeout_client_data: 50000,
      timeout_member_connect: 5000,
      timeout_member_data: 50000,
      timeout_tcp_inspect: 0,
      allowed_cidrs: '[]',
    })
    .execute();
  for (const [id, address] of [
    ['m1', '172.29.2.20'],
    ['m2', '172.29.2.21'],
  ] as const) {
    await db
      .insertInto('member')
      .values({
        ...row(id),
        pool_id: 'p1',
        address,
        protocol_port: 8080,
        subnet_id: null,
        weight: 1,
        backup: 0,
        monitor_address: null,
        monitor_port: null,
      })
      .execute();
  }
  await createAmphora(db, {
    id: 'amp-1',
    status: 'ALLOCATED',
    role: 'STANDALONE',
    load_balancer_id: 'lb1',
    desired_version: 3,
  });
}

function send(
  port: number,
  ca: CertificateAuthority,
  cert: IssuedCert,
  hb: HeartbeatRequest,
): Promise<string> {
  const Health = healthProto().velox.health.v1.Health;
  const c = new Health(
    `127.0.0.1:${port}`,
    grpc.credentials.createSsl(Buffer.from(ca.certPem), Buffer.from(cert.keyPem), Buffer.from(cert.certPem)),
  );
  return new Promise((resolve, reject) =>
    c.Heartbeat(hb, { deadline: Date.now() + 5000 }, (err, res) => {
      c.close();
      if (err) reject(err);
      else resolve(res!.desired_version);
    }),
  );
}

async function statuses(db: Db) {
  const one = async (table: 'load_balancer' | 'listener' | 'pool' | 'member', id: string) =>
    (await db.selectFrom(table).select('operating_status').where('id', '=', id).executeTakeFirstOrThrow())
      .operating_status;
  return {
    lb: await one('load_balancer', 'lb1'),
    l1: await one('listener', 'l1'),
    p1: await one('pool', 'p1'),
    m1: await one('member', 'm1'),
    m2: await one('member', 'm2'),
  };
}

t.test('heartbeats over mTLS set operating statuses and return the desired version', async (t) => {
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
  const ampCert = await ca.issueAmphoraCert('amp-1', '127.0.0.1');

  const healthy = {
    amphora_id: 'amp-1',
    applied_version: 3,
    sequence: 1,
    listeners: [{ id: 'l1', operating_status: 'ONLINE' }],
    pools: [{ id: 'p1', operating_status: 'ONLINE' }],
    members: [
      { id: 'm1', operating_status: 'ONLINE' },
      { id: 'm2', operating_status: 'ONLINE' },
    ],
  };
  t.equal(await send(port, ca, ampCert, healthy), '3');
  t.same(await statuses(db), { lb: 'ONLINE', l1: 'ONLINE', p1: 'ONLINE', m1: 'ONLINE', m2: 'ONLINE' });
  const amp = await getAmphora(db, 'amp-1');
  t.equal(amp!.applied_version, 3);
  t.ok(amp!.last_heartbeat_at);

  // A member down degrades its pool and the load balancer.
  await send(port, ca, ampCert, {
    ...healthy,
    members: [
      { id: 'm1', operating_status: 'ONLINE' },
      { id: 'm2', operating_status: 'ERROR' },
    ],
  });
  t.same(await statuses(db), { lb: 'DEGRADED', l1: 'ONLINE', p1: 'DEGRADED', m1: 'ONLINE', m2: 'ERROR' });

  // An enabled listener the amphora does not report is in ERROR; an unreported pool OFFLINE.
  await send(port, ca, ampCert, { ...healthy, listeners: [], pools: [] });
  t.match(await statuses(db), { l1: 'ERROR', p1: 'OFFLINE' });

  // Another amphora's certificate cannot report for amp-1.
  const other = await ca.issueAmphoraCert('amp-2', '127.0.0.1');
  await t.rejects(send(port, ca, other, healthy), { code: grpc.status.PERMISSION_DENIED });
  // A certificate from another CA does not get through the handshake.
  const foreign = await (
    await CertificateAuthority.loadOrCreate(join(dir, 'other'))
  ).issueAmphoraCert('amp-1', '127.0.0.1');
  await t.rejects(send(port, ca, foreign, healthy), { code: grpc.status.UNAVAILABLE });
  // An unknown amphora is refused.
  const ghost = await ca.issueAmphoraCert('amp-9', '127.0.0.1');
  await t.rejects(send(port, ca, ghost, { ...healthy, amphora_id: 'amp-9' }), {
    code: grpc.status.NOT_FOUND,
  });
});

t.test('a silent amphora puts its load balancer in ERROR and its objects OFFLINE', async (t) => {
  const db = await openDatabase({ database: { driver: 'sqlite', path: ':memory:' } });
  t.teardown(() => db.destroy());
  await seed(db);
  await db.updateTable('listener').set({ operating_status: 'ONLINE' }).execute();
  await db.updateTable('load_balancer').set({ operating_status: 'ONLINE' }).execute();
  const checker = new StaleChecker(db, 10_000, { error: (m) => t.comment(m) });

  await updateAmphora(db, 'amp-1', { last_heartbeat_at: new Date().toISOString() });
  t.same(await checker.check(), [], 'fresh heartbeat: not stale');
  t.equal((await statuses(db)).lb, 'ONLINE');

  await updateAmphora(db, 'amp-1', { last_heartbeat_at: new Date(Date.now() - 60_000).toISOString() });
  t.same(await checker.check(), ['amp-1']);
  t.same(await statuses(db), { lb: 'ERROR', l1: 'OFFLINE', p1: 'OFFLINE', m1: 'OFFLINE', m2: 'OFFLINE' });
});
