// Byte codecs for the structs of bpf/lb.h, the one contract of the XDP maps.
// test/dataplane/layout.test.ts checks every size, offset and constant here against
// what the C compiler reports through the addon.
//
// Byte order: addresses, ports and MACs are network order (big endian) as in the header;
// every other integer is host order, which is little endian on the hosts we run on
// (x86_64, arm64). In TypeScript, ports are plain numbers, addresses dotted quads and
// MACs colon-separated lower-case hex.

export const LB_MAX_VIPS = 512;
export const LB_MAX_BACKENDS = 4096;
export const LB_RING_SIZE = 16381;
export const LB_MAX_RINGS = 64;
export const LB_MAX_FLOWS = 262144;
export const LB_MAX_IFACES = 64;
export const LB_SNAT_PROBES = 16;

export const LB_FAMILY_IPV4 = 4;
export const LB_FAMILY_IPV6 = 6;
export const LB_VIP_F_ENABLED = 1;
export const LB_BACKEND_F_ENABLED = 1;
export const LB_DIR_FORWARD = 0;
export const LB_DIR_REVERSE = 1;

/** lb_rings entries hold backend id + 1; 0 is an empty slot. */
export const RING_EMPTY = 0;
export function ringEntry(backendId: number): number {
  return backendId + 1;
}

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

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
} as const;
export type ExitReasonName = keyof typeof ExitReason;
export const LB_EXIT_MAX = 13;

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
} as const;
export const PROG_XDP = 'xdp_lb';

/** Every lb.h constant by its macro name, as the addon's constants() reports them. */
export const LB_CONSTANTS: Record<string, number | string> = {
  LB_MAX_VIPS,
  LB_MAX_BACKENDS,
  LB_RING_SIZE,
  LB_MAX_RINGS,
  LB_MAX_FLOWS,
  LB_MAX_IFACES,
  LB_SNAT_PROBES,
  LB_FAMILY_IPV4,
  LB_FAMILY_IPV6,
  LB_VIP_F_ENABLED,
  LB_BACKEND_F_ENABLED,
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
  LB_PROG_XDP: PROG_XDP,
};

/** Sizes and field offsets, by struct and field name as in lb.h. */
export const LAYOUT = {
  lb_vip_key: { size: 20, offsets: { addr: 0, port: 16, proto: 18, family: 19 } },
  lb_vip_meta: { size: 16, offsets: { flags: 0, ring_id: 4, vip_id: 8, pad: 12 } },
  lb_backend: { size: 40, offsets: { addr: 0, snat: 16, port: 32, family: 34, flags: 35, pad: 36 } },
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
      pad: 46,
      l2_dst: 48,
      l2_src: 54,
      ifindex: 60,
      last_seen_ns: 64,
    },
  },
  lb_settings: { size: 8, offsets: { snat_port_min: 0, snat_port_max: 2, flags: 4 } },
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

export const MAC_SIZE = 6;

