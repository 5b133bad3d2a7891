// Shared by the HAProxy tests: config builders with Octavia's defaults, members that
// answer with their name (in this process, on loopback 127.209.x.y), clients, and a
// manager that is always closed at teardown. All waits are bounded.
import { POOL_TLS_DEFAULTS } from '../../src/config/amphora-config.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { Logger } from '../../src/agent/log.js';
import type { AmphoraConfig__Output } from '../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { HealthMonitor__Output } from '../../src/grpc/gen/velox/agent/v1/HealthMonitor.js';
import type { Listener__Output } from '../../src/grpc/gen/velox/agent/v1/Listener.js';
import type { Member__Output } from '../../src/grpc/gen/velox/agent/v1/Member.js';
import type { Pool__Output } from '../../src/grpc/gen/velox/agent/v1/Pool.js';
import { HaproxyManager } from '../../src/haproxy/manager.js';

export function listener(over: Partial<Listener__Output> = {}): Listener__Output {
  return {
    id: 'l1',
    vip_address: '10.209.0.100',
    protocol: 'TCP',
    protocol_port: 80,
    default_pool_id: 'p1',
    admin_state_up: true,
    connection_limit: -1,
    allowed_cidrs: [],
    timeout_client_data: 0,
    timeout_member_connect: 0,
    timeout_member_data: 0,
    timeout_tcp_inspect: 0,
    insert_headers: {},
    default_tls: null,
    sni_tls: [],
    client_authentication: '',
    client_ca_pem: '',
    client_crl_pem: '',
    tls_ciphers: '',
    tls_versions: [],
    alpn_protocols: [],
    hsts: null,
    l7policies: [],
    ...over,
  };
}

export function member(
  id: string,
  address: string,
  port: number,
  over: Partial<Member__Output> = {},
): Member__Output {
  return {
    id,
    address,
    protocol_port: port,
    weight: 1,
    admin_state_up: true,
    backup: false,
    monitor_address: '',
    monitor_port: 0,
    ...over,
  };
}

export function monitor(type: string, over: Partial<HealthMonitor__Output> = {}): HealthMonitor__Output {
  return {
    id: `hm-${type.toLowerCase()}`,
    type,
    delay: 1,
    timeout: 1,
    max_retries: 1,
    max_retries_down: 1,
    http_method: '',
    url_path: '',
    expected_codes: '',
    domain_name: '',
    http_version: '',
    admin_state_up: true,
    ...over,
  };
}

export function pool(members: Member__Output[], over: Partial<Pool__Output> = {}): Pool__Output {
  return {
    id: 'p1',
    protocol: 'TCP',
    lb_algorithm: 'ROUND_ROBIN',
    admin_state_up: true,
    members,
    session_persistence: null,
    health_monitor: null,
    ...POOL_TLS_DEFAULTS,
    ...over,
  };
}

export function amphora(listeners: Listener__Output[], pools: Pool__Output[]): AmphoraConfig__Output {
  return {
    version: '1',
    amphora_id: 'vxhp-amp',
    loadbalancer_id: 'vxhp-lb',
    interfaces: [],
    listeners,
    pools,
    heartbeat: null,
    dataplane: null,
    vrrp: null,
  };
}

/** A free TCP port on `address` (bound then released). */
export function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, address, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Member {
  name: string;
  address: string;
  port: number;
  server: Server;
  /** Raw first bytes of each connection (for PROXY protocol tests). */
  firstBytes: Buffer[];
  close(): Promise<void>;
}

/**
 * A member that writes `<name>\n` on every connection, or runs `onConnection` instead;
 * it keeps the first chunk each connection sent it.
 */
export async function startMember(
  t: Test,
  name: string,
  address: string,
  onConnection?: (sock: Socket) => void,
): Promise<Member> {
  const sockets = new Set<Socket>();
  const firstBytes: Buffer[] = [];
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.once('data', (d: Buffer) => firstBytes.push(d));
    if (onConnection) onConnection(sock);
    else sock.end(`${name}\n`);
  });
  const port = await freePort(address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, resolve);
  });
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server.listening) resolve();
      else server.close(() => resolve());
    });
  t.teardown(close);
  return { name, address, port, server, firstBytes, close };
}

/** Connects (optionally from `localAddress`), sends `send`, returns all it reads until the peer closes. */
export function exchange(
  host: string,
  port: number,
  opts: { localAddress?: string; send?: string | Buffer; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = connect({ host, port, localAddress: opts.localAddress }, () => {
      if (opts.send !== undefined) sock.write(opts.send);
    });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no complete answer from ${host}:${port} in ${opts.timeoutMs ?? 3000} ms`));
    }, opts.timeoutMs ?? 3000);
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** Counts which member answered each of `n` sequential connections. */
export async function distribution(
  host: string,
  port: number,
  n: number,
  localAddress?: string,
): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const name = (await exchange(host, port, { localAddress })).trim();
    seen[name] = (seen[name] ?? 0) + 1;
  }
  return seen;
}

export function captureLog(): Logger & { events: { level: string; event: string; fields?: object }[] } {
  const events: { level: string; event: string; fields?: object }[] = [];
  const push = (level: string) => (event: string, fields?: object) => events.push({ level, event, fields });
  return { events, info: push('info'), warn: push('warn'), error: push('error') };
}

/** A manager in a fresh 0700 run directory; closed and removed at teardown even on failure. */
export function managerFor(t: Test, log?: Logger): { manager: HaproxyManager; runDir: string } {
  const base = mkdtempSync(join(tmpdir(), 'vxhp-'));
  const runDir = join(base, 'haproxy');
  const manager = new HaproxyManager({ runDir, log });
  t.teardown(async () => {
    await manager.close();
    rmSync(base, { recursive: true, force: true });
  });
  return { manager, runDir };
}

/** A live process (a zombie waiting to be reaped counts as gone). */
export function pidAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Live processes whose command line names `runDir` (an HAProxy master and its workers). */
export function haproxyPids(runDir: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(runDir);
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter(pidAlive);
}

/** Polls `check` until it returns a value; bounded in time. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  limitMs = 15_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
