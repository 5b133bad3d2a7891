// AmphoraConfig + the listeners HAProxy serves -> haproxy.cfg text. Pure: the same input
// always gives the same bytes (golden-file tests), and every value from the config passes a
// token check first (tokens.ts), so nothing in it can add to the file.
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { Listener__Output } from '../grpc/gen/velox/agent/v1/Listener.js';
import type { Pool__Output } from '../grpc/gen/velox/agent/v1/Pool.js';
import { HaproxyConfigError, HaproxyUnsupportedError } from './errors.js';
import { haproxyPaths, type HaproxyPaths } from './paths.js';
import { backendName, DEFAULT_DATA_TIMEOUT_MS, renderBackend, type ProxyMode } from './render-backend.js';
import { checkInsertHeaders } from './render-http.js';
import { policiesByPosition, renderL7Policies } from './render-l7.js';
import { metricsServerToken, prometheusBackend, prometheusFrontendLines } from './render-prometheus.js';
import { hstsLines, tlsBindOptions } from './render-tls.js';
import { TlsFileSet, type TlsFile } from './tls-files.js';
import { addressToken, cidrToken, filePathToken, nameToken, portToken } from './tokens.js';

/** Octavia's HAPROXY_DEFAULT_MAXCONN; the manager lowers it to what the fd limit allows. */
export const DEFAULT_MAXCONN = 50_000;
const CIDRS_PER_LINE = 16; // HAProxy allows 64 words per line

export interface RenderOptions {
  runDir: string;
  maxconn?: number;
  /** The agent's metrics server ("HOST:PORT"): PROMETHEUS listeners proxy to it; absent, they are not served. */
  metricsListen?: string;
  /**
   * The caller keeps paths.serverStateFile (the manager does: empty, or the old worker's
   * state during a reload): name it, so a reload carries the members' health over.
   */
  serverState?: boolean;
}

interface PoolRef {
  pool: Pool__Output;
  path: string; // pools[k]
}

/**
 * A listener HAProxy serves, with its default pool and, in HTTP mode, the other pools its
 * REDIRECT_TO_POOL policies name (each rendered only when admin up).
 */
export interface ServedListener {
  listener: Listener__Output;
  path: string; // listeners[i]
  pool?: PoolRef;
  l7Pools: PoolRef[];
}

/** Listener protocols besides TCP/HTTPS rendered here: the agent routes them to HAProxy. */
export const L7_LISTENER_PROTOCOLS: readonly string[] = ['HTTP', 'TERMINATED_HTTPS'];
/** With a metrics server to proxy to, PROMETHEUS too. */
export const L7_LISTENER_PROTOCOLS_WITH_METRICS: readonly string[] = [
  'HTTP',
  'TERMINATED_HTTPS',
  'PROMETHEUS',
];

/** TCP and HTTPS passthrough (bytes) in TCP mode; HTTP, and TERMINATED_HTTPS after TLS, in HTTP mode. */
export function listenerMode(l: Listener__Output, path: string): ProxyMode {
  switch (l.protocol) {
    case 'TCP':
    case 'HTTPS':
      return 'tcp';
    case 'HTTP':
    case 'TERMINATED_HTTPS':
    case 'PROMETHEUS':
      return 'http';
    default:
      throw new HaproxyUnsupportedError(`HAProxy does not serve ${l.protocol} listeners`, path);
  }
}