/** 'aa:bb:cc:dd:ee:ff' -> 6 bytes as on the wire. */
export function macToBytes(mac: string): Buffer {
  const parts = mac.split(':');
  if (parts.length !== MAC_SIZE || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new RangeError(`not a MAC address: ${mac}`);
  }
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

/** 6 bytes (at `offset`) -> 'aa:bb:cc:dd:ee:ff'. */
export function bytesToMac(buf: Buffer, offset = 0): string {
  return [...buf.subarray(offset, offset + MAC_SIZE)].map((b) => b.toString(16).padStart(2, '0')).join(':');
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

export function encodeVipKey(k: VipKey): Buffer {
  const o = LAYOUT.lb_vip_key.offsets;
  const buf = Buffer.alloc(VIP_KEY_SIZE);
  ipv4ToBytes(k.addr).copy(buf, o.addr);
  buf.writeUInt16BE(checkPort(k.port), o.port);
  buf.writeUInt8(k.proto, o.proto);
  buf.writeUInt8(LB_FAMILY_IPV4, o.family);
  return buf;
}

export function decodeVipKey(buf: Buffer): VipKey {
  const o = LAYOUT.lb_vip_key.offsets;
  return { addr: bytesToIpv4(buf, o.addr), port: buf.readUInt16BE(o.port), proto: buf.readUInt8(o.proto) };
}

export interface VipMeta {
  flags: number; // LB_VIP_F_*
  ringId: number;
  vipId: number;
}

export function encodeVipMeta(m: VipMeta): Buffer {
  const o = LAYOUT.lb_vip_meta.offsets;
  const buf = Buffer.alloc(VIP_META_SIZE);
  buf.writeUInt32LE(m.flags, o.flags);
  buf.writeUInt32LE(m.ringId, o.ring_id);
  buf.writeUInt32LE(m.vipId, o.vip_id);
  return buf;
}

export function decodeVipMeta(buf: Buffer): VipMeta {
  const o = LAYOUT.lb_vip_meta.offsets;
  return {
    flags: buf.readUInt32LE(o.flags),
    ringId: buf.readUInt32LE(o.ring_id),
    vipId: buf.readUInt32LE(o.vip_id),
  };
}

export interface Backend {
  addr: string; // member address
  snat: string; // the amphora's address on the member's network
  port: number;
  flags: number; // LB_BACKEND_F_*
}

export function encodeBackend(b: Backend): Buffer {
  const o = LAYOUT.lb_backend.offsets;
  const buf = Buffer.alloc(BACKEND_SIZE);
  ipv4ToBytes(b.addr).copy(buf, o.addr);
  ipv4ToBytes(b.snat).copy(buf, o.snat);
  buf.writeUInt16BE(checkPort(b.port), o.port);
  buf.writeUInt8(LB_FAMILY_IPV4, o.family);
  buf.writeUInt8(b.flags, o.flags);
  return buf;
}

/** null for an unused slot (family 0). */
export function decodeBackend(buf: Buffer): Backend | null {
  const o = LAYOUT.lb_backend.offsets;
  if (buf.readUInt8(o.family) === 0) return null;
  return {
    addr: bytesToIpv4(buf, o.addr),
    snat: bytesToIpv4(buf, o.snat),
    port: buf.readUInt16BE(o.port),
    flags: buf.readUInt8(o.flags),
  };
}

export interface FlowKey {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: number;
}

export function encodeFlowKey(k: FlowKey): Buffer {
  const o = LAYOUT.lb_flow_key.offsets;
  const buf = Buffer.alloc(FLOW_KEY_SIZE);
  ipv4ToBytes(k.src).copy(buf, o.src);
  ipv4ToBytes(k.dst).copy(buf, o.dst);
  buf.writeUInt16BE(checkPort(k.sport), o.sport);
  buf.writeUInt16BE(checkPort(k.dport), o.dport);
  buf.writeUInt8(k.proto, o.proto);
  buf.writeUInt8(LB_FAMILY_IPV4, o.family);
  return buf;
}

export function decodeFlowKey(buf: Buffer): FlowKey {
  const o = LAYOUT.lb_flow_key.offsets;
  return {
    src: bytesToIpv4(buf, o.src),
    dst: bytesToIpv4(buf, o.dst),
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
  ipv4ToBytes(f.natSrc).copy(buf, o.nat_src);
  ipv4ToBytes(f.natDst).copy(buf, o.nat_dst);
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

export function decodeFlow(buf: Buffer): Flow {
  const o = LAYOUT.lb_flow.offsets;
  return {
    natSrc: bytesToIpv4(buf, o.nat_src),
    natDst: bytesToIpv4(buf, o.nat_dst),
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
}

export function encodeSettings(s: Settings): Buffer {
  const o = LAYOUT.lb_settings.offsets;
  const buf = Buffer.alloc(SETTINGS_SIZE);
  buf.writeUInt16LE(checkPort(s.snatPortMin), o.snat_port_min);
  buf.writeUInt16LE(checkPort(s.snatPortMax), o.snat_port_max);
  buf.writeUInt32LE(s.flags, o.flags);
  return buf;
}

export function decodeSettings(buf: Buffer): Settings {
  const o = LAYOUT.lb_settings.offsets;
  return {
    snatPortMin: buf.readUInt16LE(o.snat_port_min),
    snatPortMax: buf.readUInt16LE(o.snat_port_max),
    flags: buf.readUInt32LE(o.flags),
  };
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
