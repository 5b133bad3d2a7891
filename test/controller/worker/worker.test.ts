// The worker loop against the real database layer: jobs left running by a crashed
// controller are resumed, and a create that cannot reach its agent puts the load
// balancer in ERROR and reverts the amphora (namespace, ports, row).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { listAmphorae } from '../../../controller/db/amphora-repo.js';
import { now, openDatabase, type Db } from '../../../controller/db/database.js';
import { getJob } from '../../../controller/db/worker-repo.js';
import { CertificateAuthority } from '../../../controller/drivers/certs/ca.js';
import { NetnsCompute } from '../../../controller/drivers/compute/netns.js';
import { LocalNetworkDriver } from '../../../controller/drivers/network/local.js';
import { NetworkFabric } from '../../../controller/drivers/network/fabric.js';
import { localSecrets } from '../../../controller/drivers/secrets/local.js';
import type { WorkerDeps } from '../../../controller/worker/flow-context.js';
import { Worker } from '../../../controller/worker/worker.js';
import { leftovers, requireRoot, testConfig } from '../drivers/test-config.js';

const cfg = testConfig();
cfg.worker.provisionTimeoutMs = 1500;
const quiet = { info: () => undefined, error: () => undefined };
t.teardown(() => rmSync(cfg.stateDir, { recursive: true, force: true }));

async function setup(t: { teardown(fn: () => unknown): void }, compute: NetnsCompute) {
  const db = await openDatabase(cfg);
  t.teardown(() => db.destroy());
  const network = new LocalNetworkDriver(db, cfg.network);
  const ca = await CertificateAuthority.loadOrCreate(join(cfg.stateDir, 'ca'));
  const own = await ca.issueControllerCert(['127.0.0.1']);
  const deps: WorkerDeps = {
    config: cfg,
    db,
    network,
    compute,
    ca,
    controllerTls: { caPem: ca.certPem, certPem: own.certPem, keyPem: own.keyPem },
    secrets: localSecrets(db, cfg),
    log: quiet,
  };
  return { db, network, deps };
}

async function insertLb(
  db: Db,
  network: LocalNetworkDriver,
  id: string,
  status: 'PENDING_CREATE' | 'PENDING_DELETE',
) {
  const subnet = network.findSubnet('vxw-public-subnet')!;
  const vip = await network.allocatePort({
    subnetId: subnet.id,
    name: `octavia-lb-${id}`,
    deviceOwner: 'Octavia',
    deviceId: id,
    projectId: 'p',
  });
  await db
    .insertInto('load_balancer')
    .values({
      id,
      project_id: 'p',
      name: id,
      description: '',
      provisioning_status: status,
      operating_status: 'OFFLINE',
      enabled: 1,
      tags: '[]',
      created_at: now(),
      updated_at: null,
      vip_address: vip.ip_address,
      vip_port_id: vip.id,
      vip_subnet_id: subnet.id,
      vip_network_id: subnet.network_id,
      provider: 'amphora',
      topology: 'SINGLE',
      flavor_id: null,
      availability_zone: null,
    })
    .execute();
}

t.test('a job left running by a crashed controller is resumed', async (t) => {
  const compute = new NetnsCompute({ prefix: 'vxw', stateDir: cfg.stateDir, agentCommand: ['/bin/false'] });
  const { db, network, deps } = await setup(t, compute);
  await insertLb(db, network, 'lb-crash', 'PENDING_DELETE');
  const worker = new Worker(deps);
  // The previous run of this controller claimed it (long lease) and died.
  const { id } = await db
    .insertInto('job')
    .values({
      kind: 'delete_lb',
      load_balancer_id: 'lb-crash',
      state: 'running',
      attempts: 1,
      lease_owner: worker.owner,
      lease_until: new Date(Date.now() + 3_600_000).toISOString(),
      created_at: now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  t.equal(await worker.runOnce(), false, 'still leased: not claimable');
  t.equal(await worker.releaseOwnJobs(), 1);
  t.equal(await worker.runOnce(), true);
  t.equal((await getJob(db, id))?.state, 'done');
  t.equal((await db.selectFrom('load_balancer').selectAll().execute()).length, 0, 'load balancer deleted');
  t.same(await db.selectFrom('port').selectAll().execute(), [], 'VIP port released');
});

t.test('a create whose agent never answers ends in ERROR with nothing left behind', async (t) => {
  requireRoot();
  const fabric = new NetworkFabric(cfg.network);
  const compute = new NetnsCompute({ prefix: 'vxw', stateDir: cfg.stateDir, agentCommand: ['/bin/false'] });
  t.teardown(async () => {
    await compute.cleanupAll();
    await fabric.teardown();
  });
  await fabric.ensure();
  const { db, network, deps } = await setup(t, compute);
  await insertLb(db, network, 'lb-broken', 'PENDING_CREATE');
  await db
    .insertInto('job')
    .values({
      kind: 'create_lb',
      load_balancer_id: 'lb-broken',
      state: 'pending',
      attempts: 0,
      created_at: now(),
    })
    .execute();
  const worker = new Worker(deps);
  worker.start();
  for (let i = 0; i < 100; i++) {
    const job = await db.selectFrom('job').selectAll().executeTakeFirstOrThrow();
    if (job.state === 'failed') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await worker.stop();
  const job = await db.selectFrom('job').selectAll().executeTakeFirstOrThrow();
  t.equal(job.state, 'failed');
  t.match(job.error, /wait-for-agent.*did not answer/);
  const lb = await db.selectFrom('load_balancer').selectAll().executeTakeFirstOrThrow();
  t.equal(lb.provisioning_status, 'ERROR');
  t.same(await listAmphorae(db), [], 'amphora row reverted');
  t.same(
    (await db.selectFrom('port').selectAll().execute()).map((p) => p.device_id),
    ['lb-broken'],
    'only the VIP port is left (deleting the load balancer releases it)',
  );
  t.same(leftovers().netns, [], 'namespace reverted');
});
