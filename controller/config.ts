// Controller configuration: defaults for `make run` on one machine, overridable by a
// JSON file (VELOX_CONFIG or --config) whose keys mirror this shape. Tests build their
// own with controllerConfig({...}) so that names and subnets never collide.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface LocalNetworkConfig {
  /** Neutron-style names; ids are derived from them, so they are stable across restarts. */
  name: string;
  subnetName: string;
  cidr: string; // IPv4 CIDR
  gatewayIp: string; // the host's address on the bridge
  /** Linux bridge the controller creates for this network (<= 15 chars). */
  bridge: string;
  /** A second, IPv6 subnet on the same network (static addressing: no SLAAC, no RA). */
  ipv6?: LocalSubnetV6Config;
}

export interface LocalSubnetV6Config {
  subnetName: string;
  cidr: string; // IPv6 CIDR
  gatewayIp: string; // the host's IPv6 address on the bridge
}

export interface ControllerConfig {
  /**
   * authStrategy as Octavia's [api_settings] auth_strategy: 'noauth' takes the project
   * and roles from X-Project-Id / X-Roles; 'keystone' validates X-Auth-Token against
   * the Keystone of the `keystone` section.
   */
  api: { host: string; port: number; authStrategy: 'noauth' | 'keystone' };
  keystone: KeystoneConfig;
  /**
   * SQLite database file (':memory:' for tests), or a PostgreSQL URL that several
   * controllers may share (VELOX_DATABASE_URL overrides the file's choice).
   */
  database: DatabaseConfig;
  /** Where certificates, amphora folders and logs live. */
  stateDir: string;
  health: {
    /** The controller's Health gRPC service; agents reach it on the management network. */
    port: number;
    heartbeatIntervalMs: number;
    /** An amphora silent for this long is marked stale: its objects go OFFLINE/ERROR. */
    staleAfterMs: number;
  };
  agent: {
    port: number; // gRPC port of every agent, on its management address
    /** argv that starts an agent; the worker appends `--state-dir DIR`. */
    command: string[];
  };
  network: {
    /** Prefix of every namespace and link the local drivers create. */
    prefix: string;
    management: LocalNetworkConfig;
    /** Networks users may put VIPs and members on. */
    tenant: LocalNetworkConfig[];
  };
  /** Worker poll period when idle, and the lease a claimed job holds. */
  worker: { pollMs: number; leaseMs: number; provisionTimeoutMs: number };
  /**
   * enableNoop lists noop_driver besides the amphora driver's names (amphora, octavia,
   * velox); `default` is the provider of a load balancer created without one, listed
   * first (Octavia's default_provider_driver).
   */
  providers: { enableNoop: boolean; default: string };
  /**
   * Which implementation backs each driver (controller/drivers/selection.ts): the real
   * ones, or Octavia-style no-ops that build nothing, so the API and the worker can be
   * exercised without namespaces. Valid sets: netns+local+grpc, noop+local+noop, all noop.
   */
  drivers: DriverSelection;
  /** Default quota per project and resource, where no explicit quota is set; -1 = unlimited. */
  quotas: QuotaDefaults;
  /** Octavia's [controller_worker]: the default topology and the VRRP knobs of ACTIVE_STANDBY. */
  controllerWorker: ControllerWorkerConfig;
  /** Where TLS certificates and keys of listeners and pools come from. */
  secrets: SecretsConfig;
}

/**
 * The local secrets store (controller/drivers/secrets/local.ts) seals what it keeps with
 * a 32-byte master key: `keyFile` if given (it must exist, mode 0600), else
 * `${stateDir}/secrets.key`, created on first use.
 */
export interface SecretsConfig {
  driver: 'local';
  keyFile?: string;
}

export type DatabaseConfig = { driver: 'sqlite'; path: string } | { driver: 'postgres'; url: string };

export interface DriverSelection {
  compute: 'netns' | 'noop';
  network: 'local' | 'noop';
  amphora: 'grpc' | 'noop';
}

/** Octavia's [keystone_authtoken] and [service_auth]: how the controller talks to Keystone. */
export interface KeystoneConfig {
  /** Identity endpoint, with or without /v3 (also sent in WWW-Authenticate on a 401). */
  authUrl: string;
  /** The controller's service user: password authentication, scoped to projectName. */
  username: string;
  password: string;
  userDomainName: string;
  projectName: string;
  projectDomainName: string;
  /** Validated tokens remembered at most; the least recently used goes first. */
  cacheSize: number;
  /**
   * How long a validated token is trusted without asking Keystone again (never past its
   * expires_at): the longest a revoked token keeps working (keystonemiddleware's
   * token_cache_time, 300 s).
   */
  cacheSeconds: number;
  /** Per request to Keystone; no answer in time is a 503. */
  timeoutMs: number;
}

