// Byte codecs for the structs of bpf/lb.h, the one contract of the XDP maps.
// test/dataplane/layout.test.ts checks every size, offset and constant here against
// what the C compiler reports through the addon.
//
// Byte order: addresses, ports and MACs are network order (big endian) as in the header;
// every other integer is host order, which is little endian on the hosts we run on
// (x86_64, arm64). In TypeScript, ports are plain numbers, addresses dotted quads and
// MACs colon-separated lower-case hex.

import { isIPv4, isIPv6 } from 'node:net';

export const LB_MAX_VIPS = 512;
export const LB_MAX_BACKENDS = 4096;
export const LB_RING_SIZE = 16381;
export const LB_MAX_RINGS = 64;
export const LB_MAX_FLOWS = 262144;
export const LB_MAX_IFACES = 64;
export const LB_SNAT_PROBES = 16;
export const LB_MAX_CIDRS = 4096;

export const LB_FAMILY_IPV4 = 4;
export const LB_FAMILY_IPV6 = 6;
export const LB_VIP_F_ENABLED = 1;
export const LB_VIP_F_HASH_SRC_IP = 1 << 1;
export const LB_VIP_F_ROUND_ROBIN = 1 << 2;
export const LB_VIP_F_LEAST_CONN = 1 << 3;
export const LB_VIP_F_ALLOWED_CIDRS = 1 << 4;
export const LB_BACKEND_F_ENABLED = 1;
/** lb_flow.state */
export const LB_CT_UDP = 0;
export const LB_CT_SYN_SENT = 1;
export const LB_CT_ESTABLISHED = 2;
export const LB_CT_CLOSING = 3;
export const LB_DIR_FORWARD = 0;
export const LB_DIR_REVERSE = 1;

/** lb_rings entries hold backend id + 1; 0 is an empty slot. */
export const RING_EMPTY = 0;
export function ringEntry(backendId: number): number {
  return backendId + 1;
}

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMP = 1;
export const IPPROTO_ICMPV6 = 58;

/** enum lb_exit_reason: why the program returned what it did (index of lb_exit_stats). */
export const ExitReason = {
  PASS_NOT_IP: 0,
  PASS_NOT_L4: 1,
  PASS_FRAGMENT: 2,
  PASS_NOT_VIP: 3,
  DROP_MALFORMED: 4,
  DROP_NO_BACKEND: 5,
  DROP_SNAT_FULL: 6,
  DROP_FIB: 7,
  TX: 8,
  REDIRECT: 9,
  DROP_VIP_DISABLED: 10,
  DROP_NO_FLOW: 11,
  PASS_TTL: 12,
  DROP_CIDR: 13,
  DROP_CONN_LIMIT: 14,
  ICMP_ECHO_REPLY: 15,
  PASS_ICMP: 16,
  PASS_LOCAL_SOCKET: 17,
  ICMP_TOO_BIG: 18,
  DROP_TOO_BIG: 19,
} as const;
export type ExitReasonName = keyof typeof ExitReason;
export const LB_EXIT_MAX = 20;

export const MapName = {
  vips: 'lb_vips',
  rings: 'lb_rings',
  backends: 'lb_backends',
  flows: 'lb_flows',
  txPorts: 'lb_tx_ports',
  settings: 'lb_settings',
  vipStats: 'lb_vip_stats',
  backendStats: 'lb_backend_stats',
  exitStats: 'lb_exit_stats',
  vipDrops: 'lb_vip_drops',
  backendDrops: 'lb_backend_drops',
  vipOpened: 'lb_vip_opened',
  vipActive: 'lb_vip_active',
  backendOpened: 'lb_backend_opened',
  backendActive: 'lb_backend_active',
  rr: 'lb_rr',
  allowedCidrs: 'lb_allowed_cidrs',
  sweepSlots: 'lb_sweep_slots',
} as const;
export const PROG_XDP = 'xdp_lb';
export const PROG_SWEEP = 'lb_sweep';

