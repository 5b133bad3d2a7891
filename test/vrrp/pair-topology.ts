// The namespaces, links and addresses of a VRRP pair lab (pair.ts runs the agents in it).
// Namespaces vxvr<tag>-<pid>-*, interfaces vxvr*; addresses 10.223.<S>.0/24 (VIP network)
// and 10.223.<S+1>.0/24 (member network), IPv6 likewise in fd00:223:<S>::/64.
//   cli [vxvrcli0 .10] ---\                               /--- [vxvreth0 .21] m1
//                          vxvrbr0 (fab) vxvrbr1 ---------
//   a [vxvrvip0 .11] ----/ |         | \---- [vxvrmem0 .11] a
//   b [vxvrvip0 .12] ------/         \------ [vxvrmem0 .12] b
// Floating (keepalived moves them): VIP .100 and ::100 on vxvrvip0, SNAT .100 on vxvrmem0.
import { join } from 'node:path';
import type { Netns } from '../lib/netns.js';
import { root } from '../agent/l4-topology.js';

export const VIP_IF = 'vxvrvip0';
export const MEM_IF = 'vxvrmem0';

export interface AmphoraPlan {
  name: 'a' | 'b';
  ns: string;
  amphoraId: string;
  vrrpIp: string;
  vipIface: string[];
  memIface: string[];
  fabPort: string; // the bridge side of its VIP veth: set down to cut its VIP link
}

export class PairPlan {
  readonly prefix: string;
  readonly fab: string;
  readonly client: string;
  readonly member: { ns: string; address: string; address6: string };
  readonly vip: string;
  readonly vip6: string;
  readonly vipCidr: string;
  readonly vip6Cidr: string;
  readonly snatCidr: string;
  readonly a: AmphoraPlan;
  readonly b: AmphoraPlan;

  constructor(
    readonly tag: string,
    readonly subnet: number,
  ) {
    const p = `vxvr${tag}-${process.pid}`;
    const s = subnet;
    this.prefix = p;
    this.fab = `${p}-fab`;
    this.client = `${p}-cli`;
    this.member = { ns: `${p}-m1`, address: `10.223.${s + 1}.21`, address6: `fd00:223:${s + 1}::21` };
    this.vip = `10.223.${s}.100`;
    this.vip6 = `fd00:223:${s}::100`;
    this.vipCidr = `${this.vip}/24`;
    this.vip6Cidr = `${this.vip6}/64`;
    this.snatCidr = `10.223.${s + 1}.100/24`;
    const amp = (name: 'a' | 'b', host: number, port: string): AmphoraPlan => ({
      name,
      ns: `${p}-${name}`,
      amphoraId: `${p}-${name}`,
      vrrpIp: `10.223.${s}.${host}`,
      vipIface: [`10.223.${s}.${host}/24`, `fd00:223:${s}::${host}/64`],
      memIface: [`10.223.${s + 1}.${host}/24`, `fd00:223:${s + 1}::${host}/64`],
      fabPort: port,
    });
    this.a = amp('a', 11, `vxvr${tag}pa`);
    this.b = amp('b', 12, `vxvr${tag}pb`);
  }
}

/** Create the namespaces and links of `plan` (removed by net.cleanup()). */
export function buildPair(net: Netns, plan: PairPlan): void {
  const fab = net.add(plan.fab);
  for (const br of ['vxvrbr0', 'vxvrbr1']) {
    net.ip(fab, 'link', 'add', br, 'type', 'bridge');
    net.ip(fab, 'link', 'set', br, 'up');
  }
  let n = 0;
  const plug = (
    ns: string,
    ifname: string,
    bridge: string,
    cidrs: string[],
    amphora: boolean,
    port?: string,
  ): void => {
    const peer = port ?? `vxvr${plan.tag}p${n++}`;
    net.veth(ns, ifname, fab, peer);
    net.ip(fab, 'link', 'set', peer, 'master', bridge);
    for (const c of cidrs) net.ip(ns, 'addr', 'add', c, 'dev', ifname, ...(c.includes(':') ? ['nodad'] : []));
    // XDP redirects into the amphora's veths are delivered by their peers: NAPI needed.
    if (amphora) {
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
    } else {
      net.exec(ns, 'ethtool', ['-K', ifname, 'tx', 'off']); // full checksums for XDP to rewrite
    }
  };
  const s = plan.subnet;
  net.add(plan.client);
  plug(plan.client, 'vxvrcli0', 'vxvrbr0', [`10.223.${s}.10/24`, `fd00:223:${s}::10/64`], false);
  for (const amp of [plan.a, plan.b]) {
    net.add(amp.ns);
    plug(amp.ns, VIP_IF, 'vxvrbr0', amp.vipIface, true, amp.fabPort);
    plug(amp.ns, MEM_IF, 'vxvrbr1', amp.memIface, true);
  }
  net.add(plan.member.ns);
  plug(
    plan.member.ns,
    'vxvreth0',
    'vxvrbr1',
    [`${plan.member.address}/24`, `${plan.member.address6}/64`],
    false,
  );
}
