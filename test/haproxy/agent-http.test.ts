// The agent routes HTTP listeners to HAProxy: an HTTP listener (X-Forwarded-For, an L7
// policy to a second pool) and a PROMETHEUS one served by HAProxy beside a TCP listener XDP
// keeps, on the same VIP; the members' statuses come from HAProxy's runtime API. The agent runs from source
// in its own namespace, as on an amphora. Topology (namespaces this test creates):
//   vxh7-cli [cli0 10.213.41.10] -- br-vip (vxh7-fab) -- [vip0 10.213.41.2 + VIP .100] vxh7-amp
//   vxh7-amp [mem0 10.213.42.2] -- br-mem (vxh7-fab) -- [eth0 10.213.42.11] vxh7-m1, [.12] vxh7-m2
import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removePins } from '../../src/dataplane/dataplane.js';
import { startStandaloneAgent } from '../agent/standalone-agent.js';
import { Netns, requireNetnsPrivileges, sh, waitFor } from '../lib/netns.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const memberScript = join(root, 'test', 'haproxy', 'fixtures', 'http-member.mjs');
const VIP = '10.213.41.100';
const CLIENT = '10.213.41.10';

function amphoraConfig(): object {
  const member = (id: string, address: string) => ({
    id,
    address,
    protocol_port: 8080,
    weight: 1,
    admin_state_up: true,
  });
  return {
    version: 1,
    amphora_id: 'vxh7-amp',
    loadbalancer_id: 'lb-http',
    interfaces: [
      { name: 'vip0', role: 'VIP', addresses: ['10.213.41.2/24', `${VIP}/32`] },
      { name: 'mem0', role: 'MEMBER', addresses: ['10.213.42.2/24'] },
    ],
    listeners: [
      {
        id: 'l-http',
        vip_address: VIP,
        protocol: 'HTTP',
        protocol_port: 80,
        default_pool_id: 'p-web',
        admin_state_up: true,
        insert_headers: { 'X-Forwarded-For': 'true' },
        l7policies: [
          {
            id: 'to-api',
            action: 'REDIRECT_TO_POOL',
            position: 1,
            redirect_pool_id: 'p-api',
            admin_state_up: true,
            rules: [
              { id: 'api', type: 'PATH', compare_type: 'STARTS_WITH', value: '/api', admin_state_up: true },
            ],
          },
        ],
      },
      {
        id: 'l-tcp',
        vip_address: VIP,
        protocol: 'TCP',
        protocol_port: 81,
        default_pool_id: 'p-tcp',
        admin_state_up: true,
      },
      { id: 'l-prom', vip_address: VIP, protocol: 'PROMETHEUS', protocol_port: 9101, admin_state_up: true },
    ],
    pools: [
      {
        id: 'p-web',
        protocol: 'HTTP',
        lb_algorithm: 'ROUND_ROBIN',
        admin_state_up: true,
        members: [member('m1', '10.213.42.11')],
        health_monitor: {
          id: 'hm',
          type: 'HTTP',
          delay: 1,
          timeout: 1,
          max_retries: 1,
          max_retries_down: 1,
          url_path: '/',
          expected_codes: '200',
          admin_state_up: true,
        },
      },
      {
        id: 'p-api',
        protocol: 'HTTP',
        lb_algorithm: 'ROUND_ROBIN',
        admin_state_up: true,
        members: [member('m2', '10.213.42.12')],
      },
      {
        id: 'p-tcp',
        protocol: 'TCP',
        lb_algorithm: 'ROUND_ROBIN',
        admin_state_up: true,
        members: [member('m1-tcp', '10.213.42.11')],
      },
    ],
  };
}

