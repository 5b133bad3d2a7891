// The data plane's state in plain values: what the maps hold (or should hold), keyed the
// way the maps are, but with addresses as text so it can be compared and printed.
export type L4Protocol = 'TCP' | 'UDP';

export interface VipEntry {
  address: string;
  port: number;
  protocol: L4Protocol;
  flags: number; // LB_VIP_F_*
  ringId: number;
  vipId: number;
}

export interface BackendEntry {
  address: string;
  port: number;
  snat: string; // the amphora's address on the member's network
  flags: number; // LB_BACKEND_F_*
}

export interface MapState {
  vips: Map<string, VipEntry>; // by vipKeyId
  backends: Map<number, BackendEntry>; // by backend id
  rings: Map<number, Uint32Array>; // ring id -> per slot backend id + 1 (0 = empty)
}

export function vipKeyId(v: { address: string; port: number; protocol: L4Protocol }): string {
  return `${v.protocol} ${v.address} ${v.port}`;
}

export function emptyState(): MapState {
  return { vips: new Map(), backends: new Map(), rings: new Map() };
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
