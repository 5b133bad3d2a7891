// One backend per (pool, listener), named `<pool id>:<listener id>` as Octavia does, so a
// pool shared by listeners of different modes (issue 5) gets one backend per mode and the
// runtime stats map back to both ids.
import { isIPv6 } from 'node:net';
import type { Listener__Output } from '../grpc/gen/velox/agent/v1/Listener.js';
import type { Pool__Output } from '../grpc/gen/velox/agent/v1/Pool.js';
import { HaproxyConfigError, HaproxyUnsupportedError } from './errors.js';
import type { HaproxyPaths } from './paths.js';
import { renderHealthCheck, type HealthCheck } from './render-check.js';
import { reencryptOptions } from './render-reencrypt.js';
import type { TlsFileSet } from './tls-files.js';
import { cookiePersistenceLines, httpCookieOption, insertHeaderLines } from './render-http.js';
import { addressToken, nameToken, netmaskPrefix, portToken } from './tokens.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_DATA_TIMEOUT_MS = 50_000;
const DEFAULT_PERSISTENCE_TIMEOUT_S = 360; // Octavia's default for persistence_timeout
const STICK_TABLE_SIZE = '10k'; // Octavia's stick_size

export type ProxyMode = 'tcp' | 'http';

export function backendName(poolId: string, listenerId: string): string {
  return `${poolId}:${listenerId}`;
}

/** Octavia's algorithms in HAProxy 2.6; '' (accepted by the config validator) is ROUND_ROBIN. */
function balanceLines(algorithm: string, path: string): string[] {
  switch (algorithm) {
    case '':
    case 'ROUND_ROBIN':
      return ['balance roundrobin'];
    case 'LEAST_CONNECTIONS':
      return ['balance leastconn'];
    case 'SOURCE_IP':
      return ['balance source', 'hash-type consistent'];
    case 'SOURCE_IP_PORT':
      // 2.6 has `balance hash <expr>`; concat() takes a variable, so the port goes through one.
      return [
        'tcp-request content set-var(txn.src_port) src_port',
        'balance hash src,concat(:,txn.src_port)',
        'hash-type consistent',
      ];
    default:
      throw new HaproxyConfigError(`${JSON.stringify(algorithm)} is not an lb_algorithm`, path);
  }
}

function persistenceLines(pool: Pool__Output, vipIsV6: boolean, mode: ProxyMode, path: string): string[] {
  const sp = pool.session_persistence;
  if (!sp || sp.type === '') return [];
  if (sp.type === 'HTTP_COOKIE' || sp.type === 'APP_COOKIE') {
    // Cookies need HTTP: in TCP mode they have no effect, as in Octavia (the compiler reports it).
    const expire = sp.persistence_timeout || DEFAULT_PERSISTENCE_TIMEOUT_S;
    return mode === 'http' ? cookiePersistenceLines(sp, expire, path) : [];
  }
  if (sp.type !== 'SOURCE_IP') {
    throw new HaproxyConfigError(
      `${JSON.stringify(sp.type)} is not a session persistence type`,
      `${path}.type`,
    );
  }
  const expire = sp.persistence_timeout || DEFAULT_PERSISTENCE_TIMEOUT_S;
  let key = 'src';
  if (sp.persistence_granularity) {
    const mask = netmaskPrefix(sp.persistence_granularity, `${path}.persistence_granularity`);
    if (mask.family === 4 && mask.bits < 32) key = `src,ipmask(${mask.bits})`;
    if (mask.family === 6 && mask.bits < 128) key = `src,ipmask(32,${mask.bits})`;
  }
  return [
    `stick-table type ${vipIsV6 ? 'ipv6' : 'ip'} size ${STICK_TABLE_SIZE} expire ${expire}s`,
    `stick on ${key}`,
  ];
}