export type Topology = 'SINGLE' | 'ACTIVE_STANDBY';
export const TOPOLOGIES: readonly Topology[] = ['SINGLE', 'ACTIVE_STANDBY'];

/**
 * Octavia's [controller_worker] options. `loadbalancerTopology` is the topology of a load
 * balancer whose flavor does not name one. The VRRP timers are whole seconds because the
 * agent contract (Vrrp.advert_int) is: keepalived would take a fractional advert_int with
 * VRRPv3, but a planned failover does not wait for adverts (the MASTER leaves with
 * priority 0 and the BACKUP takes over after its skew time, (256 - 90) / 256 s ≈ 0.65 s
 * with advert_int 1), so 1 s already moves the VIP in under a second; an unplanned one
 * takes 3 × advert_int + skew ≈ 3.7 s. Octavia's defaults except the check interval: 1 s
 * instead of 5, so a dead data plane gives up mastership after 2 s, not 10.
 * Octavia's vrrp_garp_refresh_count has no field in the contract (keepalived's
 * garp_master_refresh_repeat is the agent's choice) and is not configurable here.
 */
export interface ControllerWorkerConfig {
  loadbalancerTopology: Topology;
  vrrpAdvertInt: number;
  vrrpCheckInterval: number;
  vrrpFailCount: number;
  vrrpSuccessCount: number;
  vrrpGarpRefreshInterval: number;
}

/** Octavia's [quotas] default_*_quota options. */
export interface QuotaDefaults {
  loadBalancer: number;
  listener: number;
  pool: number;
  healthMonitor: number;
  member: number;
  l7policy: number;
  l7rule: number;
}

