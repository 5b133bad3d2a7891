// Family-neutral subnet arithmetic for the local network driver: IPv4 and IPv6 addresses
// as bigints, so IPAM, containment and pools are one code path for both families.
import { isIPv4, isIPv6 } from 'node:net';
import { intToIp, ipToInt } from './ipv4.js';
import { bigIntToIpv6, ipv6ToBigInt } from './ipv6.js';

export type Family = 4 | 6;

export interface SubnetCidr {
  family: Family;
  /** The network address (host bits cleared). */
  network: bigint;
  prefix: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

/**
 * Where allocation starts and ends inside a subnet, as offsets from the network address:
 * IPv4 .10-.250 (the top address is the broadcast), IPv6 ::10-::ffff (room below for
 * the gateway and hand-configured hosts, as in IPv4).
 */
const POOL: Record<Family, { first: bigint; last: bigint; reservedTop: bigint }> = {
  4: { first: 10n, last: 250n, reservedTop: 1n },
  6: { first: 0x10n, last: 0xffffn, reservedTop: 0n },
};

/** The address's family and value, or undefined when it is neither IPv4 nor plain IPv6. */
export function addressValue(ip: string): { family: Family; value: bigint } | undefined {
  if (isIPv4(ip)) return { family: 4, value: BigInt(ipToInt(ip)) };
  if (isIPv6(ip) && !ip.includes('%')) return { family: 6, value: ipv6ToBigInt(ip) };
  return undefined;
}

export function formatAddress(family: Family, value: bigint): string {
  return family === 4 ? intToIp(Number(value)) : bigIntToIpv6(value);
}

/** One spelling per address (IPv6 per RFC 5952); RangeError when `ip` is not an address. */
export function canonicalAddress(ip: string): string {
  const a = addressValue(ip);
  if (!a) throw new RangeError(`not an IP address: ${ip}`);
  return formatAddress(a.family, a.value);
}

function mask(family: Family, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** "addr/len" of either family, host bits cleared; RangeError otherwise. */
export function parseSubnetCidr(text: string): SubnetCidr {
  const [addr, len, extra] = text.split('/');
  const a = addr === undefined ? undefined : addressValue(addr);
  const prefix = Number(len);
  if (!a || extra !== undefined || !/^\d{1,3}$/.test(len ?? '') || prefix > BITS[a.family]) {
    throw new RangeError(`not an IPv4 or IPv6 CIDR: ${text}`);
  }
  return { family: a.family, network: a.value & mask(a.family, prefix), prefix };
}

export function cidrText(c: SubnetCidr): string {
  return `${formatAddress(c.family, c.network)}/${c.prefix}`;
}

export function cidrContains(c: SubnetCidr, ip: string): boolean {
  const a = addressValue(ip);
  return a !== undefined && a.family === c.family && (a.value & mask(c.family, c.prefix)) === c.network;
}

/** The addresses handed out, inclusive (as much of the family's default as a small subnet allows). */
export function defaultAllocationPool(c: SubnetCidr): { start: bigint; end: bigint } {
  const p = POOL[c.family];
  const size = 1n << BigInt(BITS[c.family] - c.prefix);
  const top = size - 1n - p.reservedTop; // highest usable offset
  const min = (x: bigint, y: bigint) => (x < y ? x : y);
  const first = min(p.first, top > 1n ? top : 1n);
  const last = min(p.last, top);
  return { start: c.network + first, end: c.network + (last > first ? last : first) };
}