/** The listeners named by `listenerIds`, in config order; unknown ids and dangling pools are errors. */
export function selectListeners(config: AmphoraConfig__Output, listenerIds: string[]): ServedListener[] {
  const known = new Set(config.listeners.map((l) => l.id));
  listenerIds.forEach((id, n) => {
    if (!known.has(id))
      throw new HaproxyConfigError(`no listener ${JSON.stringify(id)}`, `listenerIds[${n}]`);
  });
  const wanted = new Set(listenerIds);
  const served: ServedListener[] = [];
  const poolRef = (id: string, path: string): PoolRef => {
    const k = config.pools.findIndex((p) => p.id === id);
    if (k < 0) throw new HaproxyConfigError('no such pool', path);
    return { pool: config.pools[k]!, path: `pools[${k}]` };
  };
  config.listeners.forEach((listener, n) => {
    if (!wanted.has(listener.id)) return;
    const path = `listeners[${n}]`;
    const entry: ServedListener = { listener, path, l7Pools: [] };
    const mode = listenerMode(listener, `${path}.protocol`);
    // PROMETHEUS has no pools (Octavia's API): it serves the amphora's metrics.
    if (listener.default_pool_id && listener.protocol !== 'PROMETHEUS') {
      entry.pool = poolRef(listener.default_pool_id, `${path}.default_pool_id`);
    }
    // L7 policies exist on HTTP listeners only (Octavia's API); a TCP listener ignores them, as XDP does.
    if (mode === 'http' && listener.protocol !== 'PROMETHEUS') {
      for (const { policy, path: pp } of policiesByPosition(listener.l7policies, path)) {
        if (policy.action !== 'REDIRECT_TO_POOL') continue;
        const ref = poolRef(policy.redirect_pool_id, `${pp}.redirect_pool_id`);
        const known = [entry.pool, ...entry.l7Pools].some((r) => r?.pool.id === ref.pool.id);
        if (!known) entry.l7Pools.push(ref);
      }
    }
    served.push(entry);
  });
  return served;
}

/** The pools to render a backend for: admin up, the default one first. */
export function backendPools(s: ServedListener): PoolRef[] {
  return [...(s.pool ? [s.pool] : []), ...s.l7Pools].filter((r) => r.pool.admin_state_up);
}

function globalSection(
  paths: HaproxyPaths,
  maxconn: number,
  needsFork: boolean,
  serverState: boolean,
): string[] {
  const lines = [
    'master-worker', // supervised by the agent: no `daemon`
    `maxconn ${maxconn}`,
    `pidfile ${paths.pidFile}`,
    // The new worker takes the listening sockets over from the old one (no connection
    // refused during a reload): HAProxy 2.6's master hands them over itself (`-x
    // sockpair@N`); expose-fd lets a reload by hand do it through this socket (`-x`).
    `stats socket ${paths.adminSocket} mode 600 level admin expose-fd listeners`,
  ];
  // What the old worker learnt (members its checks found DOWN), dumped before each reload.
  if (serverState) lines.push(`server-state-file ${paths.serverStateFile}`);
  if (needsFork) lines.push('external-check', 'insecure-fork-wanted');
  return ['global', ...lines.map((l) => `    ${l}`)];
}

function defaultsSection(serverState: boolean): string[] {
  const lines = ['mode tcp', 'retries 3', 'option redispatch'];
  if (serverState) lines.push('load-server-state-from-file global');
  return ['defaults', ...lines.map((l) => `    ${l}`)];
}

