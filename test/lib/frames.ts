// Parses any frame the data-plane tests see, field by field, and says which checksums
// verify: IPv4 header, TCP/UDP/ICMP/ICMPv6, and for ICMP errors the quoted packet's
// IPv4 header and (when quoted whole) its TCP/UDP checksum.
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from '../../src/dataplane/codecs.js';
import {
  bytesToIp,
  bytesToMac,
  ETH_HLEN,
  ETH_P_IP,
  ETH_P_IPV6,
  IPV6_HLEN,
  NEXTHDR_AUTH,
  NEXTHDR_DEST,
  NEXTHDR_FRAGMENT,
  NEXTHDR_HOP,
  NEXTHDR_ROUTING,
  onesSum,
  pseudoHeaderSum,
} from './packets.js';

export interface ParsedIp {
  family: 4 | 6;
  src: string;
  dst: string;
  /** TTL, or hop limit. */
  ttl: number;
  /** The upper-layer protocol, after any IPv6 extension headers. */
  proto: number;
  /** IPv4 header with options, or IPv6 header with extension headers. */
  headerLength: number;
  /** As the header says: tot_len, or 40 + payload_len. */
  totalLength: number;
  /** TOS, or traffic class. */
  tos: number;
  flowLabel: number;
  /** IPv4 only (0 for IPv6). */
  id: number;
  fragOff: number;
  /** IPv6 extension header types, in order. */
  extHeaders: number[];
  /** The IPv4 header checksum field (0 for IPv6). */
  checksum: number;
  /** IPv4 header checksum verifies; true for IPv6, which has none. */
  checksumValid: boolean;
}

export interface ParsedL4 {
  sport: number;
  dport: number;
  /** TCP flags; 0 for UDP. */
  flags: number;
  /** The checksum field; undefined when it lies beyond the bytes present (a short quote). */
  checksum: number | undefined;
  /** Verified over pseudo-header and segment; undefined when the segment is not all present. */
  checksumValid: boolean | undefined;
  payload: Buffer;
}

export interface ParsedIcmp {
  type: number;
  code: number;
  checksum: number;
  /** Verified over the message (and for ICMPv6 the pseudo-header). */
  checksumValid: boolean;
  /** Bytes 4..7: identifier and sequence, MTU, or unused. */
  rest: number;
  body: Buffer;
  /** For errors: the quoted packet, as far as it is quoted. */
  quote?: ParsedDatagram;
}

export interface ParsedDatagram {
  ip: ParsedIp;
  l4?: ParsedL4;
  icmp?: ParsedIcmp;
}

export interface ParsedFrame extends ParsedDatagram {
  dstMac: string;
  srcMac: string;
  ethType: number;
}

const EXT_HEADERS = [NEXTHDR_HOP, NEXTHDR_ROUTING, NEXTHDR_DEST, NEXTHDR_AUTH, NEXTHDR_FRAGMENT];
const ICMP_ERRORS: Record<number, number[]> = { 4: [3, 11, 12], 6: [1, 2, 3, 4] };

function parseIp(ip: Buffer): ParsedIp {
  const version = ip[0]! >> 4;
  if (version === 4) {
    const headerLength = (ip[0]! & 0x0f) * 4;
    return {
      family: 4,
      src: bytesToIp(ip, 12, 4),
      dst: bytesToIp(ip, 16, 4),
      ttl: ip[8]!,
      proto: ip[9]!,
      headerLength,
      totalLength: ip.readUInt16BE(2),
      tos: ip[1]!,
      flowLabel: 0,
      id: ip.readUInt16BE(4),
      fragOff: ip.readUInt16BE(6),
      extHeaders: [],
      checksum: ip.readUInt16BE(10),
      checksumValid: onesSum(ip.subarray(0, headerLength)) === 0xffff,
    };
  }
  if (version !== 6) throw new Error(`IP version ${version}`);
  const extHeaders: number[] = [];
  let next = ip[6]!;
  let off = IPV6_HLEN;
  while (EXT_HEADERS.includes(next)) {
    extHeaders.push(next);
    const len =
      next === NEXTHDR_AUTH ? (ip[off + 1]! + 2) * 4 : next === NEXTHDR_FRAGMENT ? 8 : (ip[off + 1]! + 1) * 8;
    next = ip[off]!;
    off += len;
  }
  const word0 = ip.readUInt32BE(0);
  return {
    family: 6,
    src: bytesToIp(ip, 8, 6),
    dst: bytesToIp(ip, 24, 6),
    ttl: ip[7]!,
    proto: next,
    headerLength: off,
    totalLength: IPV6_HLEN + ip.readUInt16BE(4),
    tos: (word0 >>> 20) & 0xff,
    flowLabel: word0 & 0xfffff,
    id: 0,
    fragOff: 0,
    extHeaders,
    checksum: 0,
    checksumValid: true,
  };
}

