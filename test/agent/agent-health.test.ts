// The agent wires member health checks to the maps: a member whose TCP check fails
// leaves the pool's ring (read from the pinned maps), comes back once it answers again,
// and its operating status shows on /metrics. The agent runs from source in its own
// namespace, as on an amphora; members are real sockets in theirs.
// Topology (all inside namespaces this test creates):
//   vxa3-amp [vip0 10.201.31.2 | mem0 10.201.32.2] --mem0-- br-mem (vxa3-fab) --+-- [eth0 10.201.32.11] vxa3-m1
//                                                                               +-- [eth0 10.201.32.12] vxa3-m2
import t from 'tap';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MapName } from '../../src/dataplane/codecs.js';
import { removePins } from '../../src/dataplane/dataplane.js';
import { readMapState } from '../../src/dataplane/map-state.js';
import type { LbMaps } from '../../src/dataplane/maps.js';
import { native } from '../../src/native/native.js';
import { startStandaloneAgent } from './standalone-agent.js';
import { Netns, requireNetnsPrivileges, waitFor } from '../lib/netns.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VIP = '10.201.31.100';
const M1 = '10.201.32.11';
const M2 = '10.201.32.12';

function amphoraConfig(): object {
  return {
    version: 1,
    amphora_id: 'vxa3-amp',
    loadbalancer_id: 'lb-hc',
    interfaces: [
      { name: 'vip0', role: 'VIP', addresses: ['10.201.31.2/24'] },
      { name: 'mem0', role: 'MEMBER', addresses: ['10.201.32.2/24'] },
    ],
    listeners: [
      {
        id: 'l1',
        vip_address: VIP,
        protocol: 'TCP',
        protocol_port: 80,
        default_pool_id: 'p1',
        admin_state_up: true,
      },
    ],
    pools: [
      {
        id: 'p1',
        protocol: 'TCP',
        lb_algorithm: 'ROUND_ROBIN',
        admin_state_up: true,
        health_monitor: {
          type: 'TCP',
          delay: 1,
          timeout: 1,
          max_retries: 1,
          max_retries_down: 1,
          admin_state_up: true,
        },
        members: [
          { id: 'm1', address: M1, protocol_port: 8080, weight: 1, admin_state_up: true },
          { id: 'm2', address: M2, protocol_port: 8080, weight: 1, admin_state_up: true },
        ],
      },
    ],
  };
}

t.test('a member failing its TCP check leaves the ring and returns when it answers', async (t) => {
  requireNetnsPrivileges();
  for (const f of ['build/Release/velox_native.node', 'bpf/xdp_lb.bpf.o']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run make build`);
  }
  const net = new Netns('vxa3');
  const tmp = mkdtempSync(join(tmpdir(), 'vxa3-hc-'));
  const pinRoot = `/sys/fs/bpf/vxa3-hc-${process.pid}`;
  const nat = native();
  const fds: number[] = [];
  t.teardown(async () => {
    for (const fd of fds) nat.closeFd(fd);
    await net.cleanup();
    removePins(pinRoot);
    rmSync(tmp, { recursive: true, force: true });
  });

  const fab = net.add('vxa3-fab');
  net.ip(fab, 'link', 'add', 'br-mem', 'type', 'bridge');
  net.ip(fab, 'link', 'set', 'br-mem', 'up');
  const amp = net.add('vxa3-amp');
  net.veth(amp, 'vip0', fab, 'vxa3-pv');
  net.ip(amp, 'addr', 'add', '10.201.31.2/24', 'dev', 'vip0');
  net.veth(amp, 'mem0', fab, 'vxa3-pm');
  net.ip(fab, 'link', 'set', 'vxa3-pm', 'master', 'br-mem');
  net.ip(amp, 'addr', 'add', '10.201.32.2/24', 'dev', 'mem0');
  const servers = new Map<string, ChildProcess>();
  const serve = async (ns: string, name: string): Promise<void> => {
    const child = net.spawn(ns, process.execPath, [
      join(root, 'test/agent/fixtures/echo-server.mjs'),
      name,
      '8080',
    ]);
    servers.set(name, child);
    await waitFor(
      `${name} listening`,
      () => new Promise<true>((r) => child.stdout?.once('data', () => r(true))),
    );
  };
  for (const [i, [name, address]] of [
    ['m1', M1],
    ['m2', M2],
  ].entries()) {
    const ns = net.add(`vxa3-${name}`);
    net.veth(ns, 'eth0', fab, `vxa3-p${i + 1}`);
    net.ip(fab, 'link', 'set', `vxa3-p${i + 1}`, 'master', 'br-mem');
    net.ip(ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
  }
  await serve('vxa3-m1', 'm1'); // m2 answers nothing yet

  const started = await startStandaloneAgent(t, net, amp, { config: amphoraConfig(), tmp, pinRoot });
  const agent = started.process;

  const maps = {} as Record<keyof LbMaps, number>;
  for (const [role, name] of Object.entries(MapName)) {
    const fd = nat.openPinned(join(pinRoot, 'maps', name));
    fds.push(fd);
    maps[role as keyof LbMaps] = fd;
  }
  /** Member addresses in l1's ring, as the pinned maps hold it now. */
  const ring = (): string[] => {
    const state = readMapState(nat, maps);
    const vip = state.vips.get(`TCP ${VIP} 80`);
    const slots = new Set([...(state.rings.get(vip?.ringId ?? -1) ?? [])].filter((e) => e > 0));
    return [...slots].map((e) => state.backends.get(e - 1)?.address ?? '?').sort();
  };
  const memberStatus = (member: string): string | undefined => {
    const text = net.exec(amp, process.execPath, [
      '-e',
      "fetch('http://127.0.0.1:9100/metrics').then(r=>r.text()).then(s=>process.stdout.write(s))",
    ]);
    return new RegExp(`^velox_member_status\\{[^}]*member="${member}",status="(\\w+)"\\} 1$`, 'm').exec(
      text,
    )?.[1];
  };
  const ringIs = (want: string[]) =>
    waitFor(
      `ring ${want.join(',')}`,
      () => (ring().join() === want.join() ? true : undefined),
      150,
      100,
      30_000,
    );

  await ringIs([M1]);
  t.pass('m2, refusing connections, is out of the ring');
  t.equal(memberStatus('m2'), 'ERROR');
  t.equal(memberStatus('m1'), 'ONLINE');
  t.match(started.log(), /"event":"health-recompiled"/, 'recompiled without a new config version');

  await serve('vxa3-m2', 'm2');
  await ringIs([M1, M2]);
  t.pass('m2 answers again: back in the ring after max_retries successes');
  t.equal(memberStatus('m2'), 'ONLINE');

  servers.get('m1')?.kill('SIGKILL');
  await ringIs([M2]);
  t.pass('m1 stopped answering: out of the ring');
  t.equal(memberStatus('m1'), 'ERROR');

  const exited = new Promise<number | null>((r) => agent.once('exit', (code) => r(code)));
  agent.kill('SIGTERM');
  t.equal(await exited, 0, 'the agent stops cleanly, closing the health checks');
});
