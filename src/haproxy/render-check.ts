// A pool's health monitor as HAProxy check settings: lines for the backend and options
// for every server line. Octavia's field mapping (octavia/common/jinja/haproxy/
// combined_listeners/templates/macros.j2), checked against HAProxy 2.6.
import type { HealthMonitor__Output } from '../grpc/gen/velox/agent/v1/HealthMonitor.js';
import type { Member__Output } from '../grpc/gen/velox/agent/v1/Member.js';
import { HaproxyConfigError, HaproxyUnsupportedError } from './errors.js';
import type { HaproxyPaths } from './paths.js';
import {
  addressToken,
  expectedCodesToken,
  hostnameToken,
  httpMethodToken,
  portToken,
  urlPathToken,
} from './tokens.js';

export interface HealthCheck {
  backendLines: string[];
  serverOptions(member: Member__Output, path: string): string[];
  /** PING runs ping(8) as an external check: the global section must allow forking. */
  needsFork: boolean;
}

const DEFAULT_FALL = 3; // Octavia's max_retries_down default
const MAX_RETRIES = 10;

function retries(value: number, fallback: number, path: string): number {
  const n = value || fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_RETRIES) {
    throw new HaproxyConfigError(`${value} is not from 1 to ${MAX_RETRIES}`, path);
  }
  return n;
}

function seconds(value: number, path: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 86_400) {
    throw new HaproxyConfigError(`${value} is not a whole number of seconds from 1 to 86400`, path);
  }
  return value;
}

function httpLines(hm: HealthMonitor__Output, path: string): string[] {
  const send = [
    'http-check send',
    `meth ${httpMethodToken(hm.http_method || 'GET', `${path}.http_method`)}`,
    `uri ${urlPathToken(hm.url_path || '/', `${path}.url_path`)}`,
  ];
  if (hm.http_version) {
    if (hm.http_version !== '1.0' && hm.http_version !== '1.1') {
      throw new HaproxyConfigError(
        `${JSON.stringify(hm.http_version)} is not 1.0 or 1.1`,
        `${path}.http_version`,
      );
    }
    send.push(`ver HTTP/${hm.http_version}`);
  }
  if (hm.domain_name) send.push(`hdr Host ${hostnameToken(hm.domain_name, `${path}.domain_name`)}`);
  return [
    'option httpchk',
    send.join(' '),
    `http-check expect rstatus ${expectedCodesToken(hm.expected_codes, `${path}.expected_codes`)}`,
  ];
}

/** How the pool's server lines reach the members; HAProxy's checks inherit it. */
export interface PoolTransport {
  /** tls_enabled: `ssl` and the pool's verification, used by the checks too. */
  tls: boolean;
  /** The pool offers ALPN protocols (possibly h2), which checks would offer too. */
  alpn: boolean;
}

/** Undefined when the pool has no monitor or it is admin down: members are NO_MONITOR. */
export function renderHealthCheck(
  hm: HealthMonitor__Output | null,
  path: string,
  paths: HaproxyPaths,
  transport: PoolTransport = { tls: false, alpn: false },
): HealthCheck | undefined {
  const tlsPool = transport.tls;
  if (!hm || !hm.admin_state_up) return undefined;
  const delay = seconds(hm.delay, `${path}.delay`);
  const timeout = seconds(hm.timeout, `${path}.timeout`);
  const rise = retries(hm.max_retries, 0, `${path}.max_retries`);
  const fall = retries(hm.max_retries_down, DEFAULT_FALL, `${path}.max_retries_down`);
  const backendLines = [`timeout check ${timeout}s`];
  const check = ['check'];
  const type = hm.type.toUpperCase();
  switch (type) {
    case 'TCP':
      break;
    case 'HTTP':
      backendLines.push(...httpLines(hm, path));
      break;
    case 'HTTPS':
      backendLines.push(...httpLines(hm, path));
      // Octavia checks with `verify none`; on a TLS pool the pool's own `verify` (its CA)
      // governs, so a member the traffic would refuse is not reported healthy.
      check.push('check-ssl');
      if (!tlsPool) check.push('verify none');
      break;
    case 'TLS-HELLO':
      // On a TLS pool the check is a full handshake with the pool's settings: HAProxy would
      // send ssl-hello-chk's raw hello inside TLS and never see an answer (Octavia's
      // template does that, and every member goes DOWN). check-ssl also covers monitor_port.
      if (tlsPool) check.push('check-ssl');
      else backendLines.push('option ssl-hello-chk');
      break;
    case 'PING':
      // HAProxy has no ICMP check; like Octavia, ping(8) as an external check. It pings the
      // member's address: HAProxy passes the server address, not `addr`, to external checks.
      backendLines.push(
        'option external-check',
        'external-check path "/usr/bin:/bin:/usr/sbin:/sbin"',
        `external-check command ${paths.pingScript}`,
      );
      break;
    case 'UDP-CONNECT':
    case 'SCTP':
      throw new HaproxyUnsupportedError(`HAProxy cannot run ${type} checks on a TCP pool`, `${path}.type`);
    default:
      throw new HaproxyConfigError(`${JSON.stringify(hm.type)} is not a health monitor type`, `${path}.type`);
  }
  // The HTTP check speaks HTTP/1.x (Octavia's http_version); a check inheriting the pool's
  // ALPN would get h2 from an h2 member and fail on its answer, so it offers http/1.1.
  if ((type === 'HTTP' || type === 'HTTPS') && tlsPool && transport.alpn) check.push('check-alpn http/1.1');
  check.push(`inter ${delay}s`, `rise ${rise}`, `fall ${fall}`);
  return {
    backendLines,
    needsFork: type === 'PING',
    serverOptions: (m, memberPath) => {
      const opts = [...check];
      if (m.monitor_address)
        opts.push(`addr ${addressToken(m.monitor_address, `${memberPath}.monitor_address`)}`);
      if (m.monitor_port) opts.push(`port ${portToken(m.monitor_port, `${memberPath}.monitor_port`)}`);
      return opts;
    },
  };
}
