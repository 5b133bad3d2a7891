// Who serves each listener and pool. The XDP fast path takes what it can do exactly;
// HAProxy (TCP mode) takes TCP listeners that need what XDP cannot do; the rest is
// reported, never silently dropped. Octavia's listener/pool protocol pairs
// (octavia/common/constants.py VALID_LISTENER_POOL_PROTOCOL_MAP) decide what is valid.
import type { AmphoraConfig__Output } from '../../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { Listener__Output } from '../../grpc/gen/velox/agent/v1/Listener.js';
import type { Pool__Output } from '../../grpc/gen/velox/agent/v1/Pool.js';
import { canonicalAddress, familyOfAddress } from '../address.js';
import { vipKeyId, type L4Protocol } from '../state.js';
import type { Problem, ServedBy } from './types.js';

/** Pool protocols a listener may use (Octavia's map). */
const VALID_POOLS: Record<string, readonly string[]> = {
  TCP: ['HTTP', 'HTTPS', 'PROXY', 'PROXYV2', 'TCP'],
  HTTPS: ['HTTPS', 'PROXY', 'PROXYV2', 'TCP'], // TLS passthrough: bytes, as TCP
  UDP: ['UDP'],
  SCTP: ['SCTP'],
  HTTP: ['HTTP', 'PROXY', 'PROXYV2'],
  TERMINATED_HTTPS: ['HTTP', 'PROXY', 'PROXYV2'],
  PROMETHEUS: [],
};
const FULL_MASKS: readonly string[] = ['255.255.255.255', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'];
const L7_PROTOCOLS: readonly string[] = ['HTTP', 'TERMINATED_HTTPS', 'PROMETHEUS'];

export interface ListenerRoute {
  servedBy: ServedBy;
  l4: L4Protocol; // the VIP entry's protocol when servedBy is xdp
  vipAddress: string; // canonical
  family: 4 | 6;
}

export interface Routing {
  listeners: Map<string, ListenerRoute>;
  /** Pools by who serves them: xdp when any fast-path listener uses them. */
  pools: Map<string, { servedBy: ServedBy; family: 4 | 6 }>;
  problems: Problem[];
}

export interface RoutingOptions {
  /** Listener protocols besides TCP/HTTPS that the HAProxy renderer serves (issue 5). */
  haproxyProtocols?: readonly string[];
}

function decide(
  l: Listener__Output,
  pool: Pool__Output | undefined,
  family: 4 | 6,
  opts: RoutingOptions,
): { servedBy: ServedBy; reason?: string } {
  const valid = VALID_POOLS[l.protocol];
  if (!valid)
    return { servedBy: 'none', reason: `protocol ${l.protocol} is not an Octavia listener protocol` };
  if (pool && !valid.includes(pool.protocol)) {
    return {
      servedBy: 'none',
      reason: `pool ${pool.id} protocol ${pool.protocol} is not valid behind a ${l.protocol} listener`,
    };
  }
  if (l.protocol === 'SCTP') return { servedBy: 'none', reason: 'SCTP is served neither by XDP nor HAProxy' };
  if (L7_PROTOCOLS.includes(l.protocol)) {
    return (opts.haproxyProtocols ?? []).includes(l.protocol)
      ? { servedBy: 'haproxy', reason: `protocol ${l.protocol} is served by HAProxy` }
      : { servedBy: 'none', reason: `protocol ${l.protocol} is served by HAProxy (issue 5), not yet` };
  }
  if (!pool || l.protocol === 'UDP') return { servedBy: 'xdp' }; // UDP: other-family members are left out
  if (pool.protocol === 'PROXY' || pool.protocol === 'PROXYV2') {
    return { servedBy: 'haproxy', reason: `pool protocol ${pool.protocol} needs HAProxy to send the header` };
  }
  if (pool.tls_enabled) {
    // XDP forwards packets; TLS to the members needs a proxy (TCP mode wraps the bytes, as Octavia's does).
    return {
      servedBy: 'haproxy',
      reason: `pool ${pool.id} has tls_enabled: HAProxy re-encrypts to the members`,
    };
  }
  const otherFamily = pool.members.filter((m) => familyOfAddress(m.address) !== family);
  if (otherFamily.length > 0) {
    const which = otherFamily.length === pool.members.length ? 'all' : `${otherFamily.length} of`;
    return {
      servedBy: 'haproxy',
      reason: `${which} the members of pool ${pool.id} are not IPv${family} like the VIP`,
    };
  }
  return { servedBy: 'xdp' };
}

export function route(config: AmphoraConfig__Output, opts: RoutingOptions = {}): Routing {
  const poolsById = new Map(config.pools.map((p) => [p.id, p]));
  const routing: Routing = { listeners: new Map(), pools: new Map(), problems: [] };
  const services = new Set<string>();
  for (const l of config.listeners) {
    const vipAddress = canonicalAddress(l.vip_address);
    const family = familyOfAddress(vipAddress);
    const l4: L4Protocol = l.protocol === 'UDP' ? 'UDP' : 'TCP';
    const pool = l.default_pool_id ? poolsById.get(l.default_pool_id) : undefined;
    let { servedBy, reason } = decide(l, pool, family, opts);
    if (servedBy !== 'none') {
      // TCP, HTTPS and HTTP listeners share the TCP port space of the VIP.
      const key = vipKeyId({ address: vipAddress, port: l.protocol_port, protocol: l4 });
      if (services.has(key)) {
        servedBy = 'none';
        reason = `another listener already serves ${l4} port ${l.protocol_port} of ${vipAddress}`;
      }
      services.add(key);
    }
    if (reason) {
      routing.problems.push({
        kind: 'listener',
        id: l.id,
        reason,
        effect: servedBy === 'haproxy' ? 'haproxy' : 'not-served',
      });
    }
    routing.listeners.set(l.id, { servedBy, l4, vipAddress, family });
    if (pool && servedBy !== 'none') {
      const was = routing.pools.get(pool.id)?.servedBy;
      if (was !== 'xdp') routing.pools.set(pool.id, { servedBy, family });
    }
    // The pools an HTTP listener's REDIRECT_TO_POOL policies send to are HAProxy's too.
    if (servedBy === 'haproxy' && L7_PROTOCOLS.includes(l.protocol)) {
      for (const p of l.l7policies) {
        const target = p.action === 'REDIRECT_TO_POOL' ? poolsById.get(p.redirect_pool_id) : undefined;
        if (target && !routing.pools.has(target.id)) routing.pools.set(target.id, { servedBy, family });
      }
    }
  }
  for (const p of config.pools) {
    if (!routing.pools.has(p.id)) routing.pools.set(p.id, { servedBy: 'none', family: 4 });
    const sp = p.session_persistence?.type;
    if (routing.pools.get(p.id)?.servedBy === 'xdp' && (sp === 'HTTP_COOKIE' || sp === 'APP_COOKIE')) {
      routing.problems.push({
        kind: 'pool',
        id: p.id,
        reason: `session persistence ${sp} needs HTTP; on a ${p.protocol} pool it has no effect (as in Octavia's HAProxy TCP mode)`,
        effect: 'ignored',
      });
    }
    const granularity = p.session_persistence?.persistence_granularity ?? '';
    if (sp === 'SOURCE_IP' && granularity !== '' && !FULL_MASKS.includes(granularity)) {
      routing.problems.push({
        kind: 'pool',
        id: p.id,
        reason: `persistence_granularity ${granularity} has no effect: the fast path keys on the whole source address`,
        effect: 'ignored',
      });
    }
  }
  return routing;
}
