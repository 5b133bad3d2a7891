// End to end through real namespaces: a client, an amphora running the agent in
// standalone mode (XDP on vip0 and mem0), three members answering with their names.
// Topology (10.201.0.0/16 only, all inside namespaces this test creates):
//   vxa-cli [cli0 10.201.1.10] --\                        /-- [eth0 10.201.2.11] vxa-m1
//                                 br-vip (vxa-fab) br-mem  --- [eth0 10.201.2.12] vxa-m2
//   vxa-amp [vip0 10.201.1.2 + VIP 10.201.1.100] --/  \-- [mem0 10.201.2.2]   \-- [eth0 10.201.2.13] vxa-m3
import t from 'tap';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removePins } from '../../src/dataplane/dataplane.js';
import { Netns, requireNetnsPrivileges, waitFor } from '../lib/netns.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = join(root, 'test', 'agent', 'fixtures');
const VIP = '10.201.1.100';
const PORT = 8080;
const MEMBERS = [
  { ns: 'vxa-m1', name: 'm1', address: '10.201.2.11' },
  { ns: 'vxa-m2', name: 'm2', address: '10.201.2.12' },
  { ns: 'vxa-m3', name: 'm3', address: '10.201.2.13' },
];
const N = 60;

function amphoraConfig(version: number, members: typeof MEMBERS): object {
  const pool = (id: string, protocol: string) => ({
    id,
    protocol,
    lb_algorithm: 'SOURCE_IP_PORT',
    admin_state_up: true,
    members: members.map((m) => ({
      id: `${m.name}-${protocol.toLowerCase()}`,
      address: m.address,
      protocol_port: PORT,
      weight: 1,
      admin_state_up: true,
    })),
  });
  return {
    version,
    amphora_id: 'vxa-amp',
    loadbalancer_id: 'lb-1',
    interfaces: [
      { name: 'vip0', role: 'VIP', addresses: ['10.201.1.2/24'] },
      { name: 'mem0', role: 'MEMBER', addresses: ['10.201.2.2/24'] },
    ],
    listeners: [
      {
        id: 'l-tcp',
        vip_address: VIP,
        protocol: 'TCP',
        protocol_port: PORT,
        default_pool_id: 'p-tcp',
        admin_state_up: true,
      },
      {
        id: 'l-udp',
        vip_address: VIP,
        protocol: 'UDP',
        protocol_port: PORT,
        default_pool_id: 'p-udp',
        admin_state_up: true,
      },
    ],
    pools: [pool('p-tcp', 'TCP'), pool('p-udp', 'UDP')],
  };
}

interface Counts {
  answers: Record<string, number>;
  failures: number;
}

