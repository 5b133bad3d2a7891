// Client → balancer → members, three namespaces joined by two veth pairs, all in
// 10.210.0.0/16. The member namespace holds the eight member addresses on one veth, a TCP
// server (tcpserve.c) on all of them, and an XDP sink that counts the packet and SYN
// tests' arrivals and drops them, so those figures are measured where packets land and
// the members' own stacks cost nothing. Receive work runs in threaded NAPI: the
// balancer's on CPU 0, the client's and the members' on CPU 1 with the traffic tools.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enableThreaded, napiThreads, pin } from './napi.js';
import { inNs, quiet, run } from './shell.js';

export const NS = { client: 'vxkc', balancer: 'vxkb', member: 'vxkm' } as const;
export const DEV = { client: 'vxkc0', vip: 'vxkbv', mem: 'vxkbm', member: 'vxkm0' } as const;
export const ADDR = {
  client: '10.210.1.100',
  vipSide: '10.210.1.2',
  vip: '10.210.1.10',
  memSide: '10.210.2.2',
  members: Array.from({ length: 8 }, (_, i) => `10.210.2.${11 + i}`),
  /** Sources of the SYN test's new flows: 10.210.128.0/20 (syngen.c). */
  synNet: '10.210.128.0',
} as const;
/** VIP and member ports of each test; the sink counts arrivals on the udp and syn member ports. */
export const PORT = {
  udp: { vip: 9000, member: 8080 },
  syn: { vip: 9001, member: 8081 },
  tcp: { vip: 9002, member: 8082 },
} as const;
export const SINK_MAP = 'vxk_sink_cnt';
export const DROP_MAP = 'vxk_drop_cnt';
export const BALANCER_DEVS = [DEV.vip, DEV.mem];
/** Devices whose receive work belongs to the traffic's ends, not to the balancer. */
export const END_DEVS = [DEV.client, DEV.member];
export const PIN_ROOT = '/sys/fs/bpf/vxk-bench';

/** The repository root, from dist/bench/dataplane/ or bench/dataplane/. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/dist\/$/, '/');
const SRC = join(REPO, 'bench', 'dataplane');
const TOOLS = ['udpgen', 'syngen', 'tcpload', 'tcpserve', 'ctflush'] as const;

export interface Topology {
  dir: string; // compiled tools and programs
  bin: Record<(typeof TOOLS)[number], string>;
  dropObj: string;
  fwdObj: string;
  clientMac: string;
  vipMac: string;
}

const mac = (ns: string, dev: string): string =>
  (JSON.parse(inNs(ns, 'ip', ['-j', 'link', 'show', dev])) as { address: string }[])[0]!.address;
const ifindex = (ns: string, dev: string): number =>
  (JSON.parse(inNs(ns, 'ip', ['-j', 'link', 'show', dev])) as { ifindex: number }[])[0]!.ifindex;
const hexIp = (a: string): string =>
  `0x${a
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join('')}`;
const macBytes = (m: string): string =>
  m
    .split(':')
    .map((b) => `0x${b}`)
    .join(',');

function clang(src: string, out: string, defines: string[]): void {
  const arch = run('uname', ['-m']).trim();
  run('clang', [
    '-O2',
    '-g',
    '-Wall',
    '-Werror',
    '-target',
    'bpf',
    `-I/usr/include/${arch}-linux-gnu`,
    ...defines.map((d) => `-D${d}`),
    '-c',
    join(SRC, src),
    '-o',
    out,
  ]);
}

function veth(a: string, aNs: string, b: string, bNs: string): void {
  run('ip', ['link', 'add', a, 'netns', aNs, 'type', 'veth', 'peer', 'name', b, 'netns', bNs]);
  run('ip', ['-n', aNs, 'link', 'set', a, 'up']);
  run('ip', ['-n', bNs, 'link', 'set', b, 'up']);
}

/**
 * Client, balancer and member namespaces joined by two veth pairs (client–balancer on the
 * VIP side, balancer–members), each end addressed in its /24. Shared with the L7 bench.
 */
export function linkHosts(
  ns: { client: string; balancer: string; member: string },
  dev: { client: string; vip: string; mem: string; member: string },
  addr: { client: string; vipSide: string; memSide: string; members: readonly string[] },
): void {
  for (const n of [ns.client, ns.balancer, ns.member]) {
    run('ip', ['netns', 'add', n]);
    run('ip', ['-n', n, 'link', 'set', 'lo', 'up']);
  }
  veth(dev.client, ns.client, dev.vip, ns.balancer);
  veth(dev.mem, ns.balancer, dev.member, ns.member);
  run('ip', ['-n', ns.client, 'addr', 'add', `${addr.client}/24`, 'dev', dev.client]);
  run('ip', ['-n', ns.balancer, 'addr', 'add', `${addr.vipSide}/24`, 'dev', dev.vip]);
  run('ip', ['-n', ns.balancer, 'addr', 'add', `${addr.memSide}/24`, 'dev', dev.mem]);
  for (const m of addr.members) run('ip', ['-n', ns.member, 'addr', 'add', `${m}/24`, 'dev', dev.member]);
}

const sysctl = (ns: string, setting: string): string => inNs(ns, 'sysctl', ['-qw', setting]);

