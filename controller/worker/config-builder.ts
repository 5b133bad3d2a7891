// Intent → the whole desired config of one amphora. Pure: the DB graph of a load
// balancer and the amphora's addresses in, an AmphoraConfig (proto) out. Objects
// being deleted (PENDING_DELETE) are left out, so applying the result removes them.
// TLS material comes resolved (tls-material.ts, through the secrets driver) in
// BuildOptions.secrets: certificates with their keys, client and member CA / CRL PEMs.
import { isIPv6 } from 'node:net';
import type { HealthMonitorRow } from '../db/health-monitor-repo.js';
import { jsonListOrNull, jsonStringMap } from '../db/json-columns.js';
import type { L7PolicyGraph } from '../db/l7-graph-repo.js';
import type { ListenerRow } from '../db/listener-repo.js';
import type { PoolRow } from '../db/pool-repo.js';
import type { LoadBalancerGraph } from '../db/worker-repo.js';
import type { AmphoraConfig } from '../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { HealthMonitor } from '../../src/grpc/gen/velox/agent/v1/HealthMonitor.js';
import type { Hsts } from '../../src/grpc/gen/velox/agent/v1/Hsts.js';
import type { Interface } from '../../src/grpc/gen/velox/agent/v1/Interface.js';
import type { L7Policy } from '../../src/grpc/gen/velox/agent/v1/L7Policy.js';
import type { Listener } from '../../src/grpc/gen/velox/agent/v1/Listener.js';
import type { Pool } from '../../src/grpc/gen/velox/agent/v1/Pool.js';
import type { SessionPersistence } from '../../src/grpc/gen/velox/agent/v1/SessionPersistence.js';
import type { TlsCertificate } from '../../src/grpc/gen/velox/agent/v1/TlsCertificate.js';
import { NO_TLS_SECRETS, type TlsSecrets } from './tls-material.js';
import { vrrpSection, type VrrpPlan } from './vrrp-plan.js';

/** Where the amphora sits on the networks (see amphora-plan.ts). */
export interface AmphoraAddresses {
  amphoraId: string;
  vip: { address: string; vrrpAddress: string; prefix: number };
  /** One per member network: mem0, mem1, … */
  memberNics: {
    name: string;
    address: string;
    prefix: number;
    /** Its addresses on the network's other subnets (the IPv6 one): SNAT sources for that family. */
    moreAddresses?: { address: string; prefix: number }[];
  }[];
  /**
   * ACTIVE_STANDBY: keepalived holds the VIP and the SNAT addresses (vrrp.floating), so
   * the interfaces carry the amphora's own addresses only. Absent: SINGLE.
   */
  vrrp?: VrrpPlan;
}

export interface BuildOptions {
  version: number;
  heartbeat: { target: string; interval_ms: number };
  /** Every TLS ref of the graph, resolved (resolveTlsSecrets); none when the graph names none. */
  secrets?: TlsSecrets;
}

// The SNAT range of Full-NAT; the amphora's kernel keeps 60000-65000 for itself.
const SNAT_PORT_MIN = 10_000;
const SNAT_PORT_MAX = 59_999;
// TCP flows after FIN or RST (Octavia has no setting for it; HAProxy's client-fin is similar).
const TCP_CLOSING_TIMEOUT_MS = 10_000;

const live = <T extends { provisioning_status: string }>(rows: T[]): T[] =>
  rows.filter((r) => r.provisioning_status !== 'PENDING_DELETE');

/** The DB's JSON array of CIDRs ([] or absent: every source). */
function allowedCidrs(json: string | null): string[] {
  const v: unknown = json ? JSON.parse(json) : [];
  return Array.isArray(v) ? v.filter((c): c is string => typeof c === 'string') : [];
}

/** The DB's JSON text (Octavia's SessionPersistence) -> the proto message; null: none. */
function sessionPersistence(json: string | null): SessionPersistence | null {
  if (json === null) return null;
  const sp = JSON.parse(json) as Record<string, unknown>;
  return {
    type: typeof sp.type === 'string' ? sp.type : 'SOURCE_IP',
    cookie_name: typeof sp.cookie_name === 'string' ? sp.cookie_name : '',
    persistence_timeout: typeof sp.persistence_timeout === 'number' ? sp.persistence_timeout : 0,
    persistence_granularity: typeof sp.persistence_granularity === 'string' ? sp.persistence_granularity : '',
  };
}

