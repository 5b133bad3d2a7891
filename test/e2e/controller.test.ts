// End to end: the whole controller in process (REST API, worker, local drivers, health),
// real amphora namespaces with the real agent and XDP program, real member and client
// namespaces. Driven through the REST API, then through the real `openstack` CLI.
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startController } from '../../controller/main.js';
import {
  addHost,
  delHost,
  HTTP_CLIENT,
  HTTP_MEMBER,
  nodeIn,
  ready,
  startIn,
} from '../../scripts/lib/hosts.js';
import { localCloud } from '../../scripts/lib/local-cloud.js';
import { Octavia } from '../../scripts/lib/octavia.js';
import { loadbalancerCli } from './openstack-cli.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const agentJs = join(root, 'dist/src/main.js');
const PORT = 19876;

if (process.getuid?.() !== 0) throw new Error('end-to-end tests need root (network namespaces, XDP)');
if (!existsSync(agentJs)) throw new Error(`the agent is not built (${agentJs}): run make build`);
if (!existsSync('/usr/bin/openstack'))
  throw new Error(
    'the openstack CLI is missing: apt-get install python3-openstackclient python3-octaviaclient',
  );

const state = mkdtempSync(join(tmpdir(), 'velox-e2e-'));
const { config, net, bridges } = localCloud('vxe', 26, PORT, 5558, state);
config.health.heartbeatIntervalMs = 500;

const hosts = ['vxem1', 'vxem2', 'vxec'];
const controller = await startController(config);
const servers: ReturnType<typeof startIn>[] = [];
t.teardown(async () => {
  for (const s of servers) s.kill('SIGKILL');
  for (const h of hosts) delHost(h);
  await controller.close();
  rmSync(state, { recursive: true, force: true });
});

for (const [i, name] of ['vxem1', 'vxem2'].entries()) {
  addHost(name, bridges.private, `${net(2)}.${101 + i}/24`, `${net(2)}.1`);
  const s = startIn(name, HTTP_MEMBER, [name, '8080']);
  servers.push(s);
  await ready(s);
}
addHost('vxec', bridges.public, `${net(1)}.200/24`, `${net(1)}.1`);

const api = new Octavia(`http://127.0.0.1:${PORT}`);

async function traffic(vip: string, n: number): Promise<{ counts: Record<string, number>; failed: number }> {
  return JSON.parse(await nodeIn('vxec', HTTP_CLIENT, [vip, '80', String(n)]));
}

t.test('REST API: create the chain, traffic flows through the VIP, delete cleans up', async (t) => {
  const lb = (
    await api.ok('POST', '/v2/lbaas/loadbalancers', {
      loadbalancer: { name: 'e2e-rest', vip_subnet_id: await api.subnetId('public-subnet') },
    })
  ).loadbalancer;
  t.equal(lb.provisioning_status, 'PENDING_CREATE');
  await api.waitLb(lb.id);
  const listener = (
    await api.ok('POST', '/v2/lbaas/listeners', {
      listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 80 },
    })
  ).listener;
  await api.waitLb(lb.id);
  const pool = (
    await api.ok('POST', '/v2/lbaas/pools', {
      pool: { listener_id: listener.id, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' },
    })
  ).pool;
  await api.waitLb(lb.id);
  for (const i of [0, 1]) {
    await api.ok('POST', `/v2/lbaas/pools/${pool.id}/members`, {
      member: { address: `${net(2)}.${101 + i}`, protocol_port: 8080 },
    });
    await api.waitLb(lb.id);
  }
  const r = await traffic(lb.vip_address, 60);
  t.equal(r.failed, 0, `every request answered: ${JSON.stringify(r)}`);
  t.ok(
    (r.counts.vxem1 ?? 0) > 0 && (r.counts.vxem2 ?? 0) > 0,
    `both members served: ${JSON.stringify(r.counts)}`,
  );

  // heartbeats bring operating status back
  let status = '';
  for (let i = 0; i < 50 && status !== 'ONLINE'; i++) {
    status = (await api.ok('GET', `/v2/lbaas/loadbalancers/${lb.id}`)).loadbalancer.operating_status;
    if (status !== 'ONLINE') await new Promise((res) => setTimeout(res, 200));
  }
  t.equal(status, 'ONLINE', 'heartbeats set the operating status');

  await api.ok('DELETE', `/v2/lbaas/loadbalancers/${lb.id}?cascade=true`);
  await api.waitLb(lb.id, { gone: true });
  const { stdout } = await run('ip', ['netns', 'list']);
  t.notMatch(stdout, /vxea-/, 'the amphora namespace is gone');
});

t.test('openstack CLI: the real client builds the chain by names', async (t) => {
  const os = loadbalancerCli(state, PORT);

  const lb = JSON.parse(
    await os('create', '--name', 'e2e-cli', '--vip-subnet-id', 'public-subnet', '--wait', '-f', 'json'),
  );
  t.equal(lb.provisioning_status, 'ACTIVE');
  await os(
    'listener',
    'create',
    '--name',
    'e2e-l',
    '--protocol',
    'TCP',
    '--protocol-port',
    '80',
    '--wait',
    'e2e-cli',
  );
  await os(
    'pool',
    'create',
    '--name',
    'e2e-p',
    '--listener',
    'e2e-l',
    '--protocol',
    'TCP',
    '--lb-algorithm',
    'ROUND_ROBIN',
    '--wait',
  );
  for (const i of [0, 1]) {
    await os(
      'member',
      'create',
      '--subnet-id',
      'private-subnet',
      '--address',
      `${net(2)}.${101 + i}`,
      '--protocol-port',
      '8080',
      '--wait',
      'e2e-p',
    );
  }
  const list = JSON.parse(await os('member', 'list', 'e2e-p', '-f', 'json'));
  t.equal(list.length, 2);
  const r = await traffic(lb.vip_address, 40);
  t.equal(r.failed, 0, `every request answered: ${JSON.stringify(r)}`);
  t.equal((r.counts.vxem1 ?? 0) + (r.counts.vxem2 ?? 0), 40);
  await os('delete', '--cascade', '--wait', 'e2e-cli');
  const after = JSON.parse(await os('list', '-f', 'json'));
  t.same(after, [], 'no load balancer left');
});
