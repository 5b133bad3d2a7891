// The database schema as Kysely sees it: one interface per table, Octavia's column
// names. API types are not rows: controller/api renames where Octavia renames
// (admin_state_up <-> enabled, loadbalancer_id <-> load_balancer_id).
// Timestamps are ISO-8601 strings; JSON columns are TEXT holding JSON.
import type { Generated } from 'kysely';

export type ProvisioningStatus =
  'ACTIVE' | 'PENDING_CREATE' | 'PENDING_UPDATE' | 'PENDING_DELETE' | 'DELETED' | 'ERROR';
export type OperatingStatus = 'ONLINE' | 'OFFLINE' | 'DEGRADED' | 'ERROR' | 'DRAINING' | 'NO_MONITOR';

interface Common {
  id: string;
  project_id: string;
  name: string;
  description: string;
  provisioning_status: ProvisioningStatus;
  operating_status: OperatingStatus;
  enabled: number; // 0 | 1
  tags: string; // JSON array of strings
  created_at: string;
  updated_at: string | null;
}

export interface LoadBalancerTable extends Common {
  vip_address: string;
  vip_port_id: string;
  vip_subnet_id: string;
  vip_network_id: string;
  provider: string;
  topology: string; // SINGLE | ACTIVE_STANDBY (the flavor's loadbalancer_topology or the controller's default)
  flavor_id: string | null;
  availability_zone: string | null;
}

export interface ListenerTable extends Common {
  load_balancer_id: string;
  protocol: string;
  protocol_port: number;
  connection_limit: number;
  default_pool_id: string | null;
  timeout_client_data: number;
  timeout_member_connect: number;
  timeout_member_data: number;
  timeout_tcp_inspect: number;
  allowed_cidrs: string; // JSON array of CIDR strings; [] means every source
  // TLS and HTTP fields (migration 0007), Octavia's column names. Refs are stored as given.
  insert_headers: Generated<string>; // JSON object {header: value}
  tls_certificate_id: string | null; // API default_tls_container_ref
  sni_containers: Generated<string>; // JSON array of refs, in the order given (API sni_container_refs)
  client_ca_tls_certificate_id: string | null;
  client_authentication: Generated<string>; // NONE | OPTIONAL | MANDATORY
  client_crl_container_id: string | null;
  tls_ciphers: string | null;
  tls_versions: string | null; // JSON array or null
  alpn_protocols: string | null; // JSON array or null
  hsts_max_age: number | null;
  hsts_include_subdomains: number | null; // 0 | 1 | null
  hsts_preload: number | null; // 0 | 1 | null
}

export interface PoolTable extends Common {
  load_balancer_id: string;
  protocol: string;
  lb_algorithm: string;
  session_persistence: string | null; // JSON object or null
  // Re-encryption to members (migration 0007), Octavia's column names.
  tls_certificate_id: string | null; // API tls_container_ref
  ca_tls_certificate_id: string | null;
  crl_container_id: string | null;
  tls_enabled: Generated<number>; // 0 | 1
  tls_ciphers: string | null;
  tls_versions: string | null; // JSON array or null
  alpn_protocols: string | null; // JSON array or null
}

export interface MemberTable extends Common {
  pool_id: string;
  address: string;
  protocol_port: number;
  subnet_id: string | null;
  weight: number;
  backup: number; // 0 | 1
  monitor_address: string | null;
  monitor_port: number | null;
}

