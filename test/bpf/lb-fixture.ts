// The xdp_lb program loaded with its maps pinned under a temp bpffs dir, plus a network
// namespace (vxb-<pid>, 10.200.0.0/16) where BPF_PROG_TEST_RUN runs, because
// bpf_fib_lookup resolves in the caller's namespace:
//   vxbc0 10.200.1.1/24 (clients: 10.200.1.10 has a permanent neighbour entry)
//   vxbm0 10.200.2.1/24 (members 10.200.2.10-12, permanent neighbours; also the SNAT address)
// Packets run in a child process entered into the namespace (test/bpf/netns-runner.mjs).
// Everything is removed at teardown.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { native, type BpfObjectHandle, type NativeAddon } from '../../src/native/native.js';
import { MapName, PROG_SWEEP, PROG_XDP } from '../../src/dataplane/codecs.js';
import { LbMapAccess } from './lb-maps.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// VELOX_XDP_OBJECT loads another build of the program (e.g. to check that a test catches a change).
const objectPath = process.env.VELOX_XDP_OBJECT ?? join(repoRoot, 'bpf', 'xdp_lb.bpf.o');
const runnerPath = join(repoRoot, 'test', 'bpf', 'netns-runner.mjs');

export const XDP_ABORTED = 0;
export const XDP_DROP = 1;
export const XDP_PASS = 2;
export const XDP_TX = 3;
export const XDP_REDIRECT = 4;

export const CLIENT_IFACE = 'vxbc0';
export const MEMBER_IFACE = 'vxbm0';
export const CLIENT_NET_MAC = '02:00:0a:c8:01:01'; // vxbc0
export const MEMBER_NET_MAC = '02:00:0a:c8:02:01'; // vxbm0
export const SNAT_ADDR = '10.200.2.1';
export const CLIENT = { addr: '10.200.1.10', mac: '02:00:0a:c8:01:0a' };
export const MEMBERS = [
  { addr: '10.200.2.10', mac: '02:00:0a:c8:02:0a' },
  { addr: '10.200.2.11', mac: '02:00:0a:c8:02:0b' },
  { addr: '10.200.2.12', mac: '02:00:0a:c8:02:0c' },
];

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

export interface RunResult {
  retval: number;
  data: Buffer;
}

