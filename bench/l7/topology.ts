// Client → balancer → members for the HTTP benchmark: three namespaces joined by two veth
// pairs in 10.218.0.0/16 (vxlc, vxlb, vxlm). The balancer holds the VIP; the member
// namespace holds the four member addresses on one veth and an HTTP server on each. The
// ends send what a wire carries (no TSO, complete checksums), as in the L4 bench, so the
// agent's XDP program sees the same frames a NIC would hand it.
import { inNs, quiet, run } from '../dataplane/shell.js';
import { linkHosts } from '../dataplane/topology.js';

export const NS = { client: 'vxlc', balancer: 'vxlb', member: 'vxlm' } as const;
export const DEV = { client: 'vxlc0', vip: 'vxlbv', mem: 'vxlbm', member: 'vxlm0' } as const;
export const ADDR = {
  client: '10.218.101.100',
  vipSide: '10.218.101.2',
  vip: '10.218.101.10',
  memSide: '10.218.102.2',
  members: Array.from({ length: 4 }, (_, i) => `10.218.102.${11 + i}`),
} as const;
export const PORT = { vip: 80, member: 8080 } as const;
export const PIN_ROOT = '/sys/fs/bpf/vxl-bench';

/**
 * SIGKILL to whatever still runs in one of the bench's namespaces (all started by the bench):
 * an HAProxy master runs in its own process group and outlives an agent that was killed.
 */
export function killInNamespace(ns: string): void {
  let pids: string[];
  try {
    pids = run('ip', ['netns', 'pids', ns]).split(/\s+/).filter(Boolean);
  } catch {
    return; // no such namespace
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

export function destroyTopology(): void {
  for (const ns of Object.values(NS)) killInNamespace(ns);
  // Deleting a namespace takes its veths (both ends) and XDP programs with it.
  for (const ns of Object.values(NS)) quiet('ip', ['netns', 'del', ns]);
  quiet('rm', ['-rf', PIN_ROOT]);
}

export function buildTopology(): void {
  destroyTopology();
  try {
    linkHosts(NS, DEV, ADDR);
    // The VIP is the balancer's own address: HAProxy terminates the client's connection.
    run('ip', ['-n', NS.balancer, 'addr', 'add', `${ADDR.vip}/32`, 'dev', DEV.vip]);
    run('ip', ['-n', NS.member, 'route', 'add', '10.218.0.0/16', 'via', ADDR.memSide]);
    inNs(NS.client, 'ethtool', ['-K', DEV.client, 'tx', 'off', 'tso', 'off', 'gso', 'off']);
    inNs(NS.member, 'ethtool', ['-K', DEV.member, 'tx', 'off', 'tso', 'off', 'gso', 'off']);
    // wrk's "new connection per request" runs reuse ports quickly; the balancer's outgoing
    // ports are the agent's range, whichever variant runs first.
    inNs(NS.client, 'sysctl', ['-qw', 'net.ipv4.ip_local_port_range=1024 65535']);
    inNs(NS.client, 'sysctl', ['-qw', 'net.ipv4.tcp_tw_reuse=1']);
    inNs(NS.balancer, 'sysctl', ['-qw', 'net.ipv4.ip_local_port_range=60000 65000']);
  } catch (err) {
    destroyTopology();
    throw err;
  }
}