/** Every lb.h constant by its macro name, as the addon's constants() reports them. */
export const LB_CONSTANTS: Record<string, number | string> = {
  LB_MAX_VIPS,
  LB_MAX_BACKENDS,
  LB_RING_SIZE,
  LB_MAX_RINGS,
  LB_MAX_FLOWS,
  LB_MAX_IFACES,
  LB_SNAT_PROBES,
  LB_MAX_CIDRS,
  LB_FAMILY_IPV4,
  LB_FAMILY_IPV6,
  LB_VIP_F_ENABLED,
  LB_VIP_F_HASH_SRC_IP,
  LB_VIP_F_ROUND_ROBIN,
  LB_VIP_F_LEAST_CONN,
  LB_VIP_F_ALLOWED_CIDRS,
  LB_BACKEND_F_ENABLED,
  LB_CT_UDP,
  LB_CT_SYN_SENT,
  LB_CT_ESTABLISHED,
  LB_CT_CLOSING,
  LB_DIR_FORWARD,
  LB_DIR_REVERSE,
  ...Object.fromEntries(Object.entries(ExitReason).map(([name, value]) => [`LB_EXIT_${name}`, value])),
  LB_EXIT_MAX,
  LB_MAP_VIPS: MapName.vips,
  LB_MAP_RINGS: MapName.rings,
  LB_MAP_BACKENDS: MapName.backends,
  LB_MAP_FLOWS: MapName.flows,
  LB_MAP_TX_PORTS: MapName.txPorts,
  LB_MAP_SETTINGS: MapName.settings,
  LB_MAP_VIP_STATS: MapName.vipStats,
  LB_MAP_BACKEND_STATS: MapName.backendStats,
  LB_MAP_EXIT_STATS: MapName.exitStats,
  LB_MAP_VIP_DROPS: MapName.vipDrops,
  LB_MAP_BACKEND_DROPS: MapName.backendDrops,
  LB_MAP_VIP_OPENED: MapName.vipOpened,
  LB_MAP_VIP_ACTIVE: MapName.vipActive,
  LB_MAP_BACKEND_OPENED: MapName.backendOpened,
  LB_MAP_BACKEND_ACTIVE: MapName.backendActive,
  LB_MAP_RR: MapName.rr,
  LB_MAP_ALLOWED_CIDRS: MapName.allowedCidrs,
  LB_MAP_SWEEP_SLOTS: MapName.sweepSlots,
  LB_PROG_XDP: PROG_XDP,
  LB_PROG_SWEEP: PROG_SWEEP,
};

/** Sizes and field offsets, by struct and field name as in lb.h. */
export const LAYOUT = {
  lb_vip_key: { size: 20, offsets: { addr: 0, port: 16, proto: 18, family: 19 } },
  lb_vip_meta: {
    size: 32,
    offsets: {
      flags: 0,
      ring_id: 4,
      vip_id: 8,
      conn_limit: 12,
      idle_timeout_ms: 16,
      syn_timeout_ms: 20,
      pad: 24,
    },
  },
  lb_backend: { size: 40, offsets: { addr: 0, snat: 16, port: 32, family: 34, flags: 35, weight: 36 } },
  lb_flow_key: {
    size: 40,
    offsets: { src: 0, dst: 16, sport: 32, dport: 34, proto: 36, family: 37, pad: 38 },
  },
  lb_flow: {
    size: 72,
    offsets: {
      nat_src: 0,
      nat_dst: 16,
      nat_sport: 32,
      nat_dport: 34,
      backend_id: 36,
      vip_id: 40,
      dir: 44,
      state: 45,
      sweep_mark: 46,
      l2_dst: 48,
      l2_src: 54,
      ifindex: 60,
      last_seen_ns: 64,
    },
  },
  lb_settings: {
    size: 16,
    offsets: { snat_port_min: 0, snat_port_max: 2, flags: 4, closing_timeout_ms: 8, pad: 12 },
  },
  lb_active: { size: 16, offsets: { opened_at_sweep: 0, active: 8 } },
  lb_cidr_key: { size: 24, offsets: { prefixlen: 0, vip_id: 4, addr: 8 } },
  lb_sweep_args: {
    size: 32,
    offsets: { now_ns: 0, entries: 8, expired: 12, orphaned: 16, repaired: 20, mark: 24, pad: 26, pad2: 28 },
  },
  lb_sweep_slot: {
    size: 24,
    offsets: { opened_at_sweep: 0, active: 8, idle_timeout_ms: 16, syn_timeout_ms: 20 },
  },
  lb_stats: {
    size: 48,
    offsets: { rx_packets: 0, rx_bytes: 8, tx_packets: 16, tx_bytes: 24, new_flows: 32, drops: 40 },
  },
  lb_exit_counter: { size: 16, offsets: { packets: 0, bytes: 8 } },
} as const;