export function destroyTopology(topo?: Topology): void {
  // Deleting a namespace takes its veths (both ends), XDP programs and nft tables with it.
  for (const ns of Object.values(NS)) quiet('ip', ['netns', 'del', ns]);
  quiet('rm', ['-rf', PIN_ROOT]);
  if (topo) rmSync(topo.dir, { recursive: true, force: true });
}

/** Pins the receive threads: the balancer's to CPU 0, the traffic ends' to CPU 1. */
export function pinNapi(): void {
  pin(napiThreads(BALANCER_DEVS), 0);
  pin(napiThreads(END_DEVS), 1);
}

export function buildTopology(): Topology {
  destroyTopology();
  const dir = mkdtempSync(join(tmpdir(), 'vxk-dataplane-'));
  const bin = Object.fromEntries(TOOLS.map((t) => [t, join(dir, t)])) as Topology['bin'];
  const topo: Topology = {
    dir,
    bin,
    dropObj: join(dir, 'xdp_drop.bpf.o'),
    fwdObj: join(dir, 'xdp_fwd.bpf.o'),
    clientMac: '',
    vipMac: '',
  };
  try {
    for (const t of TOOLS) run('gcc', ['-O2', '-Wall', '-o', bin[t], join(SRC, `${t}.c`)]);
    linkHosts(NS, DEV, ADDR);
    topo.clientMac = mac(NS.client, DEV.client);
    topo.vipMac = mac(NS.balancer, DEV.vip);
    // Plain forwarding reaches members directly; their answers come back the same way.
    run('ip', ['-n', NS.client, 'route', 'add', '10.210.2.0/24', 'via', ADDR.vipSide]);
    run('ip', ['-n', NS.member, 'route', 'add', '10.210.0.0/16', 'via', ADDR.memSide]);
    run('ip', ['-n', NS.balancer, 'route', 'add', `${ADDR.synNet}/20`, 'via', ADDR.client]);
    // Nothing answers ARP for the VIP in every variant; the client is told its MAC.
    run('ip', ['-n', NS.client, 'neigh', 'replace', ADDR.vip, 'lladdr', topo.vipMac, 'dev', DEV.client]);
    // The ends send what a wire carries: MTU-sized frames with complete checksums (XDP
    // cannot complete a partial one, see NOTES.md). Without TSO on the sender, veth also
    // queues every frame to the receiver's NAPI instead of forwarding in the sender's softirq.
    inNs(NS.client, 'ethtool', ['-K', DEV.client, 'tx', 'off', 'tso', 'off', 'gso', 'off']);
    inNs(NS.member, 'ethtool', ['-K', DEV.member, 'tx', 'off', 'tso', 'off', 'gso', 'off']);
    sysctl(NS.client, 'net.ipv4.ip_local_port_range=1024 65535');
    sysctl(NS.balancer, 'net.ipv4.ip_forward=1');
    // As the agent sets it, whichever variant runs first (HAProxy's outgoing ports).
    sysctl(NS.balancer, 'net.ipv4.ip_local_port_range=60000 65000');
    // NAPI on every receiving veth, threaded so that its cost is its own (XDP brings NAPI
    // with it; GRO brings it to the kernel-only variants and to the traffic's ends).
    for (const [ns, d] of [
      [NS.balancer, DEV.vip],
      [NS.balancer, DEV.mem],
      [NS.client, DEV.client],
    ] as const) {
      inNs(ns, 'ethtool', ['-K', d, 'gro', 'on']);
      enableThreaded(ns, d);
    }
    clang('xdp_drop.bpf.c', join(dir, 'sink.bpf.o'), [
      `UDP_PORT=${PORT.udp.member}`,
      `TCP_PORT=${PORT.syn.member}`,
      `COUNTER=${SINK_MAP}`,
    ]);
    const sink = join(dir, 'sink.bpf.o');
    run('ip', ['-n', NS.member, 'link', 'set', 'dev', DEV.member, 'xdpdrv', 'obj', sink, 'sec', 'xdp']);
    enableThreaded(NS.member, DEV.member);
    pinNapi();
    clang('xdp_drop.bpf.c', topo.dropObj, [
      `UDP_PORT=${PORT.udp.vip}`,
      `TCP_PORT=${PORT.syn.vip}`,
      `COUNTER=${DROP_MAP}`,
    ]);
    clang('xdp_fwd.bpf.c', topo.fwdObj, [
      `VIP=${hexIp(ADDR.vip)}`,
      `PORT=${PORT.udp.vip}`,
      `TCP_PORT=${PORT.syn.vip}`,
      `MEMBER0=${hexIp(ADDR.members[0]!)}`,
      `MEMBER1=${hexIp(ADDR.members[1]!)}`,
      `MEMBER_PORT=${PORT.udp.member}`,
      `MEMBER_TCP_PORT=${PORT.syn.member}`,
      `OUT_IFINDEX=${ifindex(NS.balancer, DEV.mem)}`,
      `SRC_MAC=${macBytes(mac(NS.balancer, DEV.mem))}`,
      `DST_MAC=${macBytes(mac(NS.member, DEV.member))}`,
    ]);
    return topo;
  } catch (err) {
    destroyTopology(topo);
    throw err;
  }
}
