// IPv6 text <-> 128-bit integers for the local network driver. Text out is RFC 5952
// (lower case, the longest run of two or more zero groups compressed), so one address
// has one spelling in the port table and its unique index.
import { isIPv6 } from 'node:net';
import { ipToInt } from './ipv4.js';

const GROUPS = 8;

/** The address as a 128-bit integer; RangeError for anything that is not plain IPv6 (zones refused). */
export function ipv6ToBigInt(ip: string): bigint {
  if (!isIPv6(ip) || ip.includes('%')) throw new RangeError(`not an IPv6 address: ${ip}`);
  let text = ip;
  // A dotted IPv4 tail (::ffff:192.0.2.1) is two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = ipToInt(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(GROUPS - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function bigIntToIpv6(n: bigint): string {
  if (n < 0n || n >> 128n !== 0n) throw new RangeError(`not a 128-bit value: ${n}`);
  const groups = Array.from({ length: GROUPS }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < GROUPS;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < GROUPS && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  // RFC 5952 4.2.2: a single zero group is not compressed.
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