function frontendSection(s: ServedListener, metricsServer: string | undefined, files: TlsFileSet): string[] {
  const { listener: l, path } = s;
  const mode = listenerMode(l, `${path}.protocol`);
  if (mode === 'http') checkInsertHeaders(l, path);
  const bind = `${addressToken(l.vip_address, `${path}.vip_address`)}:${portToken(l.protocol_port, `${path}.protocol_port`)}`;
  // Octavia's `redirect scheme https if !{ ssl_fc }` is left out: every bind here is TLS.
  const tls = l.protocol === 'TERMINATED_HTTPS' ? ` ${tlsBindOptions(l, path, files)}` : '';
  const lines = [`mode ${mode}`, `bind ${bind}${tls}`];
  // Hitless reloads: the old worker does not close idle keep-alive connections under a client
  // about to reuse them; it answers their next request with `Connection: close` (HTTP only).
  if (mode === 'http') lines.push('option idle-close-on-response');
  if (!l.admin_state_up) lines.push('disabled');
  if (l.connection_limit > 0) lines.push(`maxconn ${l.connection_limit}`); // -1: unlimited
  lines.push(`timeout client ${l.timeout_client_data || DEFAULT_DATA_TIMEOUT_MS}ms`);
  if (l.timeout_tcp_inspect > 0) lines.push(`tcp-request inspect-delay ${l.timeout_tcp_inspect}ms`);
  if (l.allowed_cidrs.length > 0) {
    const cidrs = l.allowed_cidrs.map((c, k) => cidrToken(c, `${path}.allowed_cidrs[${k}]`));
    for (let i = 0; i < cidrs.length; i += CIDRS_PER_LINE) {
      lines.push(`acl allowed_src src ${cidrs.slice(i, i + CIDRS_PER_LINE).join(' ')}`);
    }
    lines.push('tcp-request connection reject if !allowed_src');
  }
  if (l.protocol === 'PROMETHEUS') {
    if (!metricsServer) {
      throw new HaproxyUnsupportedError('PROMETHEUS needs the agent metrics server', `${path}.protocol`);
    }
    lines.push(...prometheusFrontendLines(l));
    return [`frontend ${nameToken(l.id, `${path}.id`)}`, ...lines.map((x) => `    ${x}`)];
  }
  if (mode === 'http') {
    const byId = new Map([s.pool, ...s.l7Pools].flatMap((r) => (r ? [[r.pool.id, r.pool]] : [])));
    const policies = renderL7Policies(l.l7policies, path, (id) => ({
      pool: byId.get(id)!, // selectListeners resolved every REDIRECT_TO_POOL pool
      backend: backendName(id, l.id),
    }));
    lines.push(...policies);
  }
  // HSTS means something over TLS only; Octavia's API allows it on TERMINATED_HTTPS alone.
  if (l.protocol === 'TERMINATED_HTTPS') lines.push(...hstsLines(l));
  // No pool, or its pool is admin down: TCP refuses connections, as on the fast path; HTTP
  // answers 503 to what no policy took, as Octavia's HAProxy does.
  if (s.pool?.pool.admin_state_up) lines.push(`default_backend ${backendName(s.pool.pool.id, l.id)}`);
  else if (mode === 'tcp') lines.push('tcp-request connection reject');
  return [`frontend ${nameToken(l.id, `${path}.id`)}`, ...lines.map((x) => `    ${x}`)];
}

export interface RenderedHaproxy {
  text: string; // haproxy.cfg
  files: TlsFile[]; // the PEM files it names, to write into paths.tlsDir first
}

/** haproxy.cfg text only (golden-file tests); the manager uses renderHaproxy. */
export function renderHaproxyConfig(
  config: AmphoraConfig__Output,
  listenerIds: string[],
  opts: RenderOptions,
): string {
  return renderHaproxy(config, listenerIds, opts).text;
}

export function renderHaproxy(
  config: AmphoraConfig__Output,
  listenerIds: string[],
  opts: RenderOptions,
): RenderedHaproxy {
  const paths = haproxyPaths(filePathToken(opts.runDir, 'runDir'));
  const maxconn = opts.maxconn ?? DEFAULT_MAXCONN;
  if (!Number.isInteger(maxconn) || maxconn < 1)
    throw new HaproxyConfigError(`${maxconn} is not a count`, 'maxconn');
  const served = selectListeners(config, listenerIds);
  const metricsServer = opts.metricsListen
    ? metricsServerToken(opts.metricsListen, 'metricsListen')
    : undefined;
  const files = new TlsFileSet(paths.tlsDir);
  const frontends = served.map((s) => frontendSection(s, metricsServer, files));
  const backends = served.flatMap((s) =>
    backendPools(s).map((r) =>
      renderBackend(r.pool, r.path, s.listener, listenerMode(s.listener, `${s.path}.protocol`), paths, files),
    ),
  );
  const sections = [
    ['# Rendered by velox-agent from the amphora config; replaced on every change.'],
    globalSection(
      paths,
      maxconn,
      backends.some((b) => b.needsFork),
      opts.serverState === true,
    ),
    defaultsSection(opts.serverState === true),
    ...frontends,
    ...backends.map((b) => b.lines),
    ...served
      .filter((s) => s.listener.protocol === 'PROMETHEUS')
      .map((s) => prometheusBackend(s.listener, s.path, metricsServer!)),
  ];
  return { text: `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`, files: files.list() };
}
