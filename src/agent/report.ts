// Statuses and counters of every listener, pool and member, from whoever serves it: the
// XDP maps for the fast path, HAProxy's stats for the listeners routed to it. One report
// feeds GetStatus, heartbeats and /metrics.
import type { Compiled, ServedBy } from '../dataplane/compiler.js';
import {
  addTraffic,
  totalDrops,
  zeroTraffic,
  type Traffic,
  type TrafficSnapshot,
} from '../dataplane/driver.js';
import type { ProxyObjectStatus, ProxyStatus } from './services.js';

export interface ObjectReport {
  id: string;
  status: string;
  servedBy: ServedBy;
  traffic: Traffic;
  /**
   * Octavia's request_errors. Fast path: every packet dropped on the object's account
   * (drops of all reasons, listed in traffic.drops). HAProxy: its request errors (ereq).
   */
  requestErrors: bigint;
}

export interface StatusReport {
  amphoraId: string;
  appliedVersion: bigint;
  loadbalancerId: string;
  interfaces: { name: string; xdp_mode: string }[];
  listeners: ObjectReport[];
  pools: (ObjectReport & { members: ObjectReport[] })[];
  members: (ObjectReport & { poolId: string })[];
  exits: { reason: string; packets: bigint; bytes: bigint }[];
  vrrpState: string; // MASTER | BACKUP | FAULT | '' (no VRRP)
}

function fromXdp(id: string, status: string, traffic: Traffic | undefined): ObjectReport {
  const t = traffic ?? zeroTraffic();
  return { id, status, servedBy: 'xdp', traffic: t, requestErrors: totalDrops(t) };
}

/** HAProxy counts bytes and connections, not packets or drops. */
function fromProxy(id: string, fallback: string, s: ProxyObjectStatus | undefined): ObjectReport {
  if (!s) return { id, status: fallback, servedBy: 'haproxy', traffic: zeroTraffic(), requestErrors: 0n };
  return {
    id,
    status: s.status,
    servedBy: 'haproxy',
    traffic: {
      ...zeroTraffic(),
      bytesIn: BigInt(s.bytesIn),
      bytesOut: BigInt(s.bytesOut),
      connections: BigInt(s.totalConnections),
      active: BigInt(s.activeConnections),
    },
    requestErrors: BigInt(s.requestErrors),
  };
}

const byId = (list: ProxyObjectStatus[] | undefined): Map<string, ProxyObjectStatus> =>
  new Map((list ?? []).map((o) => [o.id, o]));

export interface ReportInput {
  compiled: Compiled;
  traffic: TrafficSnapshot;
  /** null: no HAProxy to ask; its listeners are then not served (ERROR). */
  proxy: ProxyStatus | null;
}

export function objectReports(input: ReportInput): Pick<StatusReport, 'listeners' | 'pools' | 'members'> {
  const { compiled, traffic, proxy } = input;
  const proxyListeners = byId(proxy?.listeners);
  const proxyPools = byId(proxy?.pools);
  const proxyMembers = byId(proxy?.members);
  // Without HAProxy, what was routed to it is served by nobody.
  const unserved = (status: string): string => (proxy ? status : status === 'OFFLINE' ? status : 'ERROR');

  const listeners = compiled.listeners.map((l): ObjectReport => {
    if (l.servedBy === 'haproxy') return fromProxy(l.id, unserved(l.status), proxyListeners.get(l.id));
    if (l.servedBy === 'none' || l.vipId === null) {
      return { id: l.id, status: l.status, servedBy: 'none', traffic: zeroTraffic(), requestErrors: 0n };
    }
    const report = fromXdp(l.id, l.status, traffic.vips.get(l.vipId));
    // Octavia's FULL frontend: at its connection limit the listener is DEGRADED.
    if (report.status === 'ONLINE' && l.connLimit > 0 && report.traffic.active >= BigInt(l.connLimit)) {
      report.status = 'DEGRADED';
    }
    return report;
  });
  const members = compiled.members.map((m): ObjectReport & { poolId: string } => {
    if (m.servedBy === 'haproxy') {
      return { ...fromProxy(m.id, unserved(m.status), proxyMembers.get(m.id)), poolId: m.poolId };
    }
    const t = m.backendId === null ? undefined : traffic.backends.get(m.backendId);
    return { ...fromXdp(m.id, m.status, t), servedBy: m.servedBy, poolId: m.poolId };
  });
  const pools = compiled.pools.map((p) => {
    const mine = members.filter((m) => m.poolId === p.id);
    const own = p.servedBy === 'haproxy' ? proxyPools.get(p.id) : undefined;
    if (own) return { ...fromProxy(p.id, p.status, own), members: mine };
    const t = mine.reduce((sum, m) => addTraffic(sum, m.traffic), zeroTraffic());
    const requestErrors = mine.reduce((sum, m) => sum + m.requestErrors, 0n);
    const status = p.servedBy === 'haproxy' ? unserved(p.status) : p.status;
    return { id: p.id, status, servedBy: p.servedBy, traffic: t, requestErrors, members: mine };
  });
  return { listeners, pools, members };
}
