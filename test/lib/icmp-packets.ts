// ICMP and ICMPv6 builders for data-plane tests: echo, errors quoting a packet, and any
// other type (neighbour discovery), with correct checksums (ICMPv6's over the pseudo-header).
import { isIPv6 } from 'node:net';
import { IPPROTO_ICMP, IPPROTO_ICMPV6 } from '../../src/dataplane/codecs.js';
import { ipPacket, l4Checksum, onesSum, type IpSpec } from './packets.js';

export interface IcmpSpec extends IpSpec {
  type: number;
  code?: number;
  /** Bytes 4..7 of the ICMP header: identifier and sequence, MTU, or unused. */
  rest?: number;
  body?: Buffer;
}

/** ICMP (IPv4) or ICMPv6 (IPv6, checksum over the pseudo-header too), by spec.src. */
export function icmpPacket(spec: IcmpSpec): Buffer {
  const body = spec.body ?? Buffer.alloc(0);
  const icmp = Buffer.alloc(8 + body.length);
  icmp[0] = spec.type;
  icmp[1] = spec.code ?? 0;
  icmp.writeUInt32BE((spec.rest ?? 0) >>> 0, 4);
  body.copy(icmp, 8);
  const v6 = isIPv6(spec.src);
  const sum = v6 ? l4Checksum(spec, IPPROTO_ICMPV6, icmp) : ~onesSum(icmp) & 0xffff;
  icmp.writeUInt16BE(sum, 2);
  return ipPacket(spec, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, icmp);
}

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4; // code of ICMP_DEST_UNREACH
export const ICMP_PORT_UNREACH = 3; // code of ICMP_DEST_UNREACH
export const ICMP_ECHO = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMPV6_DEST_UNREACH = 1;
export const ICMPV6_PKT_TOOBIG = 2;
export const ICMPV6_TIME_EXCEED = 3;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
export const ICMPV6_NEIGHBOUR_SOLICIT = 135;

/** An echo request (or reply) of the family of spec.src. */
export function icmpEcho(
  spec: IpSpec & { ident: number; seq: number; body?: Buffer; reply?: boolean },
): Buffer {
  const v6 = isIPv6(spec.src);
  const type = v6
    ? spec.reply
      ? ICMPV6_ECHO_REPLY
      : ICMPV6_ECHO_REQUEST
    : spec.reply
      ? ICMP_ECHO_REPLY
      : ICMP_ECHO;
  return icmpPacket({ ...spec, type, rest: ((spec.ident << 16) | spec.seq) >>> 0 });
}

/**
 * An ICMP error quoting `quote` (an IP datagram, e.g. a frame from ETH_HLEN on, cut where
 * the error's sender would cut it). `mtu` goes where "fragmentation needed" (IPv4: low 16
 * bits) and "packet too big" (IPv6: 32 bits) carry it.
 */
export function icmpError(
  spec: IpSpec & { type: number; code?: number; mtu?: number; quote: Buffer },
): Buffer {
  return icmpPacket({ ...spec, rest: spec.mtu ?? 0, body: spec.quote });
}
