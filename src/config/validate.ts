// Semantic checks of an AmphoraConfig, shared by the file loader and the gRPC Apply path.
// Refuses what cannot be meant (bad addresses, dangling references, duplicates); what is
// valid but not served by the fast path (an HTTP listener, a member on no attached subnet)
// is left for the compiler to report per object.
import { isIP } from 'node:net';
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import { HealthMonitorError, validateHealthMonitor } from '../health/checks/index.js';
import { validateVrrp } from '../vrrp/validate.js';
import { ConfigError } from './config-error.js';

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

function checkCidr(value: string, path: string): void {
  const [addr, len, extra] = value.split('/');
  const family = isIP(addr ?? '');
  const max = family === 4 ? 32 : 128;
  if (!family || extra !== undefined || len === undefined || !/^\d+$/.test(len) || Number(len) > max) {
    throw new ConfigError(path, `not an address in CIDR form: ${JSON.stringify(value)}`);
  }
}

const LB_ALGORITHMS = ['', 'ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP', 'SOURCE_IP_PORT'];
// Octavia's protocols; the compiler decides which path (XDP or HAProxy) serves each.
const LISTENER_PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'HTTP', 'HTTPS', 'TERMINATED_HTTPS', 'PROMETHEUS'];
const POOL_PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'HTTP', 'HTTPS', 'PROXY', 'PROXYV2'];
/** Two listeners on one address and port must differ in transport protocol. */
const L4_PROTOCOL: Record<string, string> = { UDP: 'UDP', SCTP: 'SCTP' };
const CLIENT_AUTH = ['', 'NONE', 'OPTIONAL', 'MANDATORY'];
const TLS_VERSIONS = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const ALPN_PROTOCOLS = ['h2', 'http/1.1', 'http/1.0'];
const L7_ACTIONS = ['REJECT', 'REDIRECT_TO_URL', 'REDIRECT_TO_POOL', 'REDIRECT_PREFIX'];
const L7_RULE_TYPES = [
  'HOST_NAME',
  'PATH',
  'FILE_TYPE',
  'HEADER',
  'COOKIE',
  'SSL_CONN_HAS_CERT',
  'SSL_VERIFY_RESULT',
  'SSL_DN_FIELD',
];
const L7_COMPARE_TYPES = ['REGEX', 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS', 'EQUAL_TO'];
const PERSISTENCE_TYPES = ['', 'SOURCE_IP', 'HTTP_COOKIE', 'APP_COOKIE'];

function oneOf(value: string, allowed: readonly string[], path: string): void {
  if (!allowed.includes(value)) {
    throw new ConfigError(
      path,
      `${JSON.stringify(value)} is not one of ${allowed.filter(Boolean).join(', ')}`,
    );
  }
}

function checkIp(value: string, path: string): void {
  if (!isIP(value)) throw new ConfigError(path, `not an IP address: ${JSON.stringify(value)}`);
}

function checkPort(value: number, path: string): void {
  if (value < 1 || value > 65535) throw new ConfigError(path, `port ${value} is not in 1..65535`);
}

function unique(seen: Set<string>, value: string, path: string, what: string): void {
  if (seen.has(value)) throw new ConfigError(path, `duplicate ${what} ${JSON.stringify(value)}`);
  seen.add(value);
}

function required(value: string, path: string): void {
  if (value === '') throw new ConfigError(path, 'is required');
}

type ListenerOutput = AmphoraConfig__Output['listeners'][number];

function checkListenerTls(l: ListenerOutput, p: string): void {
  oneOf(l.client_authentication, CLIENT_AUTH, `${p}.client_authentication`);
  l.tls_versions.forEach((v, k) => oneOf(v, TLS_VERSIONS, `${p}.tls_versions[${k}]`));
  l.alpn_protocols.forEach((v, k) => oneOf(v, ALPN_PROTOCOLS, `${p}.alpn_protocols[${k}]`));
  l.sni_tls.forEach((c, k) => required(c.ref, `${p}.sni_tls[${k}].ref`));
}

function checkL7Policies(policies: ListenerOutput['l7policies'], poolIds: Set<string>, p: string): void {
  const ids = new Set<string>();
  policies.forEach((pol, n) => {
    const pp = `${p}.l7policies[${n}]`;
    required(pol.id, `${pp}.id`);
    unique(ids, pol.id, `${pp}.id`, 'L7 policy id');
    oneOf(pol.action, L7_ACTIONS, `${pp}.action`);
    if (pol.action === 'REDIRECT_TO_POOL' && !poolIds.has(pol.redirect_pool_id)) {
      throw new ConfigError(
        `${pp}.redirect_pool_id`,
        `no pool ${JSON.stringify(pol.redirect_pool_id)} in this config`,
      );
    }
    if (pol.action === 'REDIRECT_TO_URL') required(pol.redirect_url, `${pp}.redirect_url`);
    if (pol.action === 'REDIRECT_PREFIX') required(pol.redirect_prefix, `${pp}.redirect_prefix`);
    pol.rules.forEach((r, k) => {
      oneOf(r.type, L7_RULE_TYPES, `${pp}.rules[${k}].type`);
      oneOf(r.compare_type, L7_COMPARE_TYPES, `${pp}.rules[${k}].compare_type`);
    });
  });
}

/** Throws ConfigError naming the first bad field. */
export function validateAmphoraConfig(c: AmphoraConfig__Output): void {
  if (BigInt(c.version) === 0n) throw new ConfigError('version', 'must be at least 1');
  required(c.amphora_id, 'amphora_id');

  const ifnames = new Set<string>();
  c.interfaces.forEach((i, n) => {
    const p = `interfaces[${n}]`;
    if (!IFNAME.test(i.name))
      throw new ConfigError(`${p}.name`, `not an interface name: ${JSON.stringify(i.name)}`);
    unique(ifnames, i.name, `${p}.name`, 'interface');
    if (i.role !== 'VIP' && i.role !== 'MEMBER') throw new ConfigError(`${p}.role`, 'must be VIP or MEMBER');
    i.addresses.forEach((a, k) => checkCidr(a, `${p}.addresses[${k}]`));
  });

  const poolIds = new Set<string>();
  const memberIds = new Set<string>();
  c.pools.forEach((pool, n) => {
    const p = `pools[${n}]`;
    required(pool.id, `${p}.id`);
    unique(poolIds, pool.id, `${p}.id`, 'pool id');
    oneOf(pool.protocol, POOL_PROTOCOLS, `${p}.protocol`);
    pool.tls_versions.forEach((v, k) => oneOf(v, TLS_VERSIONS, `${p}.tls_versions[${k}]`));
    pool.alpn_protocols.forEach((v, k) => oneOf(v, ALPN_PROTOCOLS, `${p}.alpn_protocols[${k}]`));
    oneOf(pool.lb_algorithm, LB_ALGORITHMS, `${p}.lb_algorithm`);
    if (pool.session_persistence) {
      oneOf(pool.session_persistence.type, PERSISTENCE_TYPES, `${p}.session_persistence.type`);
    }
    if (pool.health_monitor) {
      try {
        validateHealthMonitor(pool.health_monitor);
      } catch (err) {
        if (err instanceof HealthMonitorError) {
          throw new ConfigError(`${p}.health_monitor.${err.field}`, err.reason);
        }
        throw err;
      }
    }
    pool.members.forEach((m, k) => {
      const mp = `${p}.members[${k}]`;
      required(m.id, `${mp}.id`);
      unique(memberIds, m.id, `${mp}.id`, 'member id');
      checkIp(m.address, `${mp}.address`);
      checkPort(m.protocol_port, `${mp}.protocol_port`);
      if (m.weight > 256) throw new ConfigError(`${mp}.weight`, `weight ${m.weight} is not in 0..256`);
      if (m.monitor_address !== '') checkIp(m.monitor_address, `${mp}.monitor_address`);
      if (m.monitor_port > 65535) checkPort(m.monitor_port, `${mp}.monitor_port`);
    });
  });

  const listenerIds = new Set<string>();
  const services = new Set<string>();
  c.listeners.forEach((l, n) => {
    const p = `listeners[${n}]`;
    required(l.id, `${p}.id`);
    unique(listenerIds, l.id, `${p}.id`, 'listener id');
    checkIp(l.vip_address, `${p}.vip_address`);
    checkPort(l.protocol_port, `${p}.protocol_port`);
    oneOf(l.protocol, LISTENER_PROTOCOLS, `${p}.protocol`);
    l.allowed_cidrs.forEach((c, k) => checkCidr(c, `${p}.allowed_cidrs[${k}]`));
    unique(
      services,
      `${l.vip_address} ${L4_PROTOCOL[l.protocol] ?? 'TCP'} ${l.protocol_port}`,
      p,
      'service (vip_address, L4 protocol, port)',
    );
    checkListenerTls(l, p);
    checkL7Policies(l.l7policies, poolIds, p);
    if (l.default_pool_id !== '' && !poolIds.has(l.default_pool_id)) {
      throw new ConfigError(
        `${p}.default_pool_id`,
        `no pool ${JSON.stringify(l.default_pool_id)} in this config`,
      );
    }
  });

  const dp = c.dataplane;
  if (dp) {
    const min = dp.snat_port_min || 10000;
    const max = dp.snat_port_max || 59999;
    if (min > 65535) throw new ConfigError('dataplane.snat_port_min', `${min} is not a port`);
    if (max > 65535) throw new ConfigError('dataplane.snat_port_max', `${max} is not a port`);
    if (min > max) throw new ConfigError('dataplane.snat_port_min', `${min} is above snat_port_max ${max}`);
    if (dp.tcp_closing_timeout_ms > 3_600_000) {
      throw new ConfigError(
        'dataplane.tcp_closing_timeout_ms',
        `${dp.tcp_closing_timeout_ms} ms is above one hour`,
      );
    }
  }
  if (c.heartbeat && c.heartbeat.target !== '' && c.heartbeat.interval_ms === 0) {
    throw new ConfigError('heartbeat.interval_ms', 'must be positive when a target is set');
  }
  validateVrrp(c);
}