/** A health monitor row -> the proto message (max_retries: rise, max_retries_down: fall). */
function healthMonitor(hm: HealthMonitorRow | undefined): HealthMonitor | null {
  if (!hm || hm.provisioning_status === 'PENDING_DELETE') return null;
  return {
    id: hm.id,
    type: hm.type,
    delay: hm.delay,
    timeout: hm.timeout,
    max_retries: hm.rise_threshold,
    max_retries_down: hm.fall_threshold,
    http_method: hm.http_method ?? '',
    url_path: hm.url_path ?? '',
    expected_codes: hm.expected_codes ?? '',
    domain_name: hm.domain_name ?? '',
    http_version: hm.http_version === null ? '' : hm.http_version === 1 ? '1.0' : String(hm.http_version),
    admin_state_up: hm.enabled === 1,
  };
}

/** The resolved material of `ref`; missing means the resolution step was skipped (a bug). */
function resolved<T>(map: ReadonlyMap<string, T>, ref: string): T {
  const v = map.get(ref);
  if (v === undefined) throw new Error(`flow bug: TLS secret ${JSON.stringify(ref)} was not resolved`);
  return v;
}

/** A certificate with its key and chain, for a listener (default, SNI) or a pool (client cert). */
function certificate(ref: string | null, secrets: TlsSecrets): TlsCertificate | null {
  if (!ref) return null;
  const c = resolved(secrets.certificates, ref);
  return {
    ref,
    certificate_pem: c.certificatePem,
    private_key_pem: c.privateKeyPem,
    intermediates_pem: c.intermediatesPem,
  };
}

const pem = (map: ReadonlyMap<string, string>, ref: string | null) => (ref ? resolved(map, ref) : '');

/** The listener's TLS, header and HSTS fields (empty values when unused). */
function listenerTls(l: ListenerRow, secrets: TlsSecrets): Partial<Listener> {
  const hsts: Hsts | null =
    l.hsts_max_age === null
      ? null
      : {
          max_age: l.hsts_max_age,
          include_subdomains: l.hsts_include_subdomains === 1,
          preload: l.hsts_preload === 1,
        };
  return {
    insert_headers: jsonStringMap(l.insert_headers),
    default_tls: certificate(l.tls_certificate_id, secrets),
    sni_tls: (jsonListOrNull(l.sni_containers) ?? []).flatMap((ref) => certificate(ref, secrets) ?? []),
    client_authentication: l.client_authentication,
    client_ca_pem: pem(secrets.cas, l.client_ca_tls_certificate_id),
    client_crl_pem: pem(secrets.crls, l.client_crl_container_id),
    tls_ciphers: l.tls_ciphers ?? '',
    tls_versions: jsonListOrNull(l.tls_versions) ?? [],
    alpn_protocols: jsonListOrNull(l.alpn_protocols) ?? [],
    hsts,
  };
}

function poolTls(p: PoolRow, secrets: TlsSecrets): Partial<Pool> {
  return {
    tls_enabled: p.tls_enabled === 1,
    tls_certificate: certificate(p.tls_certificate_id, secrets),
    ca_pem: pem(secrets.cas, p.ca_tls_certificate_id),
    crl_pem: pem(secrets.crls, p.crl_container_id),
    tls_ciphers: p.tls_ciphers ?? '',
    tls_versions: jsonListOrNull(p.tls_versions) ?? [],
    alpn_protocols: jsonListOrNull(p.alpn_protocols) ?? [],
  };
}

/**
 * A listener's L7 policies in position order, with their rules. Disabled policies and
 * rules are kept with admin_state_up false; those being deleted are left out.
 */
