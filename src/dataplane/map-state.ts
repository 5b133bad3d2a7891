// Reading the service maps back into a MapState: how a restarted agent learns what the
// pinned data plane serves, and how the applier resynchronises after a failed write.
import type { NativeAddon } from '../native/native.js';
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  LB_MAX_BACKENDS,
  LB_RING_SIZE,
  decodeBackend,
  decodeU32,
  decodeVipKey,
  decodeVipMeta,
  encodeU32,
} from './codecs.js';
import type { LbMaps } from './maps.js';
import { emptyState, vipKeyId, type MapState } from './state.js';

export function readMapState(nat: NativeAddon, maps: LbMaps): MapState {
  const state = emptyState();
  for (let key = nat.mapNextKey(maps.vips, null); key; key = nat.mapNextKey(maps.vips, key)) {
    const value = nat.mapLookup(maps.vips, key);
    if (!value) continue;
    const k = decodeVipKey(key);
    if (k.proto !== IPPROTO_TCP && k.proto !== IPPROTO_UDP) continue;
    const meta = decodeVipMeta(value);
    const entry = {
      address: k.addr,
      port: k.port,
      protocol: k.proto === IPPROTO_TCP ? 'TCP' : 'UDP',
      ...meta,
    } as const;
    state.vips.set(vipKeyId(entry), entry);
  }
  for (let id = 0; id < LB_MAX_BACKENDS; id++) {
    const value = nat.mapLookup(maps.backends, encodeU32(id));
    const b = value && decodeBackend(value);
    if (b) state.backends.set(id, { address: b.addr, port: b.port, snat: b.snat, flags: b.flags });
  }
  for (const ringId of new Set([...state.vips.values()].map((v) => v.ringId))) {
    const ring = new Uint32Array(LB_RING_SIZE);
    for (let slot = 0; slot < LB_RING_SIZE; slot++) {
      const value = nat.mapLookup(maps.rings, encodeU32(ringId * LB_RING_SIZE + slot));
      ring[slot] = value ? decodeU32(value) : 0;
    }
    state.rings.set(ringId, ring);
  }
  return state;
}
