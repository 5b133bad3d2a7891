// AmphoraConfig + the listeners HAProxy serves -> haproxy.cfg text. Pure: the same input
// always gives the same bytes (golden-file tests), and every value from the config passes a
// token check first (tokens.ts), so nothing in it can add to the file.
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { Listener__Output } from '../grpc/gen/velox/agent/v1/Listener.js';
import type { Pool__Output } from '../grpc/gen/velox/agent/v1/Pool.js';
import { HaproxyConfigError, HaproxyUnsupportedError } from './errors.js';
import { haproxyPaths, type HaproxyPaths } from './paths.js';
import { backendName, DEFAULT_DATA_TIMEOUT_MS, renderBackend } from './render-backend.js';
import { addressToken, cidrToken, filePathToken, nameToken, portToken } from './tokens.js';

/** Octavia's HAPROXY_DEFAULT_MAXCONN; the manager lowers it to what the fd limit allows. */
export const DEFAULT_MAXCONN = 50_000;
const CIDRS_PER_LINE = 16; // HAProxy allows 64 words per line

export interface RenderOptions {
  runDir: string;
  maxconn?: number;
}

/** A listener HAProxy serves, with its default pool (rendered only when that pool is admin up). */
export interface ServedListener {
  listener: Listener__Output;
  path: string; // listeners[i]
  pool?: { pool: Pool__Output; path: string };
}

/** TCP (and HTTPS passthrough, which is bytes) only; HTTP modes arrive with issue 5. */
export function listenerMode(l: Listener__Output, path: string): 'tcp' {
  switch (l.protocol) {
    case 'TCP':
    case 'HTTPS':
      return 'tcp';
    case 'HTTP':
    case 'TERMINATED_HTTPS':
    case 'PROMETHEUS':
      throw new HaproxyUnsupportedError(`${l.protocol} listeners are not served by HAProxy yet`, path);
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
  config.listeners.forEach((listener, n) => {
    if (!wanted.has(listener.id)) return;
    const path = `listeners[${n}]`;
    const entry: ServedListener = { listener, path };
    if (listener.default_pool_id) {
      const k = config.pools.findIndex((p) => p.id === listener.default_pool_id);
      if (k < 0) throw new HaproxyConfigError('no such pool', `${path}.default_pool_id`);
      entry.pool = { pool: config.pools[k]!, path: `pools[${k}]` };
    }
    served.push(entry);
  });
  return served;
}

function globalSection(paths: HaproxyPaths, maxconn: number, needsFork: boolean): string[] {
  const lines = [
    'master-worker', // supervised by the agent: no `daemon`
    `maxconn ${maxconn}`,
    `pidfile ${paths.pidFile}`,
    // expose-fd: a reloaded worker takes the listening sockets over from the old one.
    `stats socket ${paths.adminSocket} mode 600 level admin expose-fd listeners`,
  ];
  if (needsFork) lines.push('external-check', 'insecure-fork-wanted');
  return ['global', ...lines.map((l) => `    ${l}`)];
}

function defaultsSection(): string[] {
  return ['defaults', '    mode tcp', '    retries 3', '    option redispatch'];
}

function frontendSection(s: ServedListener): string[] {
  const { listener: l, path } = s;
  const mode = listenerMode(l, `${path}.protocol`);
  const bind = `${addressToken(l.vip_address, `${path}.vip_address`)}:${portToken(l.protocol_port, `${path}.protocol_port`)}`;
  const lines = [`mode ${mode}`, `bind ${bind}`];
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
  // No pool, or its pool is admin down: connections are refused, as on the fast path.
  if (s.pool?.pool.admin_state_up) lines.push(`default_backend ${backendName(s.pool.pool.id, l.id)}`);
  else lines.push('tcp-request connection reject');
  return [`frontend ${nameToken(l.id, `${path}.id`)}`, ...lines.map((x) => `    ${x}`)];
}

export function renderHaproxyConfig(
  config: AmphoraConfig__Output,
  listenerIds: string[],
  opts: RenderOptions,
): string {
  const paths = haproxyPaths(filePathToken(opts.runDir, 'runDir'));
  const maxconn = opts.maxconn ?? DEFAULT_MAXCONN;
  if (!Number.isInteger(maxconn) || maxconn < 1)
    throw new HaproxyConfigError(`${maxconn} is not a count`, 'maxconn');
  const served = selectListeners(config, listenerIds);
  const frontends = served.map(frontendSection);
  const backends = served.flatMap((s) =>
    s.pool?.pool.admin_state_up
      ? [renderBackend(s.pool.pool, s.pool.path, s.listener, listenerMode(s.listener, s.path), paths)]
      : [],
  );
  const sections = [
    ['# Rendered by velox-agent from the amphora config; replaced on every change.'],
    globalSection(
      paths,
      maxconn,
      backends.some((b) => b.needsFork),
    ),
    defaultsSection(),
    ...frontends,
    ...backends.map((b) => b.lines),
  ];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
