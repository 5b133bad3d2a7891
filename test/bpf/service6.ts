// The IPv6 twin of service.ts: the fixture's namespace also gets IPv6 (fd00:206::/32) on
// its two interfaces, permanent neighbours for an IPv6 client and three IPv6 members, and
// IPv6 forwarding; then a TCP and a UDP VIP on an IPv6 address balanced over those members.
import { execFileSync } from 'node:child_process';
import { maglevTable } from '../../src/dataplane/maglev.js';
import { native } from '../../src/native/native.js';
import {
  decodeFlow,
  encodeFlowKey,
  IPPROTO_TCP,
  IPPROTO_UDP,
  LB_BACKEND_F_ENABLED,
  LB_FAMILY_IPV6,
  LB_VIP_F_ENABLED,
  MapName,
  type Flow,
  type FlowKey,
} from '../../src/dataplane/codecs.js';
import { CLIENT, CLIENT_IFACE, MEMBERS, MEMBER_IFACE, type LbFixture } from './lb-fixture.js';
import { vipMeta } from './service.js';

export const CLIENT6 = { addr: 'fd00:206:1::10', mac: CLIENT.mac };
export const SNAT6 = 'fd00:206:2::1'; // the amphora on the member network
export const MEMBERS6 = MEMBERS.map((m, i) => ({ addr: `fd00:206:2::${10 + i}`, mac: m.mac }));
export const VIP6 = 'fd00:206:1::100';
// Ring, backend and stats slots clear of service.ts's.
export const TCP6_SERVICE = { port: 80, memberPort: 8080, vipId: 3, ringId: 2, firstBackend: 6 };
export const UDP6_SERVICE = { port: 53, memberPort: 5353, vipId: 4, ringId: 3, firstBackend: 9 };

export function backendId6(service: typeof TCP6_SERVICE, member: number): number {
  return service.firstBackend + member;
}

/** The member (index into MEMBERS6) with this address. */
export function member6Index(addr: string): number {
  const i = MEMBERS6.findIndex((m) => m.addr === addr);
  if (i < 0) throw new Error(`${addr} is not an IPv6 member`);
  return i;
}

/** IPv6 addresses, neighbours and forwarding in the fixture's namespace (removed with it). */
export function installIpv6Network(fx: LbFixture): void {
  const ipn = (...args: string[]): string =>
    execFileSync('ip', ['-n', fx.netns, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // nodad: usable at once, so bpf_fib_lookup finds the connected routes.
  ipn('-6', 'addr', 'add', 'fd00:206:1::1/64', 'dev', CLIENT_IFACE, 'nodad');
  ipn('-6', 'addr', 'add', `${SNAT6}/64`, 'dev', MEMBER_IFACE, 'nodad');
  fx.setNeighbour(CLIENT6.addr, CLIENT6.mac, CLIENT_IFACE);
  for (const m of MEMBERS6) fx.setNeighbour(m.addr, m.mac, MEMBER_IFACE);
  // bpf_fib_lookup answers FWD_DISABLED unless the ingress device forwards.
  execFileSync('nsenter', [
    `--net=/run/netns/${fx.netns}`,
    'sysctl',
    '-qw',
    'net.ipv6.conf.all.forwarding=1',
  ]);
}

export function installIpv6Services(fx: LbFixture): void {
  for (const [service, proto] of [
    [TCP6_SERVICE, IPPROTO_TCP],
    [UDP6_SERVICE, IPPROTO_UDP],
  ] as const) {
    MEMBERS6.forEach((m, i) =>
      fx.setBackend(backendId6(service, i), {
        addr: m.addr,
        snat: SNAT6,
        port: service.memberPort,
        flags: LB_BACKEND_F_ENABLED,
        weight: 1,
      }),
    );
    const ring = maglevTable(
      MEMBERS6.map((m, i) => ({ id: backendId6(service, i), weight: 1, key: `${proto}-${m.addr}` })),
    );
    fx.setRing(service.ringId, ring);
    fx.setVip(
      { addr: VIP6, port: service.port, proto },
      vipMeta({ flags: LB_VIP_F_ENABLED, ringId: service.ringId, vipId: service.vipId }),
    );
  }
}

/** A conntrack entry of an IPv6 flow (the fixture's flow() decodes addresses as IPv4). */
export function flow6(fx: LbFixture, key: FlowKey): Flow | null {
  const value = native().mapLookup(fx.fd(MapName.flows), encodeFlowKey(key));
  return value ? decodeFlow(value, LB_FAMILY_IPV6) : null;
}