export const VIP_KEY_SIZE = LAYOUT.lb_vip_key.size;
export const VIP_META_SIZE = LAYOUT.lb_vip_meta.size;
export const BACKEND_SIZE = LAYOUT.lb_backend.size;
export const FLOW_KEY_SIZE = LAYOUT.lb_flow_key.size;
export const FLOW_SIZE = LAYOUT.lb_flow.size;
export const SETTINGS_SIZE = LAYOUT.lb_settings.size;
export const STATS_SIZE = LAYOUT.lb_stats.size;
export const EXIT_COUNTER_SIZE = LAYOUT.lb_exit_counter.size;
export const ACTIVE_SIZE = LAYOUT.lb_active.size;
export const CIDR_KEY_SIZE = LAYOUT.lb_cidr_key.size;
export const U64_SIZE = 8;
/** Keys of the array maps (rings, backends, settings, stats) and the rings' values. */
export const U32_SIZE = 4;

// ---- addresses, ports, u32 -------------------------------------------------------

/** Dotted-quad IPv4 address -> 4 bytes in network order. */
export function ipv4ToBytes(addr: string): Buffer {
  const parts = addr.split('.');
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  if (bytes.length !== 4 || bytes.some((b) => !(b >= 0 && b <= 255))) {
    throw new RangeError(`not an IPv4 address: ${addr}`);
  }
  return Buffer.from(bytes);
}

