// From a pool's HealthMonitor and a member to what one probe needs (ProbeSpec), with
// Octavia's defaults and ranges. Pure: validation and normalisation only.
import { isIP } from 'node:net';
import type { HealthMonitor__Output } from '../../grpc/gen/velox/agent/v1/HealthMonitor.js';
import type { Member__Output } from '../../grpc/gen/velox/agent/v1/Member.js';
import type { Pool__Output } from '../../grpc/gen/velox/agent/v1/Pool.js';
import { HealthMonitorError } from './errors.js';
import { parseExpectedCodes, type CodeRange } from './expected-codes.js';
import type { HttpCheck } from './http-request.js';

export const PROBE_TYPES = ['PING', 'TCP', 'HTTP', 'HTTPS', 'TLS-HELLO', 'UDP-CONNECT'] as const;
export type ProbeType = (typeof PROBE_TYPES)[number];
/** Octavia types the agent knows but does not run: their members are NO_MONITOR. */
export const UNSUPPORTED_TYPES = ['SCTP'] as const;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'OPTIONS', 'CONNECT', 'PATCH'];

const DEFAULT_MAX_RETRIES_DOWN = 3; // Octavia's default when the user gives none
const MAX_RETRIES = 10;
const MAX_SECONDS = 24 * 24 * 3600; // keeps delay/timeout below setTimeout's 2^31 ms limit
const DOMAIN_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const URL_PATH = /^\/[!-~]*$/; // visible ASCII, no spaces: it goes into a request line

export interface HttpSettings extends HttpCheck {
  readonly expectedCodes: readonly CodeRange[];
}

export interface MonitorSettings {
  readonly type: ProbeType;
  readonly delayMs: number;
  readonly timeoutMs: number;
  /** max_retries: successes for ERROR → ONLINE. */
  readonly rise: number;
  /** max_retries_down: failures for ONLINE → ERROR. */
  readonly fall: number;
  /** HTTP and HTTPS only. */
  readonly http?: HttpSettings;
}

/** Everything one member's probe needs; equal specs (probeKey) mean an unchanged probe. */
export interface ProbeSpec extends MonitorSettings {
  readonly address: string;
  /** Unused by PING. */
  readonly port: number;
}

/** Either settings to probe with, or why the pool's members are NO_MONITOR (`unsupported`: worth a log line). */
export type MonitorPlan =
  { readonly settings: MonitorSettings } | { readonly noMonitor: string; readonly unsupported?: boolean };

function seconds(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_SECONDS)
    throw new HealthMonitorError(field, `${value} is not a whole number of seconds from 1 to ${MAX_SECONDS}`);
  return value * 1000;
}

function retries(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_RETRIES)
    throw new HealthMonitorError(field, `${value} is not from 1 to ${MAX_RETRIES}`);
  return value;
}

function httpSettings(hm: HealthMonitor__Output): HttpSettings {
  const method = hm.http_method || 'GET';
  if (!HTTP_METHODS.includes(method))
    throw new HealthMonitorError('http_method', `"${method}" is not one of ${HTTP_METHODS.join(', ')}`);
  const path = hm.url_path || '/';
  if (!URL_PATH.test(path))
    throw new HealthMonitorError('url_path', `"${path}" is not a path starting with / without spaces`);
  const version =
    hm.http_version === '1.1'
      ? '1.1'
      : hm.http_version === '1.0' || hm.http_version === '1' || !hm.http_version
        ? '1.0'
        : undefined;
  if (!version) throw new HealthMonitorError('http_version', `"${hm.http_version}" is not 1.0 or 1.1`);
  const domainName = hm.domain_name;
  if (domainName && !DOMAIN_NAME.test(domainName))
    throw new HealthMonitorError('domain_name', `"${domainName}" is not a domain name`);
  return { method, path, version, domainName, expectedCodes: parseExpectedCodes(hm.expected_codes) };
}

/** Validates a monitor whatever its admin state; throws HealthMonitorError naming the field. */
export function parseHealthMonitor(hm: HealthMonitor__Output): MonitorSettings | { unsupported: string } {
  const type = hm.type.toUpperCase();
  if ((UNSUPPORTED_TYPES as readonly string[]).includes(type)) return { unsupported: type };
  if (!(PROBE_TYPES as readonly string[]).includes(type))
    throw new HealthMonitorError(
      'type',
      `"${hm.type}" is not one of ${[...PROBE_TYPES, ...UNSUPPORTED_TYPES].join(', ')}`,
    );
  const probeType = type as ProbeType;
  return {
    type: probeType,
    delayMs: seconds('delay', hm.delay),
    timeoutMs: seconds('timeout', hm.timeout),
    rise: retries('max_retries', hm.max_retries),
    fall: retries('max_retries_down', hm.max_retries_down || DEFAULT_MAX_RETRIES_DOWN),
    ...(probeType === 'HTTP' || probeType === 'HTTPS' ? { http: httpSettings(hm) } : {}),
  };
}

/** For config validation: throws HealthMonitorError if the agent could not run this monitor's checks. */
export function validateHealthMonitor(hm: HealthMonitor__Output): void {
  parseHealthMonitor(hm);
}

/** What the pool's members get: a probe, or NO_MONITOR and why. Throws HealthMonitorError. */
export function planForPool(pool: Pool__Output): MonitorPlan {
  const hm = pool.health_monitor;
  if (!hm) return { noMonitor: 'pool has no health monitor' };
  if (!hm.admin_state_up) return { noMonitor: 'health monitor is admin down' };
  if (!pool.admin_state_up) return { noMonitor: 'pool is admin down' };
  const parsed = parseHealthMonitor(hm);
  if ('unsupported' in parsed)
    return {
      noMonitor: `${parsed.unsupported} health monitors are not supported by the agent`,
      unsupported: true,
    };
  return { settings: parsed };
}

/** The member's probe: monitor_address || address, monitor_port || protocol_port. */
export function probeSpec(settings: MonitorSettings, member: Member__Output): ProbeSpec {
  const address = member.monitor_address || member.address;
  const field = member.monitor_address ? 'monitor_address' : 'address';
  if (!isIP(address))
    throw new HealthMonitorError(field, `member ${member.id}: "${address}" is not an IP address`);
  const port = member.monitor_port || member.protocol_port;
  if (settings.type !== 'PING' && !(Number.isInteger(port) && port >= 1 && port <= 65535))
    throw new HealthMonitorError(
      member.monitor_port ? 'monitor_port' : 'protocol_port',
      `member ${member.id}: ${port} is not a port`,
    );
  return { ...settings, address, port: settings.type === 'PING' ? 0 : port };
}

/** Equal keys: the same probe, so the member keeps its state and schedule. */
export function probeKey(spec: ProbeSpec): string {
  return JSON.stringify(spec);
}
