// The data plane's state in plain values: what the maps hold (or should hold), keyed the
// way the maps are, but with addresses as text (canonical form, see address.ts) so it can
// be compared and printed.
export type L4Protocol = 'TCP' | 'UDP';
/** ICMP: the VIP address answers echo (IPPROTO_ICMP or IPPROTO_ICMPV6 by its family, port 0). */
export type VipProtocol = L4Protocol | 'ICMP';

export interface VipEntry {
  address: string;
  port: number;
  protocol: VipProtocol;
  flags: number; // LB_VIP_F_*
  ringId: number;
  vipId: number; // LB_MAX_VIPS for ICMP entries: no counters of their own
  connLimit: number; // 0 = unlimited
  idleTimeoutMs: number;
  synTimeoutMs: number;
}

export interface BackendEntry {
  address: string;
  port: number;
  snat: string; // the amphora's address on the member's network, of the member's family
  flags: number; // LB_BACKEND_F_*
  weight: number; // 0 when draining
}

/** One lb_allowed_cidrs entry: a source prefix allowed to open flows to a VIP. */
export interface CidrEntry {
  vipId: number;
  address: string; // network address (host bits zero)
  prefix: number;
}

export interface MapState {
  vips: Map<string, VipEntry>; // by vipKeyId
  backends: Map<number, BackendEntry>; // by backend id
  rings: Map<number, Uint32Array>; // ring id -> per slot backend id + 1 (0 = empty)
  cidrs: Map<string, CidrEntry>; // by cidrKeyId
}

export function vipKeyId(v: { address: string; port: number; protocol: VipProtocol }): string {
  return `${v.protocol} ${v.address} ${v.port}`;
}

export function cidrKeyId(c: CidrEntry): string {
  return `${c.vipId} ${c.address}/${c.prefix}`;
}

export function emptyState(): MapState {
  return { vips: new Map(), backends: new Map(), rings: new Map(), cidrs: new Map() };
}

/** Which ids belong to which objects, so ids stay stable across applies. */
export interface Allocations {
  vipIds: Map<string, number>; // listener id -> vip id
  backendIds: Map<string, number>; // member id -> backend id
  rings: Map<string, number>; // pool id -> active ring id (the pair is ring >> 1)
}

export function emptyAllocations(): Allocations {
  return { vipIds: new Map(), backendIds: new Map(), rings: new Map() };
}