function l7Policies(
  graph: L7PolicyGraph[],
  listenerId: string,
  poolIds: ReadonlySet<string | undefined>,
): L7Policy[] {
  return graph
    .filter((g) => g.policy.listener_id === listenerId && g.policy.provisioning_status !== 'PENDING_DELETE')
    .sort((a, b) => a.policy.position - b.policy.position)
    .map(({ policy: p, rules }) => ({
      id: p.id,
      action: p.action,
      position: p.position,
      redirect_pool_id:
        p.redirect_pool_id !== null && poolIds.has(p.redirect_pool_id) ? p.redirect_pool_id : '',
      redirect_url: p.redirect_url ?? '',
      redirect_prefix: p.redirect_prefix ?? '',
      redirect_http_code: p.redirect_http_code ?? 0,
      admin_state_up: p.enabled === 1,
      rules: live(rules).map((r) => ({
        id: r.id,
        type: r.type,
        compare_type: r.compare_type,
        key: r.key ?? '',
        value: r.value,
        invert: r.invert === 1,
        admin_state_up: r.enabled === 1,
      })),
    }));
}

export function buildAmphoraConfig(
  graph: LoadBalancerGraph,
  amp: AmphoraAddresses,
  opts: BuildOptions,
): AmphoraConfig {
  const lb = graph.loadBalancer;
  const lbUp = lb.enabled === 1;
  const secrets = opts.secrets ?? NO_TLS_SECRETS;
  const pools: Pool[] = graph.pools
    .filter((p) => p.pool.provisioning_status !== 'PENDING_DELETE')
    .map(({ pool, members, healthMonitor: hm }) => ({
      id: pool.id,
      protocol: pool.protocol,
      lb_algorithm: pool.lb_algorithm,
      admin_state_up: pool.enabled === 1,
      members: live(members).map((m) => ({
        id: m.id,
        address: m.address,
        protocol_port: m.protocol_port,
        weight: m.weight,
        admin_state_up: m.enabled === 1,
        backup: m.backup === 1,
        monitor_address: m.monitor_address ?? '',
        monitor_port: m.monitor_port ?? 0,
      })),
      session_persistence: sessionPersistence(pool.session_persistence),
      health_monitor: healthMonitor(hm),
      ...poolTls(pool, secrets),
    }));
  const poolIds = new Set(pools.map((p) => p.id));
  const listeners: Listener[] = live(graph.listeners).map((l) => ({
    id: l.id,
    vip_address: lb.vip_address,
    protocol: l.protocol,
    protocol_port: l.protocol_port,
    default_pool_id: l.default_pool_id !== null && poolIds.has(l.default_pool_id) ? l.default_pool_id : '',
    // A disabled load balancer disables every listener (Octavia's admin_state_up).
    admin_state_up: lbUp && l.enabled === 1,
    connection_limit: l.connection_limit,
    allowed_cidrs: allowedCidrs(l.allowed_cidrs),
    timeout_client_data: l.timeout_client_data,
    timeout_member_connect: l.timeout_member_connect,
    timeout_member_data: l.timeout_member_data,
    timeout_tcp_inspect: l.timeout_tcp_inspect,
    ...listenerTls(l, secrets),
    l7policies: l7Policies(graph.l7policies ?? [], l.id, poolIds),
  }));
  const interfaces: Interface[] = [
    {
      name: 'vip0',
      role: 'VIP',
      // The amphora's own address first: it is the primary, the VIP is an alias
      // (SINGLE; with VRRP keepalived adds the VIP on the MASTER).
      addresses: [
        `${amp.vip.vrrpAddress}/${amp.vip.prefix}`,
        ...(amp.vrrp ? [] : [`${amp.vip.address}/${isIPv6(amp.vip.address) ? 128 : 32}`]),
      ],
    },
    ...amp.memberNics.map((n): Interface => ({
      name: n.name,
      role: 'MEMBER',
      addresses: [
        `${n.address}/${n.prefix}`,
        ...(n.moreAddresses ?? []).map((m) => `${m.address}/${m.prefix}`),
      ],
    })),
  ];
  return {
    version: opts.version,
    amphora_id: amp.amphoraId,
    loadbalancer_id: lb.id,
    interfaces,
    listeners,
    pools,
    heartbeat: opts.heartbeat,
    dataplane: {
      generic_xdp: false,
      snat_port_min: SNAT_PORT_MIN,
      snat_port_max: SNAT_PORT_MAX,
      tcp_closing_timeout_ms: TCP_CLOSING_TIMEOUT_MS,
    },
    ...(amp.vrrp ? { vrrp: vrrpSection(amp.vrrp) } : {}),
  };
}
