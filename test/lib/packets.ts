// A small packet builder and parser for data-plane tests: Ethernet / IPv4 (with
// options) / TCP or UDP, with correct checksums, and checksum verifiers.
import { bytesToIpv4, ipv4ToBytes, IPPROTO_TCP, IPPROTO_UDP } from '../../src/dataplane/codecs.js';

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_HLEN = 14;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface PacketSpec {
  srcMac?: string;
  dstMac?: string;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  ttl?: number;
  id?: number;
  /** IPv4 flags + fragment offset field, host order (0x2000 = MF). */
  fragOff?: number;
  /** IPv4 options, padded by the caller to a multiple of 4 bytes. */
  ipOptions?: Buffer;
  payload?: Buffer;
}

export interface TcpSpec extends PacketSpec {
  flags: number;
  seq?: number;
  ack?: number;
}

export interface UdpSpec extends PacketSpec {
  /** Send a checksum of 0 ("no checksum"), as UDP over IPv4 allows. */
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

function pseudoHeaderSum(src: Buffer, dst: Buffer, proto: number, l4Length: number): number {
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

function ethernet(spec: PacketSpec, type: number): Buffer {
  const eth = Buffer.alloc(ETH_HLEN);
  macToBytes(spec.dstMac ?? '02:00:00:00:00:02').copy(eth, 0);
  macToBytes(spec.srcMac ?? '02:00:00:00:00:01').copy(eth, 6);
  eth.writeUInt16BE(type, 12);
  return eth;
}

function ipv4(spec: PacketSpec, proto: number, l4: Buffer): Buffer {
  const options = spec.ipOptions ?? Buffer.alloc(0);
  if (options.length % 4 !== 0 || options.length > 40)
    throw new RangeError('IPv4 options: 0..40 bytes, 4-aligned');
  const hlen = 20 + options.length;
  const ip = Buffer.alloc(hlen);
  ip[0] = 0x40 | (hlen / 4);
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

function l4Checksum(spec: PacketSpec, proto: number, l4: Buffer): number {
  const initial = pseudoHeaderSum(ipv4ToBytes(spec.src), ipv4ToBytes(spec.dst), proto, l4.length);
  return ~onesSum(l4, initial) & 0xffff;
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
  return Buffer.concat([ethernet(spec, ETH_P_IP), ipv4(spec, IPPROTO_TCP, tcp), tcp]);
}

export function udpPacket(spec: UdpSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  const udp = Buffer.alloc(8 + payload.length);
  udp.writeUInt16BE(spec.sport, 0);
  udp.writeUInt16BE(spec.dport, 2);
  udp.writeUInt16BE(udp.length, 4);
  payload.copy(udp, 8);
  if (!spec.noChecksum) udp.writeUInt16BE(l4Checksum(spec, IPPROTO_UDP, udp) || 0xffff, 6);
  return Buffer.concat([ethernet(spec, ETH_P_IP), ipv4(spec, IPPROTO_UDP, udp), udp]);
}

/** Ethernet + IPv4 around any payload (ICMP, VRRP, or a deliberately broken L4 header). */
export function ipPacket(spec: PacketSpec, proto: number, l4: Buffer): Buffer {
  return Buffer.concat([ethernet(spec, ETH_P_IP), ipv4(spec, proto, l4), l4]);
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
    ethernet(
      { srcMac, dstMac: 'ff:ff:ff:ff:ff:ff', src: sender, dst: target, sport: 0, dport: 0 },
      ETH_P_ARP,
    ),
    arp,
  ]);
}

export interface ParsedPacket {
  dstMac: string;
  srcMac: string;
  ethType: number;
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

/** Parses an Ethernet/IPv4/TCP-or-UDP frame built as above; throws on anything else. */
export function parsePacket(frame: Buffer): ParsedPacket {
  const ethType = frame.readUInt16BE(12);
  if (ethType !== ETH_P_IP) throw new Error(`not IPv4: ethertype 0x${ethType.toString(16)}`);
  const ip = frame.subarray(ETH_HLEN);
  const hlen = (ip[0]! & 0x0f) * 4;
  const l4 = ip.subarray(hlen, ip.readUInt16BE(2));
  const proto = ip[9]!;
  if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) throw new Error(`not TCP/UDP: protocol ${proto}`);
  const l4hlen = proto === IPPROTO_TCP ? (l4[12]! >> 4) * 4 : 8;
  return {
    dstMac: bytesToMac(frame, 0),
    srcMac: bytesToMac(frame, 6),
    ethType,
    ttl: ip[8]!,
    proto,
    src: bytesToIpv4(ip, 12),
    dst: bytesToIpv4(ip, 16),
    sport: l4.readUInt16BE(0),
    dport: l4.readUInt16BE(2),
    flags: proto === IPPROTO_TCP ? l4[13]! : 0,
    l4Checksum: l4.readUInt16BE(proto === IPPROTO_TCP ? 16 : 6),
    payload: Buffer.from(l4.subarray(l4hlen)),
  };
}

/** True when the IPv4 header checksum verifies. */
export function ipChecksumValid(frame: Buffer): boolean {
  const ip = frame.subarray(ETH_HLEN);
  return onesSum(ip.subarray(0, (ip[0]! & 0x0f) * 4)) === 0xffff;
}

/** True when the TCP or UDP checksum verifies over pseudo-header and segment (a UDP 0 is "none": false). */
export function l4ChecksumValid(frame: Buffer): boolean {
  const ip = frame.subarray(ETH_HLEN);
  const hlen = (ip[0]! & 0x0f) * 4;
  const proto = ip[9]!;
  const l4 = ip.subarray(hlen, ip.readUInt16BE(2));
  if (proto === IPPROTO_UDP && l4.readUInt16BE(6) === 0) return false;
  return onesSum(l4, pseudoHeaderSum(ip.subarray(12, 16), ip.subarray(16, 20), proto, l4.length)) === 0xffff;
}
