// A small packet builder for data-plane tests: Ethernet / IPv4 (with options) or IPv6
// (with extension headers) / TCP or UDP, with correct checksums; a parser for TCP/UDP
// frames and checksum verifiers. ICMP builders are in icmp-packets.ts; frames.ts parses
// everything, ICMP errors and their quotes included.
import { isIPv6 } from 'node:net';
import {
  bytesToIpv4,
  bytesToIpv6,
  ipv4ToBytes,
  ipv6ToBytes,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
} from '../../src/dataplane/codecs.js';

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_HLEN = 14;
export const IPV6_HLEN = 40;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** IPv6 next-header values of extension headers. */
export const NEXTHDR_HOP = 0;
export const NEXTHDR_ROUTING = 43;
export const NEXTHDR_FRAGMENT = 44;
export const NEXTHDR_ESP = 50;
export const NEXTHDR_AUTH = 51;
export const NEXTHDR_NONE = 59;
export const NEXTHDR_DEST = 60;

/**
 * One IPv6 extension header. `length` is its size in bytes: a multiple of 8 (default 8)
 * for hop-by-hop, routing and destination options, of 4 (default 24) for AH; a fragment
 * header is 8. `fragOff` (bytes, multiple of 8) and `more` describe a fragment.
 */
export interface ExtHeader {
  type: number;
  length?: number;
  fragOff?: number;
  more?: boolean;
}

export interface IpSpec {
  srcMac?: string;
  dstMac?: string;
  /** IPv4 or IPv6; dst of the same family. */
  src: string;
  dst: string;
  /** TTL, or hop limit for IPv6. */
  ttl?: number;
  /** IPv4 type of service (IPv6: trafficClass). */
  tos?: number;
  id?: number;
  /** IPv4 flags + fragment offset field, host order (0x2000 = MF). */
  fragOff?: number;
  /** IPv4 options, padded by the caller to a multiple of 4 bytes. */
  ipOptions?: Buffer;
  /** IPv6 traffic class and flow label. */
  trafficClass?: number;
  flowLabel?: number;
  /** IPv6 extension headers, in order, between the fixed header and the upper layer. */
  extHeaders?: ExtHeader[];
}

export interface PacketSpec extends IpSpec {
  sport: number;
  dport: number;
  payload?: Buffer;
}

export interface TcpSpec extends PacketSpec {
  flags: number;
  seq?: number;
  ack?: number;
}

export interface UdpSpec extends PacketSpec {
  /** Send a checksum of 0 ("no checksum"), as UDP over IPv4 allows (over IPv6 it is invalid). */
  noChecksum?: boolean;
}

