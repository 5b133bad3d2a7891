// IP addresses as the maps hold them: 16 bytes in network order, IPv4 in the first 4.
import { isIP } from 'node:net';

export interface Cidr {
  address: string;
  prefix: number;
}

export function parseCidr(cidr: string): Cidr {
  const [address = '', prefix = ''] = cidr.split('/');
  return { address, prefix: Number(prefix) };
}

/** The address as bytes: 4 for IPv4, 16 for IPv6. Throws on anything else. */
export function addressBytes(address: string): Buffer {
  const family = isIP(address);
  if (family === 4) return Buffer.from(address.split('.').map(Number));
  if (family !== 6) throw new Error(`not an IP address: ${address}`);
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const b = addressBytes(v4[1]);
    text =
      text.slice(0, -v4[1].length) + `${b.readUInt16BE(0).toString(16)}:${b.readUInt16BE(2).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
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