/** 4 bytes in network order (at `offset`) -> dotted-quad IPv4 address. */
export function bytesToIpv4(buf: Buffer, offset = 0): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** Textual IPv6 address (with `::` and an optional dotted tail) -> 16 bytes in network order. */
export function ipv6ToBytes(addr: string): Buffer {
  if (!isIPv6(addr)) throw new RangeError(`not an IPv6 address: ${addr}`);
  let text = addr.replace(/%.*$/, '');
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const v4 = ipv4ToBytes(dotted[1] as string);
    text = `${text.slice(0, -(dotted[1] as string).length)}${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const words = (s: string | undefined): string[] => (s ? s.split(':') : []);
  const left = words(head);
  const right = words(tail);
  const all =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const buf = Buffer.alloc(16);
  all.forEach((w, i) => buf.writeUInt16BE(parseInt(w, 16), i * 2));
  return buf;
}

/** 16 bytes in network order (at `offset`) -> RFC 5952 text (lower case, longest zero run as `::`). */
export function bytesToIpv6(buf: Buffer, offset = 0): string {
  const words = Array.from({ length: 8 }, (_, i) => buf.readUInt16BE(offset + i * 2));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** An IPv4 or IPv6 address -> the 16-byte `__be32 addr[4]` of lb.h (IPv4 in the first word). */
export function addrToBytes(addr: string): Buffer {
  const buf = Buffer.alloc(16);
  (isIPv4(addr) ? ipv4ToBytes(addr) : ipv6ToBytes(addr)).copy(buf);
  return buf;
}

/** The 16-byte `addr[4]` at `offset` -> text, by family. */
export function bytesToAddr(buf: Buffer, offset: number, family: number): string {
  return family === LB_FAMILY_IPV6 ? bytesToIpv6(buf, offset) : bytesToIpv4(buf, offset);
}

export function familyOf(addr: string): number {
  if (isIPv4(addr)) return LB_FAMILY_IPV4;
  if (isIPv6(addr)) return LB_FAMILY_IPV6;
  throw new RangeError(`not an IP address: ${addr}`);
}

export const MAC_SIZE = 6;

/** 'aa:bb:cc:dd:ee:ff' -> 6 bytes as on the wire. */
export function macToBytes(mac: string): Buffer {
  const parts = mac.split(':');
  if (parts.length !== MAC_SIZE || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new RangeError(`not a MAC address: ${mac}`);
  }
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** 6 bytes (at `offset`) -> 'aa:bb:cc:dd:ee:ff'. Table-driven: the conntrack sweep decodes two per flow. */
export function bytesToMac(buf: Buffer, offset = 0): string {
  const h = (i: number): string => HEX_BYTE[buf[offset + i] as number] as string;
  return `${h(0)}:${h(1)}:${h(2)}:${h(3)}:${h(4)}:${h(5)}`;
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`not a port: ${port}`);
  return port;
}

/** A u32 key or value in host order (array map keys, ring entries). */
export function encodeU32(value: number): Buffer {
  const buf = Buffer.alloc(U32_SIZE);
  buf.writeUInt32LE(value);
  return buf;
}

export function decodeU32(buf: Buffer, offset = 0): number {
  return buf.readUInt32LE(offset);
}

/** A whole ring (e.g. from maglev.ts) as lb_rings values, back to back. */
export function encodeRing(ring: Uint32Array): Buffer {
  const buf = Buffer.alloc(ring.length * U32_SIZE);
  ring.forEach((entry, i) => buf.writeUInt32LE(entry, i * U32_SIZE));
  return buf;
}

/** Keys of the lb_rings entries of one ring row, back to back (for a batch update). */
export function ringKeys(ringId: number): Buffer {
  const buf = Buffer.alloc(LB_RING_SIZE * U32_SIZE);
  for (let slot = 0; slot < LB_RING_SIZE; slot++)
    buf.writeUInt32LE(ringId * LB_RING_SIZE + slot, slot * U32_SIZE);
  return buf;
}

// ---- structs ---------------------------------------------------------------------

export interface VipKey {
  addr: string;
  port: number;
  proto: number; // IPPROTO_TCP or IPPROTO_UDP
}

/** A VIP key; `proto` IPPROTO_ICMP/ICMPV6 with port 0 marks a VIP address answering echo. */
export function encodeVipKey(k: VipKey): Buffer {
  const o = LAYOUT.lb_vip_key.offsets;
  const buf = Buffer.alloc(VIP_KEY_SIZE);
  addrToBytes(k.addr).copy(buf, o.addr);
  buf.writeUInt16BE(checkPort(k.port), o.port);
  buf.writeUInt8(k.proto, o.proto);
  buf.writeUInt8(familyOf(k.addr), o.family);
  return buf;
}

export function decodeVipKey(buf: Buffer): VipKey {
  const o = LAYOUT.lb_vip_key.offsets;
  return {
    addr: bytesToAddr(buf, o.addr, buf.readUInt8(o.family)),
    port: buf.readUInt16BE(o.port),
    proto: buf.readUInt8(o.proto),
  };
}

export interface VipMeta {
  flags: number; // LB_VIP_F_*
  ringId: number;
  vipId: number;
  connLimit: number; // 0 = unlimited
  idleTimeoutMs: number;
  synTimeoutMs: number;
}

export function encodeVipMeta(m: VipMeta): Buffer {
  const o = LAYOUT.lb_vip_meta.offsets;
  const buf = Buffer.alloc(VIP_META_SIZE);
  buf.writeUInt32LE(m.flags, o.flags);
  buf.writeUInt32LE(m.ringId, o.ring_id);
  buf.writeUInt32LE(m.vipId, o.vip_id);
  buf.writeUInt32LE(m.connLimit, o.conn_limit);
  buf.writeUInt32LE(m.idleTimeoutMs, o.idle_timeout_ms);
  buf.writeUInt32LE(m.synTimeoutMs, o.syn_timeout_ms);
  return buf;
}

export function decodeVipMeta(buf: Buffer): VipMeta {
  const o = LAYOUT.lb_vip_meta.offsets;
  return {
    flags: buf.readUInt32LE(o.flags),
    ringId: buf.readUInt32LE(o.ring_id),
    vipId: buf.readUInt32LE(o.vip_id),
    connLimit: buf.readUInt32LE(o.conn_limit),
    idleTimeoutMs: buf.readUInt32LE(o.idle_timeout_ms),
    synTimeoutMs: buf.readUInt32LE(o.syn_timeout_ms),
  };
}

export interface Backend {
  addr: string; // member address (IPv4 or IPv6; snat is of the same family)
  snat: string; // the amphora's address on the member's network
  port: number;
  flags: number; // LB_BACKEND_F_*
  weight: number; // 0..256
}

export function encodeBackend(b: Backend): Buffer {
  const o = LAYOUT.lb_backend.offsets;
  const buf = Buffer.alloc(BACKEND_SIZE);
  const family = familyOf(b.addr);
  if (familyOf(b.snat) !== family) throw new RangeError(`SNAT ${b.snat} is not of ${b.addr}'s family`);
  addrToBytes(b.addr).copy(buf, o.addr);
  addrToBytes(b.snat).copy(buf, o.snat);
  buf.writeUInt16BE(checkPort(b.port), o.port);
  buf.writeUInt8(family, o.family);
  buf.writeUInt8(b.flags, o.flags);
  buf.writeUInt32LE(b.weight, o.weight);
  return buf;
}

