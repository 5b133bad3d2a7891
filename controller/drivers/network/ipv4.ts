// IPv4 arithmetic for the local network driver, on 32-bit unsigned integers.
import { isIPv4 } from 'node:net';

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  return (((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0) as number;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  network: number;
  prefix: number;
}

export function parseCidr(cidr: string): Cidr {
  const [addr, len] = cidr.split('/');
  const prefix = Number(len);
  if (!addr || !isIPv4(addr) || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new Error(`not an IPv4 CIDR: ${cidr}`);
  }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (ipToInt(addr) & mask) >>> 0, prefix };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  if (!isIPv4(ip)) return false;
  const mask = c.prefix === 0 ? 0 : (0xffffffff << (32 - c.prefix)) >>> 0;
  return (ipToInt(ip) & mask) >>> 0 === c.network;
}

/** Addresses handed out: .10 up to .250 of the subnet (or as much as a small subnet allows). */
export function defaultAllocationPool(c: Cidr): { start: number; end: number } {
  const size = 2 ** (32 - c.prefix);
  const first = c.network + Math.min(10, Math.max(1, size - 2));
  const last = c.network + Math.min(250, size - 2);
  return { start: first, end: Math.max(first, last) };
}
