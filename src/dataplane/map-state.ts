// Reading the service maps back into a MapState: how a restarted agent learns what the
// pinned data plane serves, and how the applier resynchronises after a failed write.
import type { NativeAddon } from '../native/native.js';
import {
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  LAYOUT,
  LB_FAMILY_IPV4,
  LB_FAMILY_IPV6,
  LB_MAX_BACKENDS,
  LB_RING_SIZE,
  bytesToAddr,
  decodeBackend,
  decodeU32,
  decodeVipKey,
  decodeVipMeta,
  encodeU32,
  familyOf,
} from './codecs.js';
import type { LbMaps } from './maps.js';
import { cidrKeyId, emptyState, vipKeyId, type CidrEntry, type MapState, type VipProtocol } from './state.js';

const PROTOCOLS = new Map<number, VipProtocol>([
  [IPPROTO_TCP, 'TCP'],
  [IPPROTO_UDP, 'UDP'],
  [IPPROTO_ICMP, 'ICMP'],
  [IPPROTO_ICMPV6, 'ICMP'],
]);

/**
 * lb_cidr_key has no family: it is its VIP's. Without a VIP entry (a stale key), a
 * prefix longer than 32 bits or bits past the first word mean IPv6; either reading
 * encodes back to the same bytes, which is all a deletion needs.
 */
function decodeCidrKey(key: Buffer, vipFamilies: Map<number, number>): CidrEntry {
  const o = LAYOUT.lb_cidr_key.offsets;
  const vipId = key.readUInt32LE(o.vip_id);
  const prefix = key.readUInt32LE(o.prefixlen) - 32;
  const tailUsed = key.subarray(o.addr + 4, o.addr + 16).some((b) => b !== 0);
  const family = vipFamilies.get(vipId) ?? (prefix > 32 || tailUsed ? LB_FAMILY_IPV6 : LB_FAMILY_IPV4);
  return { vipId, address: bytesToAddr(key, o.addr, family), prefix };
}

export function readMapState(nat: NativeAddon, maps: LbMaps): MapState {
  const state = emptyState();
  for (let key = nat.mapNextKey(maps.vips, null); key; key = nat.mapNextKey(maps.vips, key)) {
    const value = nat.mapLookup(maps.vips, key);
    if (!value) continue;
    const k = decodeVipKey(key);
    const protocol = PROTOCOLS.get(k.proto);
    if (!protocol) continue;
    const entry = { address: k.addr, port: k.port, protocol, ...decodeVipMeta(value) };
    state.vips.set(vipKeyId(entry), entry);
  }
  for (let id = 0; id < LB_MAX_BACKENDS; id++) {
    const value = nat.mapLookup(maps.backends, encodeU32(id));
    const b = value && decodeBackend(value);
    if (b) {
      state.backends.set(id, {
        address: b.addr,
        port: b.port,
        snat: b.snat,
        flags: b.flags,
        weight: b.weight,
      });
    }
  }
  const services = [...state.vips.values()].filter((v) => v.protocol !== 'ICMP');
  for (const ringId of new Set(services.map((v) => v.ringId))) {
    const ring = new Uint32Array(LB_RING_SIZE);
    for (let slot = 0; slot < LB_RING_SIZE; slot++) {
      const value = nat.mapLookup(maps.rings, encodeU32(ringId * LB_RING_SIZE + slot));
      ring[slot] = value ? decodeU32(value) : 0;
    }
    state.rings.set(ringId, ring);
  }
  const vipFamilies = new Map(services.map((v) => [v.vipId, familyOf(v.address)]));
  const cidr = maps.allowedCidrs;
  for (let key = nat.mapNextKey(cidr, null); key; key = nat.mapNextKey(cidr, key)) {
    const entry = decodeCidrKey(key, vipFamilies);
    state.cidrs.set(cidrKeyId(entry), entry);
  }
  return state;
}
