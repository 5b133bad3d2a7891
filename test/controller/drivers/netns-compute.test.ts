// The local compute driver with real namespaces, bridges and processes. The "agent" is
// a small node program that listens on the bootstrap's grpc_listen address, which proves
// it runs inside the amphora's namespace with its address; it ignores SIGTERM so that
// delete has to escalate to SIGKILL.
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { isAlive } from '../../../controller/drivers/compute/agent-process.js';
import { NetnsCompute } from '../../../controller/drivers/compute/netns.js';
import { NetworkFabric } from '../../../controller/drivers/network/fabric.js';
import { leftovers, requireRoot, testConfig } from './test-config.js';

requireRoot();
const cfg = testConfig();
const fabric = new NetworkFabric(cfg.network);
const FAKE_AGENT = `
  const b = JSON.parse(require('fs').readFileSync(process.argv[process.argv.indexOf('--bootstrap') + 1], 'utf8'));
  process.on('SIGTERM', () => {});
  const [host, port] = b.grpc_listen.split(':');
  require('net').createServer().listen(Number(port), host, () => console.log('listening', b.amphora_id));
`;
const compute = new NetnsCompute({
  prefix: cfg.network.prefix,
  stateDir: cfg.stateDir,
  agentCommand: [process.execPath, '-e', FAKE_AGENT, '--'],
  stopGraceMs: 300,
});

t.teardown(async () => {
  await compute.cleanupAll().catch((e) => console.error(e));
  await fabric.teardown().catch((e) => console.error(e));
  rmSync(cfg.stateDir, { recursive: true, force: true });
});

function inNsAsync(ns: string, ...argv: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('nsenter', [`--net=/run/netns/${ns}`, '--', ...argv], { timeout: 5000 }, (err, out) =>
      err ? reject(err) : resolve(out),
    ),
  );
}

function inNs(ns: string, ...argv: string[]): string {
  return execFileSync('nsenter', [`--net=/run/netns/${ns}`, '--', ...argv], { encoding: 'utf8' });
}

t.test('fabric makes the bridges with their gateways, idempotently, and removes them', async (t) => {
  await fabric.ensure();
  await fabric.ensure();
  for (const n of [cfg.network.management, ...cfg.network.tenant]) {
    const out = execFileSync('ip', ['-br', 'addr', 'show', 'dev', n.bridge], { encoding: 'utf8' });
    t.match(out, new RegExp(`${n.gatewayIp.replace(/\./g, '\\.')}/24`), `${n.bridge} has its gateway`);
  }
  t.throws(
    () => new NetworkFabric({ ...cfg.network, management: { ...cfg.network.management, bridge: 'br0' } }),
  );
  await fabric.teardown();
  t.same(leftovers().links, [], 'no bridges left');
  await fabric.ensure();
});

