// The amphora's own kernel settings the fast path relies on, and neighbour entries for
// members (bpf_fib_lookup drops on a missing neighbour instead of resolving it).
// /proc/sys/net is per network namespace, so this touches only the amphora's.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function setSysctls(): Promise<void> {
  // bpf_fib_lookup refuses to route (FWD_DISABLED) where forwarding is off.
  await writeFile('/proc/sys/net/ipv4/ip_forward', '1\n');
  // Absent when IPv6 is disabled in this namespace: then there is nothing to forward.
  if (existsSync('/proc/sys/net/ipv6/conf/all/forwarding')) {
    await writeFile('/proc/sys/net/ipv6/conf/all/forwarding', '1\n');
  }
  // SNAT ports (10000-59999 by default) must never collide with the kernel's own (IPv4 and IPv6).
  await writeFile('/proc/sys/net/ipv4/ip_local_port_range', '60000 65000\n');
}

/**
 * A `managed` neighbour entry: the kernel resolves it now and keeps it resolved
 * (Linux 5.16+, iproute2 5.16+). Where that is refused, a ping makes the kernel resolve
 * it once, and the normal traffic of members keeps it fresh.
 */
export async function ensureNeighbour(address: string, ifname: string): Promise<'managed' | 'probed'> {
  try {
    await run('ip', ['neigh', 'replace', address, 'dev', ifname, 'managed']);
    return 'managed';
  } catch {
    await run('ping', ['-c1', '-W1', '-I', ifname, address]).catch(() => undefined);
    return 'probed';
  }
}

export async function forgetNeighbour(address: string, ifname: string): Promise<void> {
  await run('ip', ['neigh', 'del', address, 'dev', ifname]).catch(() => undefined);
}

/**
 * Gratuitous ARP for an address this amphora now owns, so that clients that cached
 * another MAC for it (a previous amphora that had the same VIP) switch at once
 * instead of after their neighbour entry goes stale. Best effort: never fails.
 */
export async function announceAddress(address: string, ifname: string): Promise<boolean> {
  try {
    await run('arping', ['-q', '-U', '-c', '1', '-I', ifname, '-s', address, address]);
    return true;
  } catch {
    return false;
  }
}
