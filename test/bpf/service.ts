// The service most packet tests use: a TCP and a UDP VIP balanced over the fixture's
// three members by Maglev rings, SNAT from the amphora's member-network address.
import { maglevTable } from '../../src/dataplane/maglev.js';
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  LB_BACKEND_F_ENABLED,
  LB_VIP_F_ENABLED,
  type VipMeta,
} from '../../src/dataplane/codecs.js';
import { MEMBERS, SNAT_ADDR, type LbFixture } from './lb-fixture.js';

export const VIP = '10.200.1.100';
export const TCP_SERVICE = { port: 80, memberPort: 8080, vipId: 1, ringId: 0, firstBackend: 0 };
export const UDP_SERVICE = { port: 53, memberPort: 5353, vipId: 2, ringId: 1, firstBackend: 3 };
export const SNAT_RANGE = { snatPortMin: 10000, snatPortMax: 59999, flags: 0, closingTimeoutMs: 10_000 };
/** The per-VIP limits and timeouts most tests use: unlimited, Octavia's 50 s data and 5 s connect timeouts. */
export const VIP_LIMITS = { connLimit: 0, idleTimeoutMs: 50_000, synTimeoutMs: 5_000 };

/** A lb_vip_meta with VIP_LIMITS unless overridden. */
export function vipMeta(m: { flags: number; ringId: number; vipId: number } & Partial<VipMeta>): VipMeta {
  return { ...VIP_LIMITS, ...m };
}

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
        weight: 1,
      }),
    );
    const ring = maglevTable(
      MEMBERS.map((m, i) => ({ id: backendId(service, i), weight: 1, key: `${proto}-${m.addr}` })),
    );
    fx.setRing(service.ringId, ring);
    fx.setVip(
      { addr: VIP, port: service.port, proto },
      vipMeta({ flags: LB_VIP_F_ENABLED, ringId: service.ringId, vipId: service.vipId }),
    );
  }
}

/** The member (index into MEMBERS) with this address. */
export function memberIndex(addr: string): number {
  const i = MEMBERS.findIndex((m) => m.addr === addr);
  if (i < 0) throw new Error(`${addr} is not a member`);
  return i;
}

export interface ExtraVip {
  addr: string;
  port: number;
  proto: number;
  vipId: number;
  ringId: number;
  flags: number;
  /** Backend id of MEMBERS[0]; the others follow. */
  firstBackend: number;
  /** lb_backend.weight of each member (default 1 each). */
  weights?: number[];
  /** Maglev weights of the ring (default: `weights`). */
  ringWeights?: number[];
  limits?: Partial<VipMeta>;
}

/** A VIP of its own over the fixture's members (port 8080); returns the members' backend ids. */
export function installVip(fx: LbFixture, v: ExtraVip): number[] {
  const weights = v.weights ?? MEMBERS.map(() => 1);
  const ids = MEMBERS.map((_, i) => v.firstBackend + i);
  MEMBERS.forEach((m, i) =>
    fx.setBackend(ids[i]!, {
      addr: m.addr,
      snat: SNAT_ADDR,
      port: 8080,
      flags: LB_BACKEND_F_ENABLED,
      weight: weights[i]!,
    }),
  );
  const ringWeights = v.ringWeights ?? weights;
  fx.setRing(
    v.ringId,
    maglevTable(
      MEMBERS.map((m, i) => ({ id: ids[i]!, weight: ringWeights[i]!, key: `${v.vipId}-${m.addr}` })),
    ),
  );
  fx.setVip(
    { addr: v.addr, port: v.port, proto: v.proto },
    vipMeta({ flags: v.flags, ringId: v.ringId, vipId: v.vipId, ...v.limits }),
  );
  return ids;
}