function pseudoSum(ipHdr: Buffer, p: ParsedIp, proto: number, length: number): number {
  const [src, dst] =
    p.family === 4
      ? [ipHdr.subarray(12, 16), ipHdr.subarray(16, 20)]
      : [ipHdr.subarray(8, 24), ipHdr.subarray(24, 40)];
  return pseudoHeaderSum(src, dst, proto, length);
}

/** An IP datagram, whole or (quoted in an ICMP error) cut short. */
export function parseDatagram(ipBytes: Buffer): ParsedDatagram {
  const ip = parseIp(ipBytes);
  const l4Length = ip.totalLength - ip.headerLength;
  const l4 = ipBytes.subarray(ip.headerLength, Math.min(ip.totalLength, ipBytes.length));
  const whole = l4.length === l4Length;
  if (ip.proto === IPPROTO_TCP || ip.proto === IPPROTO_UDP) {
    const tcp = ip.proto === IPPROTO_TCP;
    const checkAt = tcp ? 16 : 6;
    const hlen = tcp && l4.length > 12 ? (l4[12]! >> 4) * 4 : 8;
    const checksum = l4.length >= checkAt + 2 ? l4.readUInt16BE(checkAt) : undefined;
    let checksumValid: boolean | undefined;
    if (whole)
      checksumValid =
        !(checksum === 0 && !tcp) && onesSum(l4, pseudoSum(ipBytes, ip, ip.proto, l4Length)) === 0xffff;
    return {
      ip,
      l4: {
        sport: l4.readUInt16BE(0),
        dport: l4.readUInt16BE(2),
        flags: tcp && l4.length > 13 ? l4[13]! : 0,
        checksum,
        checksumValid,
        payload: Buffer.from(l4.subarray(Math.min(hlen, l4.length))),
      },
    };
  }
  if (ip.proto === IPPROTO_ICMP || ip.proto === IPPROTO_ICMPV6) {
    const initial = ip.proto === IPPROTO_ICMPV6 ? pseudoSum(ipBytes, ip, ip.proto, l4Length) : 0;
    const body = Buffer.from(l4.subarray(8));
    const icmp: ParsedIcmp = {
      type: l4[0]!,
      code: l4[1]!,
      checksum: l4.readUInt16BE(2),
      checksumValid: whole && onesSum(l4, initial) === 0xffff,
      rest: l4.readUInt32BE(4),
      body,
    };
    if (ICMP_ERRORS[ip.family]!.includes(icmp.type) && body.length >= 20) icmp.quote = parseDatagram(body);
    return { ip, icmp };
  }
  return { ip };
}

/** An Ethernet frame carrying IPv4 or IPv6; throws on anything else. */
export function parseFrame(frame: Buffer): ParsedFrame {
  const ethType = frame.readUInt16BE(12);
  if (ethType !== ETH_P_IP && ethType !== ETH_P_IPV6)
    throw new Error(`not IP: ethertype 0x${ethType.toString(16)}`);
  return {
    dstMac: bytesToMac(frame, 0),
    srcMac: bytesToMac(frame, 6),
    ethType,
    ...parseDatagram(frame.subarray(ETH_HLEN)),
  };
}
