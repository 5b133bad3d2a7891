// Addresses and prefixes as the compiler compares them: canonical text (IPv6 in RFC 5952
// form, so "fd00:0::1" and "fd00::1" are one address) and bytes in network order.
import { isIP } from 'node:net';
import { bytesToIpv4, bytesToIpv6, ipv4ToBytes, ipv6ToBytes } from './codecs.js';

export interface Cidr {
  address: string;
  prefix: number;
}

/** The address as bytes: 4 for IPv4, 16 for IPv6. Throws RangeError on anything else. */
export function addressBytes(address: string): Buffer {
  const family = isIP(address);
  if (family === 4) return ipv4ToBytes(address);
  if (family === 6) return ipv6ToBytes(address);
  throw new RangeError(`not an IP address: ${address}`);
}

function bytesToAddress(bytes: Buffer): string {
  return bytes.length === 4 ? bytesToIpv4(bytes) : bytesToIpv6(bytes);
}

/** One spelling per address: what readMapState decodes, so desired and current compare equal. */
export function canonicalAddress(address: string): string {
  return bytesToAddress(addressBytes(address));
}

/** "addr/len" with len in range for the family; throws RangeError otherwise. */
export function parseCidr(cidr: string): Cidr {
  const parts = cidr.split('/');
  const [address = '', len = ''] = parts;
  const family = isIP(address);
  const max = family === 4 ? 32 : 128;
  if (!family || parts.length !== 2 || !/^\d{1,3}$/.test(len) || Number(len) > max) {
    throw new RangeError(`not an address in CIDR form: ${JSON.stringify(cidr)}`);
  }
  return { address: canonicalAddress(address), prefix: Number(len) };
}

/** The prefix with its host bits cleared ("10.0.0.5/24" -> 10.0.0.0/24), as Octavia stores it. */
export function networkOf(cidr: Cidr): Cidr {
  const bytes = addressBytes(cidr.address);
  let bits = cidr.prefix;
  for (let i = 0; i < bytes.length; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (0xff << (8 - bits)) & 0xff;
    bytes[i] = (bytes[i] as number) & mask;
  }
  return { address: bytesToAddress(bytes), prefix: cidr.prefix };
}

export function familyOfAddress(address: string): 4 | 6 {
  const family = isIP(address);
  if (family !== 4 && family !== 6) throw new RangeError(`not an IP address: ${address}`);
  return family;
}

/** True when `address` lies inside `cidr` (same family, same leading `prefix` bits). */
export function cidrContains(cidr: Cidr, address: string): boolean {
  if (isIP(cidr.address) !== isIP(address)) return false;
  const net = addressBytes(cidr.address);
  const ip = addressBytes(address);
  let bits = cidr.prefix;
  for (let i = 0; i < net.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((net[i] as number) & mask) !== ((ip[i] as number) & mask)) return false;
  }
  return true;
}
