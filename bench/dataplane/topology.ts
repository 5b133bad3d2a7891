// Client → balancer → member, three namespaces joined by two veth pairs, all in
// 10.210.0.0/16. The member's veth runs an XDP program that counts the benchmark's
// packets and drops them, so throughput is measured where packets land and the member's
// own stack costs nothing. Receive work runs in threaded NAPI: the balancer's on CPU 0,
// the member's with the generator on CPU 1.
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
  members: ['10.210.2.11', '10.210.2.12'],
} as const;
export const VIP_PORT = 9000;
export const MEMBER_PORT = 8080;
export const SINK_MAP = 'vxk_sink_cnt';
export const DROP_MAP = 'vxk_drop_cnt';
export const BALANCER_DEVS = [DEV.vip, DEV.mem];
export const PIN_ROOT = '/sys/fs/bpf/vxk-bench';

/** The repository root, from dist/bench/dataplane/ or bench/dataplane/. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/dist\/$/, '/');
const SRC = join(REPO, 'bench', 'dataplane');

export interface Topology {
  dir: string; // compiled generator and programs
  udpgen: string;
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

export function destroyTopology(topo?: Topology): void {
  // Deleting a namespace takes its veths (both ends), XDP programs and nft tables with it.
  for (const ns of Object.values(NS)) quiet('ip', ['netns', 'del', ns]);
  quiet('rm', ['-rf', PIN_ROOT]);
  if (topo) rmSync(topo.dir, { recursive: true, force: true });
}

export function buildTopology(): Topology {
  destroyTopology();
  const dir = mkdtempSync(join(tmpdir(), 'vxk-dataplane-'));
  const topo: Topology = {
    dir,
    udpgen: join(dir, 'udpgen'),
    dropObj: join(dir, 'xdp_drop.bpf.o'),
    fwdObj: join(dir, 'xdp_fwd.bpf.o'),
    clientMac: '',
    vipMac: '',
  };
  try {
    run('gcc', ['-O2', '-Wall', '-o', topo.udpgen, join(SRC, 'udpgen.c')]);
    for (const ns of Object.values(NS)) {
      run('ip', ['netns', 'add', ns]);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    veth(DEV.client, NS.client, DEV.vip, NS.balancer);
    veth(DEV.mem, NS.balancer, DEV.member, NS.member);
    run('ip', ['-n', NS.client, 'addr', 'add', `${ADDR.client}/24`, 'dev', DEV.client]);
    run('ip', ['-n', NS.balancer, 'addr', 'add', `${ADDR.vipSide}/24`, 'dev', DEV.vip]);
    run('ip', ['-n', NS.balancer, 'addr', 'add', `${ADDR.memSide}/24`, 'dev', DEV.mem]);
    for (const m of ADDR.members) run('ip', ['-n', NS.member, 'addr', 'add', `${m}/24`, 'dev', DEV.member]);
    // The client sends prebuilt frames (udpgen.c) straight to the balancer's MAC. Without
    // TSO on the sender, veth queues every frame to the receiver's NAPI (otherwise plain
    // kernel forwarding would run in the sender's softirq, on the generator's CPU).
    inNs(NS.client, 'ethtool', ['-K', DEV.client, 'tso', 'off']);
    topo.clientMac = mac(NS.client, DEV.client);
    topo.vipMac = mac(NS.balancer, DEV.vip);
    inNs(NS.balancer, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    // NAPI on the balancer's receiving veth in every variant (XDP brings its own; GRO
    // brings it to the kernel-only variants), threaded so its cost is its own.
    for (const d of BALANCER_DEVS) {
      inNs(NS.balancer, 'ethtool', ['-K', d, 'gro', 'on']);
      enableThreaded(NS.balancer, d);
    }
    clang('xdp_drop.bpf.c', join(dir, 'sink.bpf.o'), [`PORT=${MEMBER_PORT}`, `COUNTER=${SINK_MAP}`]);
    run('ip', [
      '-n',
      NS.member,
      'link',
      'set',
      'dev',
      DEV.member,
      'xdpdrv',
      'obj',
      join(dir, 'sink.bpf.o'),
      'sec',
      'xdp',
    ]);
    enableThreaded(NS.member, DEV.member);
    pin(napiThreads([DEV.member]), 1);
    clang('xdp_drop.bpf.c', topo.dropObj, [`PORT=${VIP_PORT}`, `COUNTER=${DROP_MAP}`]);
    clang('xdp_fwd.bpf.c', topo.fwdObj, [
      `VIP=${hexIp(ADDR.vip)}`,
      `PORT=${VIP_PORT}`,
      `MEMBER0=${hexIp(ADDR.members[0])}`,
      `MEMBER1=${hexIp(ADDR.members[1])}`,
      `MEMBER_PORT=${MEMBER_PORT}`,
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
