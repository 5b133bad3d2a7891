// HTTP members and a client for the HAProxy HTTP tests, on loopback 127.213.x.y (the
// vxh7 range): real node HTTP servers in this process, closed at teardown even on failure.
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Test } from 'tap';
import { freePort } from './helpers.js';

export interface HttpMember {
  name: string;
  address: string;
  port: number;
  /** Headers of every request the member got (health checks included). */
  seen: { path: string; headers: IncomingHttpHeaders }[];
  /** Status /health answers with; other paths always answer 200. */
  healthStatus: number;
  server: Server;
}

/**
 * A member answering `<name>` to every request. With `appCookie`, it sets that cookie to
 * `<name>-<n>` on requests that did not carry it (an application session).
 */
export async function startHttpMember(
  t: Test,
  name: string,
  address: string,
  opts: { appCookie?: string } = {},
): Promise<HttpMember> {
  const sockets = new Set<Socket>();
  let sessions = 0;
  const m: HttpMember = { name, address, port: 0, seen: [], healthStatus: 200, server: createServer() };
  m.server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  m.server.on('request', (req, res) => {
    const path = req.url ?? '';
    m.seen.push({ path, headers: req.headers });
    if (path === '/health') {
      res.writeHead(m.healthStatus).end();
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'text/plain' };
    if (opts.appCookie && !(req.headers.cookie ?? '').includes(`${opts.appCookie}=`)) {
      headers['set-cookie'] = `${opts.appCookie}=${name}-${++sessions}; Path=/`;
    }
    res.writeHead(200, headers).end(name);
  });
  m.port = await freePort(address);
  await new Promise<void>((resolve, reject) => {
    m.server.once('error', reject);
    m.server.listen(m.port, address, resolve);
  });
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (!m.server.listening) resolve();
        else m.server.close(() => resolve());
      }),
  );
  return m;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request on a fresh connection; bounded in time. */
export function httpGet(
  host: string,
  port: number,
  path: string,
  opts: { headers?: Record<string, string>; localAddress?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port, path, headers: opts.headers, localAddress: opts.localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer from ${host}:${port}${path} in ${opts.timeoutMs ?? 3000} ms`));
    }, opts.timeoutMs ?? 3000);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

/** Which member answered each of `n` requests. */
export async function httpDistribution(
  host: string,
  port: number,
  n: number,
  opts: { path?: string; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const a = await httpGet(host, port, opts.path ?? '/', opts);
    const key = a.status === 200 ? a.body : `status ${a.status}`;
    seen[key] = (seen[key] ?? 0) + 1;
  }
  return seen;
}