function sh(cmd: string, ...args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Throws naming the missing capability or build step. */
function prerequisites(): NativeAddon {
  if (process.getuid?.() !== 0)
    throw new Error('the BPF packet tests need root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN)');
  try {
    sh('mountpoint', '-q', '/sys/fs/bpf');
  } catch {
    sh('mount', '-t', 'bpf', 'bpf', '/sys/fs/bpf');
  }
  if (!existsSync(join(repoRoot, 'build', 'Release', 'velox_native.node'))) {
    throw new Error('the addon is not built: make addon');
  }
  if (!existsSync(objectPath)) throw new Error(`${objectPath} is not built: make bpf`);
  for (const tool of ['ip', 'nsenter']) {
    try {
      sh('which', tool);
    } catch {
      throw new Error(`${tool} is missing: make apt`);
    }
  }
  return native();
}

export class LbFixture extends LbMapAccess {
  readonly netns = `vxb-${process.pid}`;
  readonly pinRoot = `/sys/fs/bpf/vxb-test-${process.pid}`;
  protected readonly addon: NativeAddon;
  private obj: BpfObjectHandle | undefined;
  private readonly fds = new Map<string, number>();

  constructor(t: Teardown) {
    super();
    this.addon = prerequisites();
    t.teardown(() => this.destroy());
    this.createNetns();
    rmSync(this.pinRoot, { recursive: true, force: true });
    this.obj = this.addon.loadObject(objectPath, { pinRoot: this.pinRoot });
    for (const m of this.addon.objectMaps(this.obj)) this.fds.set(m.name, m.fd);
    this.addon.pinObject(this.addon.programFd(this.obj, PROG_XDP), this.progPin);
  }

  /** The conntrack sweep program (lb_sweep) of the loaded object. */
  get sweepProgFd(): number {
    if (!this.obj) throw new Error('the fixture is torn down');
    return this.addon.programFd(this.obj, PROG_SWEEP);
  }

  private get progPin(): string {
    return join(this.pinRoot, PROG_XDP);
  }

  private ipn(...args: string[]): void {
    sh('ip', '-n', this.netns, ...args);
  }

  private createNetns(): void {
    sh('ip', 'netns', 'add', this.netns);
    this.ipn('link', 'set', 'lo', 'up');
    for (const [iface, peer, mac, cidr] of [
      [CLIENT_IFACE, 'vxbc1', CLIENT_NET_MAC, '10.200.1.1/24'],
      [MEMBER_IFACE, 'vxbm1', MEMBER_NET_MAC, `${SNAT_ADDR}/24`],
    ] as const) {
      this.ipn('link', 'add', iface, 'address', mac, 'type', 'veth', 'peer', 'name', peer);
      this.ipn('addr', 'add', cidr, 'dev', iface);
      this.ipn('link', 'set', iface, 'up');
      this.ipn('link', 'set', peer, 'up');
    }
    this.ipn('neigh', 'replace', CLIENT.addr, 'lladdr', CLIENT.mac, 'dev', CLIENT_IFACE, 'nud', 'permanent');
    for (const m of MEMBERS) {
      this.ipn('neigh', 'replace', m.addr, 'lladdr', m.mac, 'dev', MEMBER_IFACE, 'nud', 'permanent');
    }
    // bpf_fib_lookup answers FWD_DISABLED unless the namespace forwards.
    sh('nsenter', `--net=/run/netns/${this.netns}`, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  }

  private destroy(): void {
    if (this.obj) this.addon.closeObject(this.obj);
    this.obj = undefined;
    rmSync(this.pinRoot, { recursive: true, force: true });
    try {
      sh('ip', 'netns', 'del', this.netns);
    } catch {
      // not created
    }
  }

  override fd(map: string): number {
    const fd = this.fds.get(map);
    if (fd === undefined) throw new Error(`map ${map} not in the object`);
    return fd;
  }

  protected override mapInfos(): ReturnType<NativeAddon['objectMaps']> {
    if (!this.obj) throw new Error('the fixture is torn down');
    return this.addon.objectMaps(this.obj);
  }

  /** Runs ops in the namespace's child process (pinned to `cpu` if given); one process for the batch. */
  private inNetns(ops: object[], cpu?: number): Record<string, unknown>[] {
    const cmd = ['nsenter', `--net=/run/netns/${this.netns}`, process.execPath, runnerPath];
    if (cpu !== undefined) cmd.unshift('taskset', '-c', String(cpu));
    const out = execFileSync(cmd[0]!, cmd.slice(1), {
      input: JSON.stringify({ progPin: this.progPin, txPortsPin: join(this.pinRoot, MapName.txPorts), ops }),
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(out) as Record<string, unknown>[];
  }

  /** BPF_PROG_TEST_RUN of each packet, in order. */
  run(...packets: Buffer[]): RunResult[] {
    return this.inNetns(packets.map((p) => ({ op: 'run', packet: p.toString('hex') }))).map((r) => ({
      retval: r.retval as number,
      data: Buffer.from(r.data as string, 'hex'),
    }));
  }

  /** BPF_PROG_TEST_RUN of each packet, in order, all on one CPU (per-CPU state such as lb_rr). */
  runOnCpu(cpu: number, packets: Buffer[]): RunResult[] {
    return this.inNetns(
      packets.map((p) => ({ op: 'run', packet: p.toString('hex') })),
      cpu,
    ).map((r) => ({ retval: r.retval as number, data: Buffer.from(r.data as string, 'hex') }));
  }

  runOne(packet: Buffer): RunResult {
    return this.run(packet)[0]!;
  }

  /** BPF_PROG_TEST_RUN of a packet arriving on a namespace interface (ctx->ingress_ifindex). */
  runOn(ingress: string, packet: Buffer): RunResult {
    const r = this.inNetns([{ op: 'run', packet: packet.toString('hex'), ingress }])[0]!;
    return { retval: r.retval as number, data: Buffer.from(r.data as string, 'hex') };
  }

  /** The ifindex of a namespace interface. */
  ifIndex(ifname: string): number {
    return this.inNetns([{ op: 'ifindex', ifname }])[0]!.ifindex as number;
  }

  /** A permanent neighbour entry on a namespace interface. */
  setNeighbour(addr: string, mac: string, iface: string): void {
    this.ipn('neigh', 'replace', addr, 'lladdr', mac, 'dev', iface, 'nud', 'permanent');
  }

  /** Sets a namespace interface's MTU (what bpf_fib_lookup checks a packet's length against). */
  setMtu(iface: string, mtu: number): void {
    this.ipn('link', 'set', iface, 'mtu', String(mtu));
  }

  /** Adds an address to a namespace interface (gone with the namespace at teardown). */
  addAddress(addr: string, iface: string): void {
    this.ipn('addr', 'add', addr.includes(':') ? `${addr}/128` : `${addr}/32`, 'dev', iface);
  }

  /** Forgets a neighbour, as when its entry ages out or was never learnt. */
  deleteNeighbour(addr: string, iface: string): void {
    this.ipn('neigh', 'del', addr, 'dev', iface);
  }

  /** The namespace's neighbour entry for addr on iface, if any (`ip neigh show` line). */
  neighbour(addr: string, iface: string): string {
    return sh('ip', '-n', this.netns, 'neigh', 'show', addr, 'dev', iface).trim();
  }

  /** Lets the program redirect to a namespace interface (DEVMAP entries resolve in the caller's namespace). */
  allowTxPort(ifname: string): number {
    return this.inNetns([{ op: 'txPort', ifname }])[0]!.ifindex as number;
  }
}