/** null for an unused slot (family 0). */
export function decodeBackend(buf: Buffer): Backend | null {
  const o = LAYOUT.lb_backend.offsets;
  const family = buf.readUInt8(o.family);
  if (family === 0) return null;
  return {
    addr: bytesToAddr(buf, o.addr, family),
    snat: bytesToAddr(buf, o.snat, family),
    port: buf.readUInt16BE(o.port),
    flags: buf.readUInt8(o.flags),
    weight: buf.readUInt32LE(o.weight),
  };
}

export interface FlowKey {
  src: string; // IPv4 or IPv6, dst of the same family
  dst: string;
  sport: number;
  dport: number;
  proto: number;
}

export function encodeFlowKey(k: FlowKey): Buffer {
  const o = LAYOUT.lb_flow_key.offsets;
  const buf = Buffer.alloc(FLOW_KEY_SIZE);
  addrToBytes(k.src).copy(buf, o.src);
  addrToBytes(k.dst).copy(buf, o.dst);
  buf.writeUInt16BE(checkPort(k.sport), o.sport);
  buf.writeUInt16BE(checkPort(k.dport), o.dport);
  buf.writeUInt8(k.proto, o.proto);
  buf.writeUInt8(familyOf(k.src), o.family);
  return buf;
}

export function decodeFlowKey(buf: Buffer): FlowKey {
  const o = LAYOUT.lb_flow_key.offsets;
  const family = buf.readUInt8(o.family);
  return {
    src: bytesToAddr(buf, o.src, family),
    dst: bytesToAddr(buf, o.dst, family),
    sport: buf.readUInt16BE(o.sport),
    dport: buf.readUInt16BE(o.dport),
    proto: buf.readUInt8(o.proto),
  };
}

