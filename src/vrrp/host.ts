// The amphora's kernel settings for VRRP and the floating addresses it holds now.
// /proc/sys/net is per network namespace, so this touches only the amphora's.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { FloatingAddress__Output } from '../grpc/gen/velox/agent/v1/FloatingAddress.js';

const run = promisify(execFile);

export async function setVrrpSysctls(): Promise<void> {
  // HAProxy binds the VIP on the BACKUP too, before keepalived gives it the address.
  await writeFile('/proc/sys/net/ipv4/ip_nonlocal_bind', '1\n');
  if (existsSync('/proc/sys/net/ipv6/ip_nonlocal_bind')) {
    await writeFile('/proc/sys/net/ipv6/ip_nonlocal_bind', '1\n');
  }
  // Answer ARP only for an address of the interface asked, and source ARP from the
  // interface's own addresses: a VIP or SNAT address is announced only where it lives.
  await writeFile('/proc/sys/net/ipv4/conf/all/arp_ignore', '1\n');
  await writeFile('/proc/sys/net/ipv4/conf/all/arp_announce', '2\n');
}

interface IpAddr {
  ifname: string;
  addr_info?: { local: string; prefixlen: number }[];
}

/** The floating addresses (of `floating`) present on their interfaces now. */
export async function heldAddresses(floating: FloatingAddress__Output[]): Promise<FloatingAddress__Output[]> {
  const { stdout } = await run('ip', ['-j', 'addr', 'show']);
  const present = new Set<string>();
  for (const link of JSON.parse(stdout) as IpAddr[]) {
    for (const a of link.addr_info ?? []) present.add(`${link.ifname} ${a.local}`);
  }
  return floating.filter((f) => present.has(`${f.interface} ${f.address.split('/')[0]}`));
}

/** Removes floating addresses a killed keepalived left behind (a fresh one starts as BACKUP). */
export async function dropAddresses(addresses: FloatingAddress__Output[]): Promise<void> {
  for (const f of addresses) {
    await run('ip', ['addr', 'del', f.address, 'dev', f.interface]).catch(() => undefined);
  }
}
