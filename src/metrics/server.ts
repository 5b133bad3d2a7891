// GET /metrics over plain HTTP for Prometheus.
import { createServer, type Server } from 'node:http';
import type { AgentMetrics } from './registry.js';
import { errorFields, type Logger } from '../agent/log.js';

export function splitHostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  if (i < 0) throw new Error(`expected HOST:PORT, got ${JSON.stringify(listen)}`);
  const host = listen.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(listen.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`bad port in ${JSON.stringify(listen)}`);
  return { host, port };
}

export async function startMetricsServer(
  metrics: AgentMetrics,
  listen: string,
  log: Logger,
): Promise<Server> {
  const { host, port } = splitHostPort(listen);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end('not found\n');
      return;
    }
    metrics.render().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      (err: unknown) => {
        log.error('metrics-failed', errorFields(err));
        res.writeHead(500).end('metrics unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  log.info('metrics-listening', { listen });
  return server;
}