export interface Flow {
  natSrc: string;
  natDst: string;
  natSport: number;
  natDport: number;
  backendId: number;
  vipId: number;
  dir: number; // LB_DIR_*
  state: number;
  /** Auto last hop (reverse entries): the client frame's source MAC, to send replies to. */
  l2Dst: string;
  /** Auto last hop: our MAC on the interface the client's frame arrived on. */
  l2Src: string;
  /** Auto last hop: that interface; 0 = not recorded (the FIB decides). */
  ifindex: number;
  lastSeenNs: bigint; // bpf_ktime_get_ns(): monotonic since boot
}

export function encodeFlow(f: Flow): Buffer {
  const o = LAYOUT.lb_flow.offsets;
  const buf = Buffer.alloc(FLOW_SIZE);
  addrToBytes(f.natSrc).copy(buf, o.nat_src);
  addrToBytes(f.natDst).copy(buf, o.nat_dst);
  buf.writeUInt16BE(checkPort(f.natSport), o.nat_sport);
  buf.writeUInt16BE(checkPort(f.natDport), o.nat_dport);
  buf.writeUInt32LE(f.backendId, o.backend_id);
  buf.writeUInt32LE(f.vipId, o.vip_id);
  buf.writeUInt8(f.dir, o.dir);
  buf.writeUInt8(f.state, o.state);
  macToBytes(f.l2Dst).copy(buf, o.l2_dst);
  macToBytes(f.l2Src).copy(buf, o.l2_src);
  buf.writeUInt32LE(f.ifindex, o.ifindex);
  buf.writeBigUInt64LE(f.lastSeenNs, o.last_seen_ns);
  return buf;
}

/**
 * lb_flow has no family of its own: it is its key's. IPv4 unless `family` says otherwise
 * (an IPv4 address leaves words 1..3 zero, which an IPv6 one in use never does for both).
 */
export function decodeFlow(buf: Buffer, family: number = LB_FAMILY_IPV4): Flow {
  const o = LAYOUT.lb_flow.offsets;
  return {
    natSrc: bytesToAddr(buf, o.nat_src, family),
    natDst: bytesToAddr(buf, o.nat_dst, family),
    natSport: buf.readUInt16BE(o.nat_sport),
    natDport: buf.readUInt16BE(o.nat_dport),
    backendId: buf.readUInt32LE(o.backend_id),
    vipId: buf.readUInt32LE(o.vip_id),
    dir: buf.readUInt8(o.dir),
    state: buf.readUInt8(o.state),
    l2Dst: bytesToMac(buf, o.l2_dst),
    l2Src: bytesToMac(buf, o.l2_src),
    ifindex: buf.readUInt32LE(o.ifindex),
    lastSeenNs: buf.readBigUInt64LE(o.last_seen_ns),
  };
}

export interface Settings {
  snatPortMin: number; // inclusive
  snatPortMax: number; // inclusive
  flags: number;
  closingTimeoutMs: number;
}

export function encodeSettings(s: Settings): Buffer {
  const o = LAYOUT.lb_settings.offsets;
  const buf = Buffer.alloc(SETTINGS_SIZE);
  buf.writeUInt16LE(checkPort(s.snatPortMin), o.snat_port_min);
  buf.writeUInt16LE(checkPort(s.snatPortMax), o.snat_port_max);
  buf.writeUInt32LE(s.flags, o.flags);
  buf.writeUInt32LE(s.closingTimeoutMs, o.closing_timeout_ms);
  return buf;
}

export function decodeSettings(buf: Buffer): Settings {
  const o = LAYOUT.lb_settings.offsets;
  return {
    snatPortMin: buf.readUInt16LE(o.snat_port_min),
    snatPortMax: buf.readUInt16LE(o.snat_port_max),
    flags: buf.readUInt32LE(o.flags),
    closingTimeoutMs: buf.readUInt32LE(o.closing_timeout_ms),
  };
}

/** lb_vip_active / lb_backend_active: the sweep's count and the opened counter it was taken at. */
export interface Active {
  openedAtSweep: bigint;
  active: bigint;
}

