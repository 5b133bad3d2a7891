// A strict reader for protobuf's canonical JSON mapping of AmphoraConfig, with snake_case
// field names. Unknown fields and wrong types are refused with the field's path, and missing
// fields take proto3 defaults, so the result has the shape @grpc/proto-loader produces with
// { keepCase, longs: String, enums: String, defaults: true }.
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import { ConfigError } from './config-error.js';

type Scalar = 'string' | 'bool' | 'uint32' | 'int32' | 'uint64';
interface EnumType {
  enum: readonly string[];
}
type FieldType = Scalar | EnumType | { message: string };
interface Field {
  type: FieldType;
  repeated?: boolean;
  /** map<string, type>: a JSON object. */
  map?: boolean;
}
type Message = Record<string, Field>;

const str: Field = { type: 'string' };
const bool: Field = { type: 'bool' };
const u32: Field = { type: 'uint32' };

const messages: Record<string, Message> = {
  AmphoraConfig: {
    version: { type: 'uint64' },
    amphora_id: str,
    loadbalancer_id: str,
    interfaces: { type: { message: 'Interface' }, repeated: true },
    listeners: { type: { message: 'Listener' }, repeated: true },
    pools: { type: { message: 'Pool' }, repeated: true },
    heartbeat: { type: { message: 'Heartbeat' } },
    dataplane: { type: { message: 'DataPlane' } },
    vrrp: { type: { message: 'Vrrp' } },
  },
  Interface: {
    name: str,
    role: { type: { enum: ['ROLE_UNSPECIFIED', 'VIP', 'MEMBER'] } },
    addresses: { type: 'string', repeated: true },
  },
  Listener: {
    id: str,
    vip_address: str,
    protocol: str,
    protocol_port: u32,
    default_pool_id: str,
    admin_state_up: bool,
    connection_limit: { type: 'int32' },
    allowed_cidrs: { type: 'string', repeated: true },
    timeout_client_data: u32,
    timeout_member_connect: u32,
    timeout_member_data: u32,
    timeout_tcp_inspect: u32,
    insert_headers: { type: 'string', map: true },
    default_tls: { type: { message: 'TlsCertificate' } },
    sni_tls: { type: { message: 'TlsCertificate' }, repeated: true },
    client_authentication: str,
    client_ca_pem: str,
    client_crl_pem: str,
    tls_ciphers: str,
    tls_versions: { type: 'string', repeated: true },
    alpn_protocols: { type: 'string', repeated: true },
    hsts: { type: { message: 'Hsts' } },
    l7policies: { type: { message: 'L7Policy' }, repeated: true },
  },
  TlsCertificate: {
    ref: str,
    certificate_pem: str,
    private_key_pem: str,
    intermediates_pem: { type: 'string', repeated: true },
  },
  Hsts: { max_age: u32, include_subdomains: bool, preload: bool },
  L7Policy: {
    id: str,
    action: str,
    position: u32,
    redirect_pool_id: str,
    redirect_url: str,
    redirect_prefix: str,
    redirect_http_code: u32,
    admin_state_up: bool,
    rules: { type: { message: 'L7Rule' }, repeated: true },
  },
  L7Rule: {
    id: str,
    type: str,
    compare_type: str,
    key: str,
    value: str,
    invert: bool,
    admin_state_up: bool,
  },
  Pool: {
    id: str,
    protocol: str,
    lb_algorithm: str,
    admin_state_up: bool,
    members: { type: { message: 'Member' }, repeated: true },
    session_persistence: { type: { message: 'SessionPersistence' } },
    health_monitor: { type: { message: 'HealthMonitor' } },
    tls_enabled: bool,
    tls_certificate: { type: { message: 'TlsCertificate' } },
    ca_pem: str,
    crl_pem: str,
    tls_ciphers: str,
    tls_versions: { type: 'string', repeated: true },
    alpn_protocols: { type: 'string', repeated: true },
  },
  SessionPersistence: {
    type: str,
    cookie_name: str,
    persistence_timeout: u32,
    persistence_granularity: str,
  },
  HealthMonitor: {
    id: str,
    type: str,
    delay: u32,
    timeout: u32,
    max_retries: u32,
    max_retries_down: u32,
    http_method: str,
    url_path: str,
    expected_codes: str,
    domain_name: str,
    http_version: str,
    admin_state_up: bool,
  },
  Member: {
    id: str,
    address: str,
    protocol_port: u32,
    weight: u32,
    admin_state_up: bool,
    backup: bool,
    monitor_address: str,
    monitor_port: u32,
  },
  Heartbeat: { target: str, interval_ms: u32 },
  DataPlane: { generic_xdp: bool, snat_port_min: u32, snat_port_max: u32, tcp_closing_timeout_ms: u32 },
  Vrrp: {
    initial_role: str,
    vrrp_id: u32,
    priority: u32,
    interface: str,
    vrrp_ip: str,
    peer_ips: { type: 'string', repeated: true },
    floating: { type: { message: 'FloatingAddress' }, repeated: true },
    advert_int: u32,
    check_interval: u32,
    fail_count: u32,
    success_count: u32,
    garp_refresh_interval: u32,
    auth_pass: str,
    flow_sync: { type: { message: 'FlowSync' } },
  },
  FloatingAddress: { interface: str, address: str, snat: bool },
  FlowSync: { peer: str, peer_amphora_id: str },
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function defaultOf(field: Field): unknown {
  if (field.repeated) return [];
  if (field.map) return {};
  const t = field.type;
  if (typeof t === 'string') {
    if (t === 'string') return '';
    if (t === 'bool') return false;
    if (t === 'uint64') return '0';
    return 0;
  }
  if ('enum' in t) return t.enum[0];
  return null;
}

function integer(v: unknown, path: string, min: bigint, max: bigint): bigint {
  let n: bigint;
  if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === 'string' && /^-?\d+$/.test(v)) n = BigInt(v);
  else throw new ConfigError(path, `expected an integer, got ${JSON.stringify(v)}`);
  if (n < min || n > max) throw new ConfigError(path, `${n} is out of range ${min}..${max}`);
  return n;
}

