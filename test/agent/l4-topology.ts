// The namespaces, veths and addresses of an l4-* lab, and the build artifacts it runs.
// Namespaces are vxl<tag>-<pid>-*, interfaces vxl*; addresses in 10.211.0.0/16 and fd00:211::/32.
//   <ns>-cli [vxlcli0 .S.10, .S.20+]--\                  /--[vxleth0 .S+1.11] <ns>-m1
//                                vxlbr0 (fab) vxlbr1 --- [vxleth0 .S+1.12] <ns>-m2 ...
//   <ns>-amp [vxlvip0 .S.2 + VIP .S.100]--/ \--[vxlmem0 .S+1.2]
// (IPv6 likewise: fd00:211:S::10, ::100, fd00:211:S+1::11 ...)
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Netns } from '../lib/netns.js';
import type { LabAddresses } from './l4-config.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LabOptions {
  tag: string; // one letter or digit: namespaces vxl<tag>-<pid>-*
  subnet: number; // even, 2..250: 10.211.<subnet>.0/24 client side, <subnet+1> member side
  members: number;
  clientSources?: number; // extra client addresses .20, .21, ... and ::20, ::21, ...
}

export interface LabMember {
  name: string;
  ns: string;
  address: string;
  address6: string;
}

/** Every name and address of a lab, derived from its options. */
export class LabPlan implements LabAddresses {
  readonly amphoraId: string;
  readonly vip: string;
  readonly vip6: string;
  readonly vipIface: string[];
  readonly memIface: string[];
  readonly members: LabMember[] = [];
  readonly clientSources: string[] = [];
  readonly clientSources6: string[] = [];
  readonly fab: string;
  readonly client: string;
  readonly amp: string;
  readonly pinRoot: string;

  constructor(readonly opts: LabOptions) {
    const s = opts.subnet;
    // The pid keeps two runs of the same test apart: namespaces and bpffs are machine-wide.
    const p = `vxl${opts.tag}-${process.pid}`;
    this.amphoraId = `${p}-amp`;
    this.vip = `10.211.${s}.100`;
    this.vip6 = `fd00:211:${s}::100`;
    this.vipIface = [`10.211.${s}.2/24`, `fd00:211:${s}::2/64`];
    this.memIface = [`10.211.${s + 1}.2/24`, `fd00:211:${s + 1}::2/64`];
    this.pinRoot = `/sys/fs/bpf/${p}`;
    this.fab = `${p}-fab`;
    this.client = `${p}-cli`;
    this.amp = `${p}-amp`;
    for (let i = 0; i < (opts.clientSources ?? 0); i++) {
      this.clientSources.push(`10.211.${s}.${20 + i}`);
      this.clientSources6.push(`fd00:211:${s}::${20 + i}`);
    }
    for (let i = 1; i <= opts.members; i++)
      this.members.push({
        name: `m${i}`,
        ns: `${p}-m${i}`,
        address: `10.211.${s + 1}.${10 + i}`,
        address6: `fd00:211:${s + 1}::${10 + i}`,
      });
  }
}

/** Create the namespaces and links of `plan` (removed by net.cleanup()). */
export function buildTopology(net: Netns, plan: LabPlan): void {
  const fab = net.add(plan.fab);
  for (const br of ['vxlbr0', 'vxlbr1']) {
    net.ip(fab, 'link', 'add', br, 'type', 'bridge');
    net.ip(fab, 'link', 'set', br, 'up');
  }
  let port = 0;
  const plug = (ns: string, ifname: string, bridge: string, cidrs: string[], xdpPeer: boolean): void => {
    const peer = `vxl${plan.opts.tag}p${port++}`;
    net.veth(ns, ifname, fab, peer);
    net.ip(fab, 'link', 'set', peer, 'master', bridge);
    for (const c of cidrs) net.ip(ns, 'addr', 'add', c, 'dev', ifname, ...(c.includes(':') ? ['nodad'] : []));
    // Frames XDP redirects into the amphora's veths are delivered by their peers: NAPI needed.
    if (xdpPeer)
      net.ip(
        fab,
        'link',
        'set',
        'dev',
        peer,
        'xdpdrv',
        'obj',
        join(root, 'bpf/xdp_pass.bpf.o'),
        'sec',
        'xdp',
      );
    // Clients and members must send full checksums (XDP cannot finish CHECKSUM_PARTIAL).
    else net.exec(ns, 'ethtool', ['-K', ifname, 'tx', 'off']);
  };
  const s = plan.opts.subnet;
  net.add(plan.client);
  const clientCidrs = [`10.211.${s}.10/24`, `fd00:211:${s}::10/64`];
  clientCidrs.push(...plan.clientSources.map((a) => `${a}/24`), ...plan.clientSources6.map((a) => `${a}/64`));
  plug(plan.client, 'vxlcli0', 'vxlbr0', clientCidrs, false);
  net.add(plan.amp);
  plug(plan.amp, 'vxlvip0', 'vxlbr0', [...plan.vipIface, `${plan.vip}/32`, `${plan.vip6}/128`], true);
  plug(plan.amp, 'vxlmem0', 'vxlbr1', plan.memIface, true);
  for (const m of plan.members) {
    net.add(m.ns);
    plug(m.ns, 'vxleth0', 'vxlbr1', [`${m.address}/24`, `${m.address6}/64`], false);
  }
}

/** The most recently modified file under `dir` (recursively) whose name matches, or null. */
function newestSource(dir: string, match: RegExp): { path: string; mtimeMs: number } | null {
  let best: { path: string; mtimeMs: number } | null = null;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (match.test(e.name)) {
        const m = statSync(p).mtimeMs;
        if (!best || m > best.mtimeMs) best = { path: p, mtimeMs: m };
      }
    }
  };
  walk(dir);
  return best;
}

/** Fail, naming the build step, when an artifact the lab runs is missing or older than its sources. */
export function requireBuilt(): void {
  // artifact, the directory of its sources, which files there it is built from (as the Makefile)
  const need: [string, string, RegExp, string][] = [
    ['build/Release/velox_native.node', 'native', /\.(cc|h)$/, 'make addon'],
    ['bpf/xdp_lb.bpf.o', 'bpf', /^(xdp_lb\.bpf\.c|.*\.h)$/, 'make bpf'],
    ['bpf/xdp_pass.bpf.o', 'bpf', /^(xdp_pass\.bpf\.c|.*\.h)$/, 'make bpf'],
    ['dist/src/main.js', 'src', /\.ts$/, 'make build'],
  ];
  for (const [file, dir, match, step] of need) {
    const path = join(root, file);
    if (!existsSync(path)) throw new Error(`${file} is missing: run ${step}`);
    const newest = newestSource(join(root, dir), match);
    if (newest && newest.mtimeMs > statSync(path).mtimeMs)
      throw new Error(`${file} is older than ${newest.path}: run ${step}`);
  }
}