/** `tlsTerminated`: the listener is TERMINATED_HTTPS; PROXYV2 then carries the client certificate's CN, as in Octavia. */
function proxyProtocolOption(protocol: string, path: string, tlsTerminated: boolean): string[] {
  switch (protocol) {
    case 'TCP':
    case 'HTTP': // behind a TCP listener: bytes, as in Octavia
    case 'HTTPS':
      return [];
    case 'PROXY':
      return ['send-proxy'];
    case 'PROXYV2':
      return [tlsTerminated ? 'send-proxy-v2-ssl-cn' : 'send-proxy-v2'];
    case 'UDP':
    case 'SCTP':
      throw new HaproxyUnsupportedError(`HAProxy does not serve ${protocol} pools`, path);
    default:
      throw new HaproxyConfigError(`${JSON.stringify(protocol)} is not a pool protocol`, path);
  }
}

function serverLine(
  pool: Pool__Output,
  n: number,
  path: string,
  check: HealthCheck | undefined,
  mode: ProxyMode,
  perPool: string[], // PROXY protocol and re-encryption options, the same for every member
): string {
  const m = pool.members[n]!;
  const p = `${path}.members[${n}]`;
  if (!Number.isInteger(m.weight) || m.weight < 0 || m.weight > 256) {
    throw new HaproxyConfigError(`weight ${m.weight} is not in 0..256`, `${p}.weight`);
  }
  // Validated even without a monitor to use them: bad input is refused, never carried along.
  if (m.monitor_address) addressToken(m.monitor_address, `${p}.monitor_address`);
  if (m.monitor_port) portToken(m.monitor_port, `${p}.monitor_port`);
  const words = [
    'server',
    nameToken(m.id, `${p}.id`),
    `${addressToken(m.address, `${p}.address`)}:${portToken(m.protocol_port, `${p}.protocol_port`)}`,
    `weight ${m.weight}`, // 0 drains: no new connections, existing ones finish
    ...(check ? check.serverOptions(m, p) : []),
    ...(mode === 'http' && pool.session_persistence?.type === 'HTTP_COOKIE' ? httpCookieOption(m.id) : []),
    ...perPool,
  ];
  if (m.backup) words.push('backup');
  if (!m.admin_state_up) words.push('disabled');
  return words.join(' ');
}

export interface RenderedBackend {
  lines: string[];
  needsFork: boolean;
}

/** `mode` is the listener's: a TCP frontend can only use TCP backends, an HTTP one HTTP backends. */
export function renderBackend(
  pool: Pool__Output,
  poolPath: string,
  listener: Listener__Output,
  mode: ProxyMode,
  paths: HaproxyPaths,
  files: TlsFileSet, // re-encryption material (pool tls_enabled) is added here
): RenderedBackend {
  const name = backendName(nameToken(pool.id, `${poolPath}.id`), listener.id);
  const check = renderHealthCheck(pool.health_monitor, `${poolPath}.health_monitor`, paths, {
    tls: pool.tls_enabled,
    alpn: mode === 'http' && pool.alpn_protocols.length > 0,
  });
  // Computed once per backend: its files are added once, its errors name the pool.
  const perPool = [
    ...proxyProtocolOption(pool.protocol, `${poolPath}.protocol`, listener.protocol === 'TERMINATED_HTTPS'),
    ...reencryptOptions(pool, poolPath, files, mode),
  ];
  const lines = [
    `mode ${mode}`,
    ...balanceLines(pool.lb_algorithm, `${poolPath}.lb_algorithm`),
    ...persistenceLines(pool, isIPv6(listener.vip_address), mode, `${poolPath}.session_persistence`),
    `timeout connect ${listener.timeout_member_connect || DEFAULT_CONNECT_TIMEOUT_MS}ms`,
    `timeout server ${listener.timeout_member_data || DEFAULT_DATA_TIMEOUT_MS}ms`,
    ...(check?.backendLines ?? []),
    ...(mode === 'http' ? insertHeaderLines(listener, pool) : []),
  ];
  // Octavia: backups take over when no primary is up; with several, all of them share the load.
  if (pool.members.some((m) => m.backup)) lines.push('option allbackups');
  lines.push(...pool.members.map((_, n) => serverLine(pool, n, poolPath, check, mode, perPool)));
  return {
    lines: [`backend ${name}`, ...lines.map((l) => `    ${l}`)],
    needsFork: check?.needsFork ?? false,
  };
}