t.test('the agent forwards TCP and UDP from a client to members through XDP', async (t) => {
  requireNetnsPrivileges();
  for (const f of [
    'build/Release/velox_native.node',
    'bpf/xdp_lb.bpf.o',
    'bpf/xdp_pass.bpf.o',
    'dist/src/main.js',
  ]) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run make build`);
  }
  const net = new Netns('vxa');
  const tmp = mkdtempSync(join(tmpdir(), 'vxa-'));
  const pinRoot = `/sys/fs/bpf/vxa-test-${process.pid}`;
  t.teardown(async () => {
    await net.cleanup();
    removePins(pinRoot);
    rmSync(tmp, { recursive: true, force: true });
  });

  // Fabric: two bridges in their own namespace.
  const fab = net.add('vxa-fab');
  for (const br of ['br-vip', 'br-mem']) {
    net.ip(fab, 'link', 'add', br, 'type', 'bridge');
    net.ip(fab, 'link', 'set', br, 'up');
  }
  const plug = (
    ns: string,
    ifname: string,
    port: string,
    bridge: string,
    cidrs: string[],
    napi: boolean,
  ): void => {
    net.veth(ns, ifname, fab, port);
    net.ip(fab, 'link', 'set', port, 'master', bridge);
    for (const c of cidrs) net.ip(ns, 'addr', 'add', c, 'dev', ifname);
    // Frames XDP redirects into the amphora's veths are delivered by these peers: they need NAPI.
    if (napi)
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
    // Clients and members send full checksums (XDP cannot finish CHECKSUM_PARTIAL).
    else net.exec(ns, 'ethtool', ['-K', ifname, 'tx', 'off']);
  };

  const cli = net.add('vxa-cli');
  plug(cli, 'cli0', 'vxa-pc', 'br-vip', ['10.201.1.10/24'], false);
  const amp = net.add('vxa-amp');
  plug(amp, 'vip0', 'vxa-pv', 'br-vip', ['10.201.1.2/24', `${VIP}/32`], true);
  plug(amp, 'mem0', 'vxa-pm', 'br-mem', ['10.201.2.2/24'], true);
  const servers: ChildProcess[] = [];
  for (const [i, m] of MEMBERS.entries()) {
    net.add(m.ns);
    plug(m.ns, 'eth0', `vxa-p${i + 1}`, 'br-mem', [`${m.address}/24`], false);
    servers.push(
      net.spawn(m.ns, process.execPath, [join(fixtures, 'echo-server.mjs'), m.name, String(PORT)]),
    );
  }
  for (const s of servers) {
    await waitFor('member ready', () => new Promise<true>((r) => s.stdout?.once('data', () => r(true))));
  }

  // The agent, standalone, inside the amphora namespace.
  const configFile = join(tmp, 'amphora.json');
  writeFileSync(configFile, JSON.stringify(amphoraConfig(1, MEMBERS)));
  let agentLog = '';
  const startAgent = (...extra: string[]): ChildProcess => {
    const child = net.spawn(amp, process.execPath, [
      join(root, 'dist/src/main.js'),
      '--config',
      configFile,
      '--pin-root',
      pinRoot,
      '--metrics',
      '127.0.0.1:9100',
      ...extra,
    ]);
    child.stderr?.on('data', (d: Buffer) => (agentLog += d.toString()));
    return child;
  };
  const stopAgent = async (child: ChildProcess): Promise<number | null> => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    return exited;
  };
  let agent = startAgent();
  t.teardown(() => {
    if (t.passing()) return;
    t.comment(`agent log:\n${agentLog}`);
  });
  const metrics = (): string =>
    net.exec(amp, process.execPath, [
      '-e',
      "fetch('http://127.0.0.1:9100/metrics').then(r=>r.text()).then(s=>process.stdout.write(s))",
    ]);
  const appliedVersion = (): number =>
    Number(/^velox_agent_applied_version (\d+)/m.exec(metrics())?.[1] ?? 0);
  const waitApplied = (v: number) =>
    waitFor(`version ${v} applied`, () => (appliedVersion() === v ? true : undefined));
  await waitApplied(1);

  const run = (mode: 'tcp' | 'udp', n = N): Counts =>
    JSON.parse(
      net.exec(cli, process.execPath, [join(fixtures, 'client.mjs'), mode, VIP, String(PORT), String(n)]),
    ) as Counts;

  t.test('TCP: every request answered, spread over the three members', async (t) => {
    const c = run('tcp');
    t.equal(c.failures, 0, 'no request failed');
    t.same(Object.keys(c.answers).sort(), ['m1', 'm2', 'm3'], `answers: ${JSON.stringify(c.answers)}`);
  });

  t.test('UDP: every request answered, spread over the three members', async (t) => {
    const c = run('udp');
    t.equal(c.failures, 0, 'no request failed');
    t.same(Object.keys(c.answers).sort(), ['m1', 'm2', 'm3'], `answers: ${JSON.stringify(c.answers)}`);
  });

  t.test('a removed member gets no new connections', async (t) => {
    writeFileSync(configFile, JSON.stringify(amphoraConfig(2, MEMBERS.slice(0, 2))));
    agent.kill('SIGHUP');
    await waitApplied(2);
    const c = run('tcp');
    t.equal(c.failures, 0, 'no request failed');
    t.same(Object.keys(c.answers).sort(), ['m1', 'm2'], `answers: ${JSON.stringify(c.answers)}`);
  });

  t.test('an open connection keeps its member when a member is added', async (t) => {
    const hold = net.spawn(cli, process.execPath, [join(fixtures, 'client.mjs'), 'hold', VIP, String(PORT)]);
    const lines: string[] = [];
    hold.stdout?.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    const first = await waitFor('first answer', () => lines[0]);
    t.match(first, /^m[12]$/, 'answered by a member of the pool');

    writeFileSync(configFile, JSON.stringify(amphoraConfig(3, MEMBERS)));
    agent.kill('SIGHUP');
    await waitApplied(3);
    for (let i = 0; i < 5; i++) {
      hold.stdin?.write('again\n');
      await waitFor('answer', () => lines[i + 1]);
    }
    t.same(lines.slice(0, 6), Array(6).fill(first), 'the held connection stayed on its member');
    const c = run('tcp');
    t.equal(c.failures, 0, 'no request failed');
    t.same(Object.keys(c.answers).sort(), ['m1', 'm2', 'm3'], 'the added member takes new connections');
    hold.kill();
  });

  t.test('/metrics shows per-member counters', async (t) => {
    // m3 was removed and added back: its counters restarted from zero, so send some more.
    t.equal(run('udp').failures, 0, 'UDP requests answered');
    const text = metrics();
    for (const m of MEMBERS) {
      const re = new RegExp(
        `^velox_member_connections_total\\{[^}]*member="${m.name}-tcp"[^}]*\\} (\\d+)`,
        'm',
      );
      t.ok(Number(re.exec(text)?.[1] ?? 0) > 0, `connections counted for ${m.name}`);
      const pk = new RegExp(
        `^velox_member_packets_total\\{[^}]*member="${m.name}-udp"[^}]*direction="out"[^}]*\\} (\\d+)`,
        'm',
      );
      t.ok(Number(pk.exec(text)?.[1] ?? 0) > 0, `reply packets counted for ${m.name}`);
    }
    t.match(text, /velox_listener_connections_total\{loadbalancer="lb-1",listener="l-tcp"\} \d+/);
    t.match(text, /velox_xdp_exit_packets_total\{reason="redirect"\} [1-9]/);
  });

  t.test('the data plane outlives the agent; a restarted agent adopts it', async (t) => {
    t.equal(await stopAgent(agent), 0, 'the agent exits cleanly on SIGTERM');
    t.match(net.ip(amp, 'link', 'show', 'vip0'), /xdp/, 'XDP stays attached on vip0');
    const c = run('tcp', 30);
    t.equal(c.failures, 0, 'traffic is still served without the agent');
    t.same(Object.keys(c.answers).sort(), ['m1', 'm2', 'm3']);

    agentLog = '';
    agent = startAgent('--cleanup-on-exit');
    await waitApplied(3);
    await waitFor('agent-ready logged', () => (agentLog.includes('agent-ready') ? true : undefined));
    t.match(
      agentLog,
      /"event":"dataplane-open"[^\n]*"adopted_links":\["(vip0","mem0|mem0","vip0)"\],"adopted_vips":2,"adopted_backends":6/,
    );
    t.match(
      agentLog,
      /"event":"maps-written","backends":0,"rings":0,"vips":0,"vips_deleted":0,"backends_deleted":0/,
      'the same config over adopted maps writes nothing',
    );
    const again = run('tcp', 30);
    t.equal(again.failures, 0, 'traffic is served by the adopted data plane');

    t.equal(await stopAgent(agent), 0, 'the agent exits cleanly');
    t.notMatch(net.ip(amp, 'link', 'show', 'vip0'), /xdp/, '--cleanup-on-exit detached XDP');
    t.notOk(existsSync(pinRoot), '--cleanup-on-exit removed the pins');
  });
});