/** One amphora (a network namespace running the agent, with the local drivers). */
export interface AmphoraTable {
  id: string;
  load_balancer_id: string | null;
  status: string; // BOOTING | ALLOCATED | READY | ERROR | DELETED (Octavia's amphora statuses)
  // STANDALONE (SINGLE) | MASTER | BACKUP (ACTIVE_STANDBY): built as, then as heartbeats
  // report keepalived's state (observed mastership, see controller/health/server.ts).
  role: string;
  compute_id: string | null; // the compute driver's handle (netns name)
  lb_network_ip: string | null; // management address: the agent's gRPC endpoint
  vrrp_ip: string | null; // the amphora's address on the VIP network
  ha_ip: string | null; // the VIP
  // Migration 0011, Octavia's columns: the port of vrrp_ip, the VIP's port, the NIC
  // keepalived runs on, the group's virtual router id, the priority of the last config.
  vrrp_port_id: string | null;
  ha_port_id: string | null;
  vrrp_interface: string | null;
  vrrp_id: number | null;
  vrrp_priority: number | null;
  member_ips: string; // JSON {subnet_id: address} of the amphora's member-side ports
  cert_expiration: string | null;
  desired_version: number; // config version the controller last built
  applied_version: number; // version the agent reported in its last heartbeat
  last_heartbeat_at: string | null;
  created_at: string;
  updated_at: string | null;
}

/** Work for the worker, written in the same transaction as the intent it serves. */
export interface JobTable {
  id: Generated<number>;
  /**
   * failover_lb fails over the load balancer's amphorae, failover_amphora the one in
   * amphora_id; amphora_config re-pushes the config (controller/worker/failover-flow.ts).
   */
  kind: 'create_lb' | 'sync_lb' | 'delete_lb' | 'failover_lb' | 'failover_amphora' | 'amphora_config';
  load_balancer_id: string;
  amphora_id: Generated<string | null>; // failover_amphora (migration 0011)
  reason: Generated<string | null>; // why a failover was asked for (operator, health manager)
  state: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  lease_owner: string | null;
  lease_until: string | null;
  error: string | null;
  created_at: string;
  updated_at: string | null;
}

/** IPAM of the local network driver: one row per address handed out. */
export interface PortTable {
  id: string;
  project_id: string;
  name: string;
  network_id: string;
  subnet_id: string;
  ip_address: string;
  mac_address: string;
  device_owner: string; // e.g. "Octavia", "compute:amphora"
  device_id: string; // load balancer or amphora id
  created_at: string;
}

export interface Database {
  load_balancer: LoadBalancerTable;
  listener: ListenerTable;
  pool: PoolTable;
  member: MemberTable;
  amphora: AmphoraTable;
  job: JobTable;
  port: PortTable;
  health_monitor: HealthMonitorTable;
  flavor_profile: FlavorProfileTable;
  flavor: FlavorTable;
  availability_zone_profile: AvailabilityZoneProfileTable;
  availability_zone: AvailabilityZoneTable;
  listener_statistics: ListenerStatisticsTable;
  quota: QuotaTable;
  l7policy: L7PolicyTable;
  l7rule: L7RuleTable;
  secret: SecretTable;
  vrrp_group: VrrpGroupTable;
}

/** The VRRP group of an ACTIVE_STANDBY load balancer (Octavia's vrrp_group), migration 0011. */
export interface VrrpGroupTable {
  load_balancer_id: string;
  vip_network_id: string; // virtual router ids are unique per network
  vrrp_id: number; // 1..255
  auth_pass: string; // VRRP PASS authentication, 8 characters
  created_at: string;
}

/**
 * Counters of one listener as one amphora reported them (Octavia's listener_statistics);
 * the API sums the rows of a listener. Cumulative counters = offset + the agent's last
 * report, the offset growing when the agent's counters restart (health/listener-counters.ts).
 */
export interface ListenerStatisticsTable {
  listener_id: string;
  amphora_id: string;
  bytes_in: number; // from clients
  bytes_out: number; // to clients
  active_connections: number; // a gauge: the last report
  total_connections: number;
  request_errors: number;
  bytes_in_offset: number;
  bytes_out_offset: number;
  total_connections_offset: number;
  request_errors_offset: number;
  updated_at: string;
}

/** Provider-specific settings behind flavors: flavor_data is the JSON text as given. */
export interface FlavorProfileTable {
  id: string;
  name: string;
  provider_name: string;
  flavor_data: string;
  created_at: string; // not shown: the list helper's total order
}

/** What users pick at load balancer create (flavor_id); name is unique. */
export interface FlavorTable {
  id: string;
  name: string;
  description: string;
  enabled: number; // 0 | 1
  flavor_profile_id: string;
  created_at: string; // not shown
}