function readValue(type: FieldType, v: unknown, path: string): unknown {
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        if (typeof v !== 'string') throw new ConfigError(path, 'expected a string');
        return v;
      case 'bool':
        if (typeof v !== 'boolean') throw new ConfigError(path, 'expected true or false');
        return v;
      case 'uint32':
        return Number(integer(v, path, 0n, 0xffffffffn));
      case 'int32':
        return Number(integer(v, path, -0x80000000n, 0x7fffffffn));
      case 'uint64':
        return integer(v, path, 0n, 0xffffffffffffffffn).toString();
    }
  }
  if ('enum' in type) {
    if (typeof v === 'string' && type.enum.includes(v)) return v;
    if (typeof v === 'number' && type.enum[v] !== undefined) return type.enum[v];
    throw new ConfigError(path, `expected one of ${type.enum.join(', ')}`);
  }
  return readMessage(type.message, v, path);
}

function readMessage(name: string, v: unknown, path: string): Record<string, unknown> {
  if (!isObject(v)) throw new ConfigError(path, `expected an object (${name})`);
  const fields = messages[name] as Message;
  for (const key of Object.keys(v)) {
    if (!(key in fields)) throw new ConfigError(path ? `${path}.${key}` : key, 'unknown field');
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields)) {
    const here = path ? `${path}.${key}` : key;
    const raw = v[key];
    if (raw === undefined || raw === null) {
      out[key] = defaultOf(field);
    } else if (field.map) {
      if (!isObject(raw)) throw new ConfigError(here, 'expected an object (map)');
      out[key] = Object.fromEntries(
        Object.entries(raw).map(([k, item]) => [k, readValue(field.type, item, `${here}.${k}`)]),
      );
    } else if (field.repeated) {
      if (!Array.isArray(raw)) throw new ConfigError(here, 'expected an array');
      out[key] = raw.map((item, i) => readValue(field.type, item, `${here}[${i}]`));
    } else {
      out[key] = readValue(field.type, raw, here);
    }
  }
  return out;
}

/** Parse an AmphoraConfig from its JSON form (already JSON.parse'd). Throws ConfigError. */
export function readAmphoraConfig(json: unknown): AmphoraConfig__Output {
  return readMessage('AmphoraConfig', json, '') as unknown as AmphoraConfig__Output;
}
