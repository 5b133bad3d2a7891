// What the agent needs from the services beside the XDP data plane: the member health
// checker (src/health/checks), HAProxy for the listeners the fast path cannot serve
// (src/haproxy) and keepalived for ACTIVE_STANDBY (src/vrrp). Declared here by what the agent calls, so the agent depends on the
// behaviour, not on a class.
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { Pool__Output } from '../grpc/gen/velox/agent/v1/Pool.js';

export type MemberHealthStatus = 'ONLINE' | 'ERROR' | 'NO_MONITOR';

export interface HealthChecker {
  /** Probe the members of these pools (the fast-path ones); unchanged probes keep their state. */
  update(pools: Pool__Output[]): void;
  status(memberId: string): MemberHealthStatus | undefined;
  /** Called when some member's status changed. */
  onChange(listener: (changed: { memberId: string; status: MemberHealthStatus }[]) => void): void;
  close(): Promise<void>;
}

/** One HAProxy object (frontend, backend or server) as the agent reports it. */
export interface ProxyObjectStatus {
  id: string;
  status: string; // an Octavia operating status
  bytesIn: number | bigint; // from clients (request direction)
  bytesOut: number | bigint;
  activeConnections: number | bigint;
  totalConnections: number | bigint;
  requestErrors: number | bigint;
}

export interface ProxyStatus {
  listeners: ProxyObjectStatus[];
  pools: ProxyObjectStatus[];
  members: ProxyObjectStatus[];
}

export interface Proxy {
  /** Listener protocols besides TCP/HTTPS that it serves (HTTP, ...); absent: none. */
  readonly l7Protocols?: readonly string[];
  /** Serve exactly these listeners of `config` (none: stop serving). */
  apply(config: AmphoraConfig__Output, listenerIds: string[]): Promise<unknown>;
  /** From HAProxy's runtime stats; rejects when they cannot be read. */
  status(): Promise<ProxyStatus>;
  /** Whether its master process runs (false: the listeners routed to it are not served). */
  readonly running?: boolean;
  close(): Promise<void>;
}

/** keepalived's state: MASTER | BACKUP | FAULT, '' when not running (or no VRRP). */
export type VrrpState = '' | 'MASTER' | 'BACKUP' | 'FAULT';

export interface Vrrp {
  /** The agent's own check (why it is not serving, or null), consulted every second. */
  watchServing(check: () => Promise<string | null>): void;
  /** Kernel settings, before the data plane and HAProxy are applied. */
  prepare(config: AmphoraConfig__Output): Promise<void>;
  /** Run keepalived for `config.vrrp`; stop it when absent. */
  apply(config: AmphoraConfig__Output): Promise<void>;
  state(): Promise<VrrpState>;
  /** Stop keepalived gracefully; resolves once this amphora holds no floating address. */
  release(): Promise<VrrpState>;
  close(): Promise<void>;
}