export interface AvailabilityZoneProfileTable {
  id: string;
  name: string;
  provider_name: string;
  availability_zone_data: string; // JSON text as given
  created_at: string; // not shown
}

/** Keyed by name, as Octavia: load_balancer.availability_zone holds the name. */
export interface AvailabilityZoneTable {
  name: string;
  description: string;
  enabled: number; // 0 | 1
  availability_zone_profile_id: string;
  created_at: string; // not shown
}

/** A project's explicit quotas; null = the configured default, -1 = unlimited. */
export interface QuotaTable {
  project_id: string;
  load_balancer: number | null;
  listener: number | null;
  pool: number | null;
  health_monitor: number | null;
  member: number | null;
  l7policy: number | null;
  l7rule: number | null;
}

/** A pool's health monitor; max_retries / max_retries_down are Octavia's rise / fall thresholds. */
export interface HealthMonitorTable {
  id: string;
  project_id: string;
  name: string;
  pool_id: string;
  type: string; // PING | TCP | HTTP | HTTPS | TLS-HELLO | UDP-CONNECT | SCTP
  delay: number; // seconds between checks
  timeout: number; // seconds a check may take
  rise_threshold: number; // max_retries: successes before a member is up
  fall_threshold: number; // max_retries_down: failures before a member is down
  http_method: string | null;
  url_path: string | null;
  expected_codes: string | null;
  http_version: number | null; // 1.0 | 1.1
  domain_name: string | null;
  provisioning_status: ProvisioningStatus;
  operating_status: OperatingStatus;
  enabled: number; // 0 | 1
  tags: string; // JSON array of strings
  created_at: string;
  updated_at: string | null;
}

/** A listener's L7 policy (Octavia's l7policy): evaluated in `position` order, 1..n per listener. */
export interface L7PolicyTable {
  id: string;
  project_id: string;
  name: string;
  description: string;
  listener_id: string;
  action: string; // REJECT | REDIRECT_TO_URL | REDIRECT_TO_POOL | REDIRECT_PREFIX
  redirect_pool_id: string | null;
  redirect_url: string | null;
  redirect_prefix: string | null;
  redirect_http_code: number | null; // 301 | 302 | 303 | 307 | 308
  position: number;
  provisioning_status: ProvisioningStatus;
  operating_status: OperatingStatus;
  enabled: number; // 0 | 1
  tags: string; // JSON array of strings
  created_at: string;
  updated_at: string | null;
}

/** A condition of an L7 policy (Octavia's l7rule): a policy applies when all its rules match. */
export interface L7RuleTable {
  id: string;
  project_id: string;
  l7policy_id: string;
  type: string; // HOST_NAME | PATH | FILE_TYPE | HEADER | COOKIE | SSL_CONN_HAS_CERT | SSL_VERIFY_RESULT | SSL_DN_FIELD
  compare_type: string; // REGEX | STARTS_WITH | ENDS_WITH | CONTAINS | EQUAL_TO
  key: string | null;
  value: string;
  invert: number; // 0 | 1
  provisioning_status: ProvisioningStatus;
  operating_status: OperatingStatus;
  enabled: number; // 0 | 1
  tags: string; // JSON array of strings
  created_at: string;
  updated_at: string | null;
}

/**
 * A secret of the local secrets store (controller/drivers/secrets/local.ts). `ciphertext`
 * is the sealed JSON of the PEM material (drivers/secrets/secret-box.ts); the other
 * columns hold nothing secret and are what the API shows.
 */
export interface SecretTable {
  id: string;
  project_id: string;
  name: string;
  kind: 'certificate' | 'ca' | 'crl';
  ciphertext: string; // base64 of version | nonce | AES-256-GCM output | tag
  subject: string | null; // the leaf's (certificate), the first certificate's (ca), the issuer (crl)
  not_after: string | null; // ISO-8601: the earliest expiry of the certificates, a CRL's nextUpdate
  fingerprint: string | null; // SHA-256 of the leaf, first certificate or CRL (DER), colon hex
  created_at: string;
  updated_at: string | null;
}
