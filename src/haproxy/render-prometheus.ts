// Octavia's PROMETHEUS listener: the amphora's metrics on the VIP. Octavia's HAProxy
// forwards it to an internal endpoint that serves /metrics only; here the backend is the
// agent's own metrics server (--metrics / metrics_listen), and other paths are refused.
import type { Listener__Output } from '../grpc/gen/velox/agent/v1/Listener.js';
import { HaproxyConfigError } from './errors.js';
import { addressToken, nameToken, portToken } from './tokens.js';

const METRICS_TIMEOUT_MS = 5_000; // Octavia's for its internal endpoint

/** Never a pool backend's name: `<pool id>:<listener id>` ids have no ':' of their own. */
export function prometheusBackendName(listenerId: string): string {
  return `prometheus::${listenerId}`;
}

/** "HOST:PORT" the agent's metrics server listens on -> where HAProxy reaches it (a wildcard means loopback). */
export function metricsServerToken(listen: string, path: string): string {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, Math.max(i, 0)).replace(/^\[(.*)\]$/, '$1');
  if (i < 0 || !host) throw new HaproxyConfigError(`not HOST:PORT: ${JSON.stringify(listen)}`, path);
  const reach = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `${addressToken(reach, path)}:${portToken(Number(listen.slice(i + 1)), path)}`;
}

export function prometheusFrontendLines(l: Listener__Output): string[] {
  return ['http-request deny unless { path /metrics }', `default_backend ${prometheusBackendName(l.id)}`];
}

export function prometheusBackend(l: Listener__Output, path: string, server: string): string[] {
  const lines = [
    'mode http',
    `timeout connect ${METRICS_TIMEOUT_MS}ms`,
    `timeout server ${METRICS_TIMEOUT_MS}ms`,
    `server agent ${server}`,
  ];
  return [`backend ${prometheusBackendName(nameToken(l.id, `${path}.id`))}`, ...lines.map((x) => `    ${x}`)];
}