t.test('create then delete an amphora leaves nothing behind', async (t) => {
  const id = randomUUID();
  const ns = compute.nsName(id);
  // A leftover pin folder, as an agent would make, must go with the amphora.
  mkdirSync(compute.pinRoot(id), { recursive: true });
  const handle = await compute.createAmphora({
    amphoraId: id,
    nics: [
      { name: 'mgmt0', bridge: 'vxwmgmt', addresses: ['172.29.0.10/24'] },
      { name: 'vip0', bridge: 'vxwpub', addresses: ['172.29.1.10/24', '172.29.1.100/32'] },
      { name: 'mem0', bridge: 'vxwpriv', addresses: ['172.29.2.10/24'] },
    ],
    defaultGateway: '172.29.1.1',
    bootstrap: {
      amphora_id: id,
      grpc_listen: '172.29.0.10:9443',
      metrics_listen: '172.29.0.10:9100',
      heartbeat: { target: '172.29.0.1:25555', interval_ms: 1000 },
      bpf_object: '/nonexistent.o',
    },
    tls: { caPem: 'CA', certPem: 'CERT', keyPem: 'KEY' },
  });
  t.equal(handle.computeId, ns);
  t.ok(isAlive(handle.pid), 'agent runs');

  const addrs = inNs(ns, 'ip', '-br', 'addr');
  t.match(addrs, /mgmt0@\S+\s+UP\s+172\.29\.0\.10\/24/);
  t.match(addrs, /vip0@\S+\s+UP\s+172\.29\.1\.10\/24 172\.29\.1\.100\/32/);
  t.match(addrs, /mem0@\S+\s+UP\s+172\.29\.2\.10\/24/);
  t.match(inNs(ns, 'ip', 'route', 'show', 'default'), /default via 172\.29\.1\.1 dev vip0/);
  t.equal(inNs(ns, 'sysctl', '-n', 'net.ipv4.ip_forward').trim(), '1');
  t.match(inNs(ns, 'sysctl', '-n', 'net.ipv4.ip_local_port_range'), /60000\s+65000/);
  for (const [nic, bridge] of [
    ['mgmt0', 'vxwmgmt'],
    ['vip0', 'vxwpub'],
    ['mem0', 'vxwpriv'],
  ] as const) {
    const peer = compute.hostPeer(id, nic);
    t.ok(peer.length <= 15);
    t.match(
      execFileSync('ip', ['-d', 'link', 'show', 'dev', peer], { encoding: 'utf8' }),
      `master ${bridge}`,
    );
    t.match(execFileSync('ethtool', ['-k', peer], { encoding: 'utf8' }), /generic-receive-offload: on/);
  }
  // The amphora reaches the host over management: a TCP connect to the gateway succeeds.
  const server = createServer((s) => s.end('hi'));
  await new Promise<void>((resolve) => server.listen(0, '172.29.0.1', resolve));
  t.teardown(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const probe = `require('net').connect(${port}, '172.29.0.1').on('data', (d) => process.stdout.write(d))`;
  t.equal(await inNsAsync(ns, process.execPath, '-e', probe), 'hi');

  const dir = compute.amphoraDir(id);
  t.equal(statSync(`${dir}/key.pem`).mode & 0o777, 0o600);
  const bootstrap = JSON.parse(readFileSync(`${dir}/bootstrap.json`, 'utf8'));
  t.same(bootstrap.tls, { ca: `${dir}/ca.pem`, cert: `${dir}/cert.pem`, key: `${dir}/key.pem` });
  t.equal(bootstrap.pin_root, `/sys/fs/bpf/velox/${id}`);
  // The agent listens inside the namespace on its management address.
  let listening = '';
  for (let i = 0; i < 100 && !listening.includes('172.29.0.10:9443'); i++) {
    await sleep(50);
    listening = inNs(ns, 'ss', '-ltn');
  }
  t.match(listening, '172.29.0.10:9443');
  t.same(await compute.listAmphorae(), [id]);

  await compute.deleteAmphora(id);
  await compute.deleteAmphora(id); // idempotent
  t.notOk(isAlive(handle.pid), 'agent stopped (it ignores SIGTERM, so SIGKILL was used)');
  t.same(leftovers().netns, [], 'no namespace left');
  t.same(
    leftovers().links.filter((l) => !l.startsWith('vxwm') && !l.startsWith('vxwp')),
    [],
    'no veth left',
  );
  t.notOk(existsSync(compute.pinRoot(id)), 'pin folder removed');
  t.notOk(existsSync(dir), 'amphora folder removed');
  t.same(await compute.listAmphorae(), []);
});

t.test('cleanupAll removes a half-made amphora (crash between steps)', async (t) => {
  const id = randomUUID();
  const ns = compute.nsName(id);
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', [
    'link',
    'add',
    compute.hostPeer(randomUUID(), 'vip0'),
    'type',
    'veth',
    'peer',
    'name',
    'vxwtmp0',
  ]);
  t.ok(leftovers().netns.includes(ns));
  await compute.cleanupAll();
  t.same(leftovers().netns, []);
  t.same(
    leftovers().links.filter((l) => !['vxwmgmt', 'vxwpub', 'vxwpriv'].includes(l)),
    [],
  );
});

t.test('a failing create reverts what it made', async (t) => {
  const id = randomUUID();
  await t.rejects(
    compute.createAmphora({
      amphoraId: id,
      nics: [
        { name: 'mgmt0', bridge: 'vxwmgmt', addresses: ['172.29.0.11/24'] },
        { name: 'vip0', bridge: 'vxwnosuch', addresses: ['172.29.1.11/24'] },
      ],
      bootstrap: {
        amphora_id: id,
        grpc_listen: '172.29.0.11:9443',
        metrics_listen: '172.29.0.11:9100',
        heartbeat: { target: '172.29.0.1:25555', interval_ms: 1000 },
        bpf_object: '/nonexistent.o',
      },
      tls: { caPem: 'CA', certPem: 'CERT', keyPem: 'KEY' },
    }),
    /vxwnosuch/,
  );
  t.same(leftovers().netns, []);
  t.notOk(existsSync(compute.amphoraDir(id)));
});