/** Deterministic UUID (v5-shaped) from a name, for local networks and subnets. */
export function stableUuid(kind: string, name: string): string {
  const h = createHash('sha1').update(`velox:${kind}:${name}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function defaultConfig(): ControllerConfig {
  const root = process.cwd();
  return {
    api: { host: '127.0.0.1', port: 9876, authStrategy: 'noauth' },
    keystone: {
      authUrl: 'http://127.0.0.1:5000/v3',
      username: 'octavia',
      password: '',
      userDomainName: 'Default',
      projectName: 'service',
      projectDomainName: 'Default',
      cacheSize: 10_000,
      cacheSeconds: 300,
      timeoutMs: 5000,
    },
    database: { driver: 'sqlite', path: resolve(root, 'var/velox.db') },
    stateDir: resolve(root, 'var'),
    health: { port: 5555, heartbeatIntervalMs: 1000, staleAfterMs: 10_000 },
    agent: { port: 9443, command: [process.execPath, resolve(root, 'dist/src/main.js')] },
    network: {
      prefix: 'vx',
      management: {
        name: 'lb-mgmt-net',
        subnetName: 'lb-mgmt-subnet',
        cidr: '172.30.0.0/24',
        gatewayIp: '172.30.0.1',
        bridge: 'vxmgmt',
      },
      tenant: [
        {
          name: 'public',
          subnetName: 'public-subnet',
          cidr: '172.30.1.0/24',
          gatewayIp: '172.30.1.1',
          bridge: 'vxpublic',
          ipv6: {
            subnetName: 'public-subnet-v6',
            cidr: 'fd00:172:30:1::/64',
            gatewayIp: 'fd00:172:30:1::1',
          },
        },
        {
          name: 'private',
          subnetName: 'private-subnet',
          cidr: '172.30.2.0/24',
          gatewayIp: '172.30.2.1',
          bridge: 'vxprivate',
          ipv6: {
            subnetName: 'private-subnet-v6',
            cidr: 'fd00:172:30:2::/64',
            gatewayIp: 'fd00:172:30:2::1',
          },
        },
      ],
    },
    worker: { pollMs: 200, leaseMs: 60_000, provisionTimeoutMs: 30_000 },
    providers: { enableNoop: false, default: 'amphora' },
    drivers: { compute: 'netns', network: 'local', amphora: 'grpc' },
    quotas: {
      loadBalancer: -1,
      listener: -1,
      pool: -1,
      healthMonitor: -1,
      member: -1,
      l7policy: -1,
      l7rule: -1,
    },
    secrets: { driver: 'local' },
    controllerWorker: {
      loadbalancerTopology: 'SINGLE',
      vrrpAdvertInt: 1,
      vrrpCheckInterval: 1,
      vrrpFailCount: 2,
      vrrpSuccessCount: 2,
      vrrpGarpRefreshInterval: 5,
    },
  };
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge<T>(base: T, over: DeepPartial<T> | undefined): T {
  if (over === undefined) return base;
  if (Array.isArray(base) || typeof base !== 'object' || base === null) return over as T;
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(over as object)) {
    out[k] = v === undefined ? out[k] : merge((base as Record<string, unknown>)[k], v as never);
  }
  return out as T;
}

/** Defaults, then the JSON file if given, then `overrides`. */
export function controllerConfig(
  overrides?: DeepPartial<ControllerConfig>,
  file = process.env.VELOX_CONFIG,
): ControllerConfig {
  let cfg = defaultConfig();
  if (file) cfg = merge(cfg, JSON.parse(readFileSync(file, 'utf8')) as DeepPartial<ControllerConfig>);
  const url = process.env.VELOX_DATABASE_URL;
  if (url) cfg.database = { driver: 'postgres', url };
  cfg = merge(cfg, overrides);
  return {
    ...cfg,
    database: checkDatabaseConfig(cfg.database),
    secrets: checkSecretsConfig(cfg.secrets),
    controllerWorker: checkControllerWorkerConfig(cfg.controllerWorker),
  };
}

/** The topology must be one Octavia knows; the timers whole seconds keepalived accepts. */
export function checkControllerWorkerConfig(given: ControllerWorkerConfig): ControllerWorkerConfig {
  const cw = given as unknown as Partial<Record<string, unknown>>; // as read from a file
  if (!TOPOLOGIES.includes(cw.loadbalancerTopology as Topology)) {
    throw new Error(
      `controllerWorker.loadbalancerTopology must be one of ${TOPOLOGIES.join(', ')}, not ${JSON.stringify(cw.loadbalancerTopology)}`,
    );
  }
  const ranges: Record<string, [number, number]> = {
    vrrpAdvertInt: [1, 255], // keepalived: advert_int up to 255 s
    vrrpCheckInterval: [1, 3600],
    vrrpFailCount: [1, 100],
    vrrpSuccessCount: [1, 100],
    vrrpGarpRefreshInterval: [1, 3600],
  };
  for (const [key, [min, max]] of Object.entries(ranges)) {
    const v = cw[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new Error(
        `controllerWorker.${key} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`,
      );
    }
  }
  return given;
}

/** Only the local store exists yet (Barbican will implement the same SecretsDriver). */
function checkSecretsConfig(given: SecretsConfig | undefined): SecretsConfig {
  const secrets = given as Partial<Record<string, unknown>> | undefined; // as read from a file
  const driver = secrets?.driver ?? 'local';
  if (driver !== 'local') throw new Error(`secrets.driver must be "local", not ${JSON.stringify(driver)}`);
  const keyFile = secrets?.keyFile;
  if (keyFile === undefined || keyFile === null) return { driver };
  if (typeof keyFile !== 'string' || keyFile === '')
    throw new Error('secrets.keyFile must be the path of a 32-byte key file');
  return { driver, keyFile: resolve(keyFile) };
}

/**
 * Only the chosen driver's keys (merging a file over the defaults may leave the other
 * driver's), or a clear error for a driver or URL the controller cannot use.
 */
function checkDatabaseConfig(db: Partial<Record<string, unknown>>): DatabaseConfig {
  if (db.driver === 'sqlite' && typeof db.path === 'string' && db.path)
    return { driver: 'sqlite', path: db.path };
  if (db.driver === 'postgres') {
    if (typeof db.url === 'string' && /^postgres(ql)?:\/\//.test(db.url))
      return { driver: 'postgres', url: db.url };
    throw new Error(
      'database.url must be a postgres:// or postgresql:// URL when database.driver is "postgres"',
    );
  }
  if (db.driver === 'sqlite') throw new Error('database.path must be a file path or ":memory:" for SQLite');
  throw new Error(`database.driver must be "sqlite" or "postgres", not ${JSON.stringify(db.driver)}`);
}
