// What the fast path cannot do goes to HAProxy: a TCP listener whose pool speaks the
// PROXY protocol is served by HAProxy in the amphora (XDP passes its packets to the
// kernel), beside a UDP listener XDP keeps; /metrics reports HAProxy's statuses and
// counters for it. The agent runs from source in its own namespace, as on an amphora.
// Topology (all inside namespaces this test creates):
//   vxa3h-cli [cli0 10.201.41.10] -- br-vip (vxa3h-fab) -- [vip0 10.201.41.2 + VIP .100] vxa3h-amp
//   vxa3h-amp [mem0 10.201.42.2] -- br-mem (vxa3h-fab) -- [eth0 10.201.42.11] vxa3h-m1
import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removePins } from '../../src/dataplane/dataplane.js';
import { startStandaloneAgent } from './standalone-agent.js';
import { Netns, requireNetnsPrivileges, sh, waitFor } from '../lib/netns.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = join(root, 'test', 'agent', 'fixtures');
const VIP = '10.201.41.100';

function amphoraConfig(): object {
  const members = [
    { id: 'm1', address: '10.201.42.11', protocol_port: 8080, weight: 1, admin_state_up: true },
  ];
  return {
    version: 1,
    amphora_id: 'vxa3h-amp',
    loadbalancer_id: 'lb-hap',
    interfaces: [
      { name: 'vip0', role: 'VIP', addresses: ['10.201.41.2/24', `${VIP}/32`] },
      { name: 'mem0', role: 'MEMBER', addresses: ['10.201.42.2/24'] },
    ],
    listeners: [
      {
        id: 'l-proxy',
        vip_address: VIP,
        protocol: 'TCP',
        protocol_port: 80,
        default_pool_id: 'p-proxy',
        admin_state_up: true,
      },
      {
        id: 'l-udp',
        vip_address: VIP,
        protocol: 'UDP',
        protocol_port: 80,
        default_pool_id: 'p-udp',
        admin_state_up: true,
      },
    ],
    pools: [
      { id: 'p-proxy', protocol: 'PROXY', lb_algorithm: 'ROUND_ROBIN', admin_state_up: true, members },
      {
        id: 'p-udp',
        protocol: 'UDP',
        lb_algorithm: 'ROUND_ROBIN',
        admin_state_up: true,
        members: [{ ...members[0], id: 'm1-udp' }],
      },
    ],
  };
}

t.test('a PROXY-protocol pool is served by HAProxy, with its counters on /metrics', async (t) => {
  requireNetnsPrivileges();
  try {
    sh('which', ['haproxy']);
  } catch {
    throw new Error('this test needs haproxy on PATH (make deps)');
  }
  for (const f of ['build/Release/velox_native.node', 'bpf/xdp_lb.bpf.o']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run make build`);
  }
  const net = new Netns('vxa3h');
  const tmp = mkdtempSync(join(tmpdir(), 'vxa3h-'));
  const pinRoot = `/sys/fs/bpf/vxa3h-${process.pid}`;
  t.teardown(async () => {
    await net.cleanup();
    removePins(pinRoot);
    rmSync(tmp, { recursive: true, force: true });
  });

  const fab = net.add('vxa3h-fab');
  for (const br of ['br-vip', 'br-mem']) {
    net.ip(fab, 'link', 'add', br, 'type', 'bridge');
    net.ip(fab, 'link', 'set', br, 'up');
  }
  const plug = (ns: string, ifname: string, port: string, bridge: string, cidrs: string[]): void => {
    net.veth(ns, ifname, fab, port);
    net.ip(fab, 'link', 'set', port, 'master', bridge);
    for (const c of cidrs) net.ip(ns, 'addr', 'add', c, 'dev', ifname);
  };
  const cli = net.add('vxa3h-cli');
  plug(cli, 'cli0', 'vxa3h-pc', 'br-vip', ['10.201.41.10/24']);
  const amp = net.add('vxa3h-amp');
  plug(amp, 'vip0', 'vxa3h-pv', 'br-vip', ['10.201.41.2/24', `${VIP}/32`]);
  plug(amp, 'mem0', 'vxa3h-pm', 'br-mem', ['10.201.42.2/24']);
  const m1 = net.add('vxa3h-m1');
  plug(m1, 'eth0', 'vxa3h-p1', 'br-mem', ['10.201.42.11/24']);
  const server = net.spawn(m1, process.execPath, [join(fixtures, 'echo-server.mjs'), 'm1', '8080']);
  await waitFor('member ready', () => new Promise<true>((r) => server.stdout?.once('data', () => r(true))));

  const started = await startStandaloneAgent(t, net, amp, { config: amphoraConfig(), tmp, pinRoot });
  const agent = started.process;
  t.match(
    started.log(),
    /"event":"config-problem"[^\n]*"id":"l-proxy"[^\n]*"effect":"haproxy"/,
    'the reason is logged',
  );

  const metrics = (): string =>
    net.exec(amp, process.execPath, [
      '-e',
      "fetch('http://127.0.0.1:9100/metrics').then(r=>r.text()).then(s=>process.stdout.write(s))",
    ]);
  const run = (n: number) =>
    JSON.parse(
      net.exec(cli, process.execPath, [join(fixtures, 'client.mjs'), 'tcp', VIP, '80', String(n)]),
    ) as {
      answers: Record<string, number>;
      failures: number;
    };

  const c = run(5);
  t.equal(c.failures, 0, 'every connection answered through HAProxy');
  t.same(c.answers, { m1: 5 });
  const text = await waitFor('HAProxy counters', () => {
    const m = metrics();
    return /velox_listener_connections_total\{loadbalancer="lb-hap",listener="l-proxy"\} [5-9]/.test(m)
      ? m
      : undefined;
  });
  t.match(text, /^velox_listener_status\{loadbalancer="lb-hap",listener="l-proxy",status="ONLINE"\} 1$/m);
  t.match(
    text,
    /^velox_listener_bytes_total\{loadbalancer="lb-hap",listener="l-proxy",direction="in"\} [1-9]/m,
  );
  t.match(
    text,
    /^velox_member_status\{loadbalancer="lb-hap",pool="p-proxy",member="m1",status="NO_MONITOR"\} 1$/m,
    "HAProxy's view of the member: no health monitor",
  );
  t.match(text, /^velox_listener_status\{loadbalancer="lb-hap",listener="l-udp",status="ONLINE"\} 1$/m);

  const exited = new Promise<number | null>((r) => agent.once('exit', (code) => r(code)));
  agent.kill('SIGTERM');
  t.equal(await exited, 0, 'the agent stops cleanly');
  const after = run(1);
  t.equal(after.failures, 1, '--cleanup-on-exit stopped HAProxy too');
});
