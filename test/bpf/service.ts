// The service most packet tests use: a TCP and a UDP VIP balanced over the fixture's
// three members by Maglev rings, SNAT from the amphora's member-network address.
import { maglevTable } from '../../src/dataplane/maglev.js';
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  LB_BACKEND_F_ENABLED,
  LB_VIP_F_ENABLED,
} from '../../src/dataplane/codecs.js';
import { MEMBERS, SNAT_ADDR, type LbFixture } from './lb-fixture.js';

export const VIP = '10.200.1.100';
export const TCP_SERVICE = { port: 80, memberPort: 8080, vipId: 1, ringId: 0, firstBackend: 0 };
export const UDP_SERVICE = { port: 53, memberPort: 5353, vipId: 2, ringId: 1, firstBackend: 3 };
export const SNAT_RANGE = { snatPortMin: 10000, snatPortMax: 59999, flags: 0 };

/** Backend id of member i of a service. */
export function backendId(service: typeof TCP_SERVICE, member: number): number {
  return service.firstBackend + member;
}

export function installServices(fx: LbFixture): void {
  fx.setSettings(SNAT_RANGE);
  for (const [service, proto] of [
    [TCP_SERVICE, IPPROTO_TCP],
    [UDP_SERVICE, IPPROTO_UDP],
  ] as const) {
    MEMBERS.forEach((m, i) =>
      fx.setBackend(backendId(service, i), {
        addr: m.addr,
        snat: SNAT_ADDR,
        port: service.memberPort,
        flags: LB_BACKEND_F_ENABLED,
      }),
    );
    const ring = maglevTable(
      MEMBERS.map((m, i) => ({ id: backendId(service, i), weight: 1, key: `${proto}-${m.addr}` })),
    );
    fx.setRing(service.ringId, ring);
    fx.setVip(
      { addr: VIP, port: service.port, proto },
      { flags: LB_VIP_F_ENABLED, ringId: service.ringId, vipId: service.vipId },
    );
  }
}

/** The member (index into MEMBERS) with this address. */
export function memberIndex(addr: string): number {
  const i = MEMBERS.findIndex((m) => m.addr === addr);
  if (i < 0) throw new Error(`${addr} is not a member`);
  return i;
}