/** One's complement sum of 16-bit big-endian words, folded, not inverted. */
export function onesSum(buf: Buffer, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2 === 1) sum += buf[buf.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The pseudo-header sum of RFC 768 (4-byte addresses) or RFC 8200 8.1 (16-byte addresses). */
export function pseudoHeaderSum(src: Buffer, dst: Buffer, proto: number, l4Length: number): number {
  if (src.length === 16) {
    const ph = Buffer.alloc(40);
    src.copy(ph, 0);
    dst.copy(ph, 16);
    ph.writeUInt32BE(l4Length, 32);
    ph[39] = proto;
    return onesSum(ph);
  }
  const ph = Buffer.alloc(12);
  src.copy(ph, 0);
  dst.copy(ph, 4);
  ph[9] = proto;
  ph.writeUInt16BE(l4Length, 10);
  return onesSum(ph);
}

export function macToBytes(mac: string): Buffer {
  const bytes = mac.split(':').map((h) => parseInt(h, 16));
  if (bytes.length !== 6 || bytes.some((b) => !(b >= 0 && b <= 255))) throw new RangeError(`bad MAC ${mac}`);
  return Buffer.from(bytes);
}

export function bytesToMac(buf: Buffer, offset = 0): string {
  return [...buf.subarray(offset, offset + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Address text -> 4 or 16 bytes; and back. */
export function ipToBytes(addr: string): Buffer {
  return isIPv6(addr) ? ipv6ToBytes(addr) : ipv4ToBytes(addr);
}

export function bytesToIp(buf: Buffer, offset: number, family: 4 | 6): string {
  return family === 6 ? bytesToIpv6(buf, offset) : bytesToIpv4(buf, offset);
}

function ethernet(spec: IpSpec, type: number): Buffer {
  const eth = Buffer.alloc(ETH_HLEN);
  macToBytes(spec.dstMac ?? '02:00:00:00:00:02').copy(eth, 0);
  macToBytes(spec.srcMac ?? '02:00:00:00:00:01').copy(eth, 6);
  eth.writeUInt16BE(type, 12);
  return eth;
}

function ipv4(spec: IpSpec, proto: number, l4: Buffer): Buffer {
  const options = spec.ipOptions ?? Buffer.alloc(0);
  if (options.length % 4 !== 0 || options.length > 40)
    throw new RangeError('IPv4 options: 0..40 bytes, 4-aligned');
  const hlen = 20 + options.length;
  const ip = Buffer.alloc(hlen);
  ip[0] = 0x40 | (hlen / 4);
  ip[1] = spec.tos ?? 0;
  ip.writeUInt16BE(hlen + l4.length, 2);
  ip.writeUInt16BE(spec.id ?? 0x1234, 4);
  ip.writeUInt16BE(spec.fragOff ?? 0x4000, 6); // DF by default
  ip[8] = spec.ttl ?? 64;
  ip[9] = proto;
  ipv4ToBytes(spec.src).copy(ip, 12);
  ipv4ToBytes(spec.dst).copy(ip, 16);
  options.copy(ip, 20);
  ip.writeUInt16BE(~onesSum(ip) & 0xffff, 10);
  return ip;
}

function extHeader(h: ExtHeader, next: number): Buffer {
  if (h.type === NEXTHDR_FRAGMENT) {
    const frag = Buffer.alloc(8);
    frag[0] = next;
    frag.writeUInt16BE((h.fragOff ?? 0) | (h.more ? 1 : 0), 2);
    frag.writeUInt32BE(0xf00d, 4);
    return frag;
  }
  const isAh = h.type === NEXTHDR_AUTH;
  const length = h.length ?? (isAh ? 24 : 8);
  if (length % (isAh ? 4 : 8) !== 0 || length < (isAh ? 12 : 8))
    throw new RangeError(`bad length ${length} for extension header ${h.type}`);
  const ext = Buffer.alloc(length);
  ext[0] = next;
  ext[1] = isAh ? length / 4 - 2 : length / 8 - 1;
  if (isAh)
    ext.writeUInt32BE(0x1000, 4); // SPI; sequence and ICV left 0
  else if (h.type === NEXTHDR_ROUTING)
    ext[2] = 4; // segment routing, segments left 0: ignored
  else if (length > 2) {
    ext[2] = 1; // PadN over the rest
    ext[3] = length - 4;
  }
  return ext;
}

function ipv6(spec: IpSpec, proto: number, l4: Buffer): Buffer {
  const headers = spec.extHeaders ?? [];
  const exts = headers.map((h, i) => extHeader(h, headers[i + 1]?.type ?? proto));
  const extBytes = Buffer.concat(exts);
  const ip = Buffer.alloc(IPV6_HLEN);
  ip.writeUInt32BE(((6 << 28) | ((spec.trafficClass ?? 0) << 20) | (spec.flowLabel ?? 0)) >>> 0, 0);
  ip.writeUInt16BE(extBytes.length + l4.length, 4);
  ip[6] = headers[0]?.type ?? proto;
  ip[7] = spec.ttl ?? 64;
  ipv6ToBytes(spec.src).copy(ip, 8);
  ipv6ToBytes(spec.dst).copy(ip, 24);
  return Buffer.concat([ip, extBytes]);
}

/** The L4 checksum of `l4` (its checksum field zero) over the pseudo-header of spec's addresses. */
export function l4Checksum(spec: IpSpec, proto: number, l4: Buffer): number {
  const initial = pseudoHeaderSum(ipToBytes(spec.src), ipToBytes(spec.dst), proto, l4.length);
  return ~onesSum(l4, initial) & 0xffff;
}

/** Ethernet + IPv4 or IPv6 (by spec.src) around any payload (ICMP, VRRP, or a broken L4 header). */
export function ipPacket(spec: IpSpec, proto: number, l4: Buffer): Buffer {
  if (isIPv6(spec.src)) return Buffer.concat([ethernet(spec, ETH_P_IPV6), ipv6(spec, proto, l4), l4]);
  return Buffer.concat([ethernet(spec, ETH_P_IP), ipv4(spec, proto, l4), l4]);
}

export function tcpPacket(spec: TcpSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  const tcp = Buffer.alloc(20 + payload.length);
  tcp.writeUInt16BE(spec.sport, 0);
  tcp.writeUInt16BE(spec.dport, 2);
  tcp.writeUInt32BE(spec.seq ?? 1000, 4);
  tcp.writeUInt32BE(spec.ack ?? 0, 8);
  tcp[12] = 5 << 4;
  tcp[13] = spec.flags;
  tcp.writeUInt16BE(65535, 14);
  payload.copy(tcp, 20);
  tcp.writeUInt16BE(l4Checksum(spec, IPPROTO_TCP, tcp), 16);
  return ipPacket(spec, IPPROTO_TCP, tcp);
}

export function udpPacket(spec: UdpSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  const udp = Buffer.alloc(8 + payload.length);
  udp.writeUInt16BE(spec.sport, 0);
  udp.writeUInt16BE(spec.dport, 2);
  udp.writeUInt16BE(udp.length, 4);
  payload.copy(udp, 8);
  if (!spec.noChecksum) udp.writeUInt16BE(l4Checksum(spec, IPPROTO_UDP, udp) || 0xffff, 6);
  return ipPacket(spec, IPPROTO_UDP, udp);
}

/** An ARP request (who-has `target` tell `sender`), broadcast. */
export function arpRequest(sender: string, target: string, srcMac = '02:00:00:00:00:01'): Buffer {
  const arp = Buffer.alloc(28);
  arp.writeUInt16BE(1, 0); // Ethernet
  arp.writeUInt16BE(ETH_P_IP, 2);
  arp[4] = 6;
  arp[5] = 4;
  arp.writeUInt16BE(1, 6); // request
  macToBytes(srcMac).copy(arp, 8);
  ipv4ToBytes(sender).copy(arp, 14);
  ipv4ToBytes(target).copy(arp, 24);
  return Buffer.concat([
    ethernet({ srcMac, dstMac: 'ff:ff:ff:ff:ff:ff', src: sender, dst: target }, ETH_P_ARP),
    arp,
  ]);
}

export interface ParsedPacket {
  dstMac: string;
  srcMac: string;
  ethType: number;
  /** TTL, or hop limit for IPv6. */
  ttl: number;
  proto: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** TCP flags, 0 for UDP. */
  flags: number;
  /** The L4 checksum field as sent (0 for a UDP datagram without checksum). */
  l4Checksum: number;
  payload: Buffer;
}

/** Where the IP header, the upper layer and its protocol are in an IPv4 or IPv6 frame. */
export function locateL4(frame: Buffer): {
  family: 4 | 6;
  ip: Buffer;
  l4Offset: number;
  proto: number;
  end: number;
} {
  const ethType = frame.readUInt16BE(12);
  const ip = frame.subarray(ETH_HLEN);
  if (ethType === ETH_P_IP)
    return { family: 4, ip, l4Offset: (ip[0]! & 0x0f) * 4, proto: ip[9]!, end: ip.readUInt16BE(2) };
  if (ethType !== ETH_P_IPV6) throw new Error(`not IP: ethertype 0x${ethType.toString(16)}`);
  let next = ip[6]!;
  let off = IPV6_HLEN;
  while ([NEXTHDR_HOP, NEXTHDR_ROUTING, NEXTHDR_DEST, NEXTHDR_AUTH, NEXTHDR_FRAGMENT].includes(next)) {
    const len =
      next === NEXTHDR_AUTH ? (ip[off + 1]! + 2) * 4 : next === NEXTHDR_FRAGMENT ? 8 : (ip[off + 1]! + 1) * 8;
    next = ip[off]!;
    off += len;
  }
  return { family: 6, ip, l4Offset: off, proto: next, end: IPV6_HLEN + ip.readUInt16BE(4) };
}

/** Parses an Ethernet/IPv4-or-IPv6/TCP-or-UDP frame built as above; throws on anything else. */
export function parsePacket(frame: Buffer): ParsedPacket {
  const { family, ip, l4Offset, proto, end } = locateL4(frame);
  const l4 = ip.subarray(l4Offset, end);
  if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) throw new Error(`not TCP/UDP: protocol ${proto}`);
  const l4hlen = proto === IPPROTO_TCP ? (l4[12]! >> 4) * 4 : 8;
  return {
    dstMac: bytesToMac(frame, 0),
    srcMac: bytesToMac(frame, 6),
    ethType: frame.readUInt16BE(12),
    ttl: family === 4 ? ip[8]! : ip[7]!,
    proto,
    src: family === 4 ? bytesToIpv4(ip, 12) : bytesToIpv6(ip, 8),
    dst: family === 4 ? bytesToIpv4(ip, 16) : bytesToIpv6(ip, 24),
    sport: l4.readUInt16BE(0),
    dport: l4.readUInt16BE(2),
    flags: proto === IPPROTO_TCP ? l4[13]! : 0,
    l4Checksum: l4.readUInt16BE(proto === IPPROTO_TCP ? 16 : 6),
    payload: Buffer.from(l4.subarray(l4hlen)),
  };
}

/** True when the IPv4 header checksum verifies (IPv6 has none: always true). */
export function ipChecksumValid(frame: Buffer): boolean {
  if (frame.readUInt16BE(12) === ETH_P_IPV6) return true;
  const ip = frame.subarray(ETH_HLEN);
  return onesSum(ip.subarray(0, (ip[0]! & 0x0f) * 4)) === 0xffff;
}

/**
 * True when the TCP, UDP, ICMP or ICMPv6 checksum verifies (over the pseudo-header where the
 * protocol has one). A UDP 0 is "none": false.
 */
export function l4ChecksumValid(frame: Buffer): boolean {
  const { family, ip, l4Offset, proto, end } = locateL4(frame);
  const l4 = ip.subarray(l4Offset, end);
  if (proto === IPPROTO_ICMP) return onesSum(l4) === 0xffff;
  if (proto === IPPROTO_UDP && l4.readUInt16BE(6) === 0) return false;
  const [src, dst] =
    family === 4 ? [ip.subarray(12, 16), ip.subarray(16, 20)] : [ip.subarray(8, 24), ip.subarray(24, 40)];
  return onesSum(l4, pseudoHeaderSum(src, dst, proto, l4.length)) === 0xffff;
}