t.test('an HTTP listener goes to HAProxy, a TCP one on the same VIP stays on XDP', async (t) => {
  requireNetnsPrivileges();
  try {
    sh('which', ['haproxy']);
  } catch {
    throw new Error('this test needs haproxy on PATH (make deps)');
  }
  for (const f of ['build/Release/velox_native.node', 'bpf/xdp_lb.bpf.o', 'bpf/xdp_pass.bpf.o']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run make build`);
  }
  const net = new Netns('vxh7');
  const tmp = mkdtempSync(join(tmpdir(), 'vxh7-'));
  const pinRoot = `/sys/fs/bpf/vxh7-${process.pid}`;
  t.teardown(async () => {
    await net.cleanup();
    removePins(pinRoot);
    rmSync(tmp, { recursive: true, force: true });
  });

  const fab = net.add('vxh7-fab');
  for (const br of ['br-vip', 'br-mem']) {
    net.ip(fab, 'link', 'add', br, 'type', 'bridge');
    net.ip(fab, 'link', 'set', br, 'up');
  }
  const plug = (ns: string, ifname: string, port: string, bridge: string, cidrs: string[]): void => {
    net.veth(ns, ifname, fab, port);
    net.ip(fab, 'link', 'set', port, 'master', bridge);
    for (const c of cidrs) net.ip(ns, 'addr', 'add', c, 'dev', ifname);
    // As in the l4 labs: frames XDP redirects into the amphora's veths need NAPI on their
    // peers; clients and members send full checksums (XDP cannot finish CHECKSUM_PARTIAL).
    if (ns === amp) {
      net.ip(
        fab,
        'link',
        'set',
        'dev',
        port,
        'xdpdrv',
        'obj',
        join(root, 'bpf/xdp_pass.bpf.o'),
        'sec',
        'xdp',
      );
    } else net.exec(ns, 'ethtool', ['-K', ifname, 'tx', 'off']);
  };
  const cli = net.add('vxh7-cli');
  const amp = net.add('vxh7-amp');
  plug(cli, 'cli0', 'vxh7-pc', 'br-vip', [`${CLIENT}/24`]);
  plug(amp, 'vip0', 'vxh7-pv', 'br-vip', ['10.213.41.2/24', `${VIP}/32`]);
  plug(amp, 'mem0', 'vxh7-pm', 'br-mem', ['10.213.42.2/24']);
  for (const [name, addr, port] of [
    ['m1', '10.213.42.11', 'vxh7-p1'],
    ['m2', '10.213.42.12', 'vxh7-p2'],
  ] as const) {
    const ns = net.add(`vxh7-${name}`);
    plug(ns, 'eth0', port, 'br-mem', [`${addr}/24`]);
    const server = net.spawn(ns, process.execPath, [memberScript, name, '8080']);
    await waitFor(
      `${name} ready`,
      () => new Promise<true>((r) => server.stdout?.once('data', () => r(true))),
    );
  }

  const started = await startStandaloneAgent(t, net, amp, { config: amphoraConfig(), tmp, pinRoot });
  t.match(
    started.log(),
    /"event":"config-problem"[^\n]*"id":"l-http"[^\n]*"effect":"haproxy"/,
    'routed to HAProxy, and logged',
  );
  t.notMatch(started.log(), /"id":"l-tcp"[^\n]*"effect"/, 'the TCP listener has no problem: XDP serves it');

  const curl = (port: number, path: string): string =>
    net.exec(cli, 'curl', ['-sS', '--max-time', '3', `http://${VIP}:${port}${path}`]);
  t.equal(curl(80, '/'), `m1 xff=${CLIENT}`, 'HTTP through HAProxy, X-Forwarded-For inserted');
  t.equal(curl(80, '/api/x'), `m2 xff=${CLIENT}`, 'the L7 policy sends /api to the other pool');
  t.equal(curl(81, '/'), 'm1 xff=-', 'the TCP listener on the same VIP: bytes, no header (XDP)');
  t.match(
    curl(9101, '/metrics'),
    /^velox_listener_status\{loadbalancer="lb-http",listener="l-prom",status="ONLINE"\} 1$/m,
    'PROMETHEUS: the agent metrics on the VIP',
  );
  const other = net.exec(cli, 'curl', [
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '--max-time',
    '3',
    `http://${VIP}:9101/`,
  ]);
  t.equal(other, '403', 'and nothing else');

  const metrics = (): string =>
    net.exec(amp, process.execPath, [
      '-e',
      "fetch('http://127.0.0.1:9100/metrics').then(r=>r.text()).then(s=>process.stdout.write(s))",
    ]);
  const text = await waitFor('HAProxy member statuses', () => {
    const m = metrics();
    return /velox_member_status\{loadbalancer="lb-http",pool="p-web",member="m1",status="ONLINE"\} 1/.test(m)
      ? m
      : undefined;
  });
  t.match(text, /^velox_listener_status\{loadbalancer="lb-http",listener="l-http",status="ONLINE"\} 1$/m);
  t.match(
    text,
    /^velox_member_status\{loadbalancer="lb-http",pool="p-api",member="m2",status="NO_MONITOR"\} 1$/m,
    "the redirect pool's member, from HAProxy",
  );
  t.match(text, /^velox_listener_status\{loadbalancer="lb-http",listener="l-tcp",status="ONLINE"\} 1$/m);

  const exited = new Promise<number | null>((r) => started.process.once('exit', (code) => r(code)));
  started.process.kill('SIGTERM');
  t.equal(await exited, 0, 'the agent stops cleanly');
});