export function encodeActive(a: Active): Buffer {
  const o = LAYOUT.lb_active.offsets;
  const buf = Buffer.alloc(ACTIVE_SIZE);
  buf.writeBigUInt64LE(a.openedAtSweep, o.opened_at_sweep);
  buf.writeBigUInt64LE(a.active, o.active);
  return buf;
}

export function decodeActive(buf: Buffer): Active {
  const o = LAYOUT.lb_active.offsets;
  return { openedAtSweep: buf.readBigUInt64LE(o.opened_at_sweep), active: buf.readBigUInt64LE(o.active) };
}

/** A u64 value (lb_*_opened) in host order. */
export function encodeU64(value: bigint): Buffer {
  const buf = Buffer.alloc(U64_SIZE);
  buf.writeBigUInt64LE(value);
  return buf;
}

export function decodeU64(buf: Buffer, offset = 0): bigint {
  return buf.readBigUInt64LE(offset);
}

/** lb_allowed_cidrs key: one allowed source prefix of a listener's VIP. */
export interface CidrKey {
  vipId: number;
  addr: string; // network address, IPv4 or IPv6
  prefixLength: number; // of the address: 0..32 or 0..128
}

export function encodeCidrKey(k: CidrKey): Buffer {
  const o = LAYOUT.lb_cidr_key.offsets;
  const max = familyOf(k.addr) === LB_FAMILY_IPV4 ? 32 : 128;
  if (!Number.isInteger(k.prefixLength) || k.prefixLength < 0 || k.prefixLength > max)
    throw new RangeError(`not a prefix length for ${k.addr}: ${k.prefixLength}`);
  const buf = Buffer.alloc(CIDR_KEY_SIZE);
  buf.writeUInt32LE(32 + k.prefixLength, o.prefixlen);
  // Always matched whole (prefixlen >= 32), so host order works as long as both sides use it.
  buf.writeUInt32LE(k.vipId, o.vip_id);
  addrToBytes(k.addr).copy(buf, o.addr);
  return buf;
}

/** Counters are numbers: exact up to 2^53, which packet and byte counts do not reach. */
export interface Stats {
  rxPackets: number; // client -> member
  rxBytes: number;
  txPackets: number; // member -> client
  txBytes: number;
  newFlows: number;
  drops: number;
}

export function decodeStats(buf: Buffer): Stats {
  const o = LAYOUT.lb_stats.offsets;
  const u64 = (at: number): number => Number(buf.readBigUInt64LE(at));
  return {
    rxPackets: u64(o.rx_packets),
    rxBytes: u64(o.rx_bytes),
    txPackets: u64(o.tx_packets),
    txBytes: u64(o.tx_bytes),
    newFlows: u64(o.new_flows),
    drops: u64(o.drops),
  };
}

export interface ExitCounter {
  packets: number;
  bytes: number;
}

export function decodeExitCounter(buf: Buffer): ExitCounter {
  const o = LAYOUT.lb_exit_counter.offsets;
  return { packets: Number(buf.readBigUInt64LE(o.packets)), bytes: Number(buf.readBigUInt64LE(o.bytes)) };
}

/**
 * Sums a per-CPU value (each CPU's slot `valueSize` rounded up to 8 bytes, as the
 * kernel lays it out) field by field, for values made only of u64 counters.
 */
export function sumPerCpu(buf: Buffer, cpus: number, valueSize: number): Buffer {
  if (valueSize % 8 !== 0) throw new RangeError(`per-CPU value of ${valueSize} bytes is not all u64`);
  const stride = Math.ceil(valueSize / 8) * 8;
  if (buf.length < stride * cpus)
    throw new RangeError(`per-CPU buffer of ${buf.length} bytes < ${cpus} x ${stride}`);
  const out = Buffer.alloc(valueSize);
  for (let field = 0; field < valueSize; field += 8) {
    let sum = 0n;
    for (let cpu = 0; cpu < cpus; cpu++) sum += buf.readBigUInt64LE(cpu * stride + field);
    out.writeBigUInt64LE(BigInt.asUintN(64, sum), field);
  }
  return out;
}
