// A real Keystone for the auth tests: Debian's `keystone` package (keystone-manage and
// keystone-wsgi-public), run on loopback on a free port from a temporary directory:
// SQLite database, fernet keys, bootstrap admin, served by the package's wsgiref
// script. Plus a small counting HTTP proxy, so a test can tell how often the
// controller asked Keystone and can make Keystone unreachable or silent in front of it.
import Database from 'better-sqlite3';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ADMIN_PASSWORD = 'velox-admin-secret';
const TOOLS = ['/usr/bin/keystone-manage', '/usr/bin/keystone-wsgi-public'];
const INSTALL = 'apt-get install -y --no-install-recommends keystone';

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export interface IssuedToken {
  token: string;
  expiresAt: number;
}

export interface Keystone {
  /** http://127.0.0.1:PORT/v3 */
  url: string;
  port: number;
  /** Token lifetime configured in keystone.conf [token] expiration, seconds. */
  expirationSeconds: number;
  call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- Keystone JSON
  adminToken(): Promise<string>;
  project(name: string): Promise<string>;
  role(name: string): Promise<string>;
  /** A user of the default domain with `roles` on `projectId`; returns the user id. */
  user(name: string, password: string, projectId: string, roles: string[]): Promise<string>;
  issue(user: string, password: string, projectId: string): Promise<IssuedToken>;
  revoke(token: string): Promise<number>;
  /** Kill Keystone (idempotent) and remove its directory. */
  stop(): Promise<void>;
  /** The server's output, for failure messages. */
  log(): string;
}

function missingTools(): string[] {
  return TOOLS.filter((p) => {
    try {
      accessSync(p, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

async function manage(dir: string, ...args: string[]): Promise<void> {
  try {
    await run('keystone-manage', ['--config-file', join(dir, 'keystone.conf'), ...args], {
      timeout: 120_000,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`keystone-manage ${args[0]} failed: ${(e.stderr ?? e.message).slice(-2000)}`);
  }
}

export async function startKeystone(expirationSeconds: number): Promise<Keystone> {
  const missing = missingTools();
  if (missing.length) throw new Error(`cannot start Keystone: ${missing.join(', ')} missing (${INSTALL})`);
  const dir = await mkdtemp(join(tmpdir(), 'velox-keystone-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/v3`;
  let server: ChildProcess | undefined;
  let output = '';
  const stop = async () => {
    const s = server;
    server = undefined;
    if (s && s.exitCode === null && s.signalCode === null) {
      const exited = new Promise((resolve) => s.once('exit', resolve));
      s.kill('SIGTERM');
      const timer = setTimeout(() => s.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await writeFile(
      join(dir, 'keystone.conf'),
      [
        '[DEFAULT]',
        'use_stderr = true',
        '[database]',
        // pysqlite's busy timeout (default 5 s) is too short on a loaded test machine.
        `connection = sqlite:///${join(dir, 'keystone.db')}?timeout=60`,
        'sqlite_synchronous = false',
        '[token]',
        'provider = fernet',
        `expiration = ${expirationSeconds}`,
        '[identity]',
        // The cheapest bcrypt cost: users and logins are made by the dozen here.
        'password_hash_rounds = 4',
        '[fernet_tokens]',
        `key_repository = ${join(dir, 'fernet-keys')}`,
        '[fernet_receipts]',
        `key_repository = ${join(dir, 'fernet-receipts')}`,
        '[credential]',
        `key_repository = ${join(dir, 'credential-keys')}`,
        '',
      ].join('\n'),
    );
    const owner = [
      '--keystone-user',
      String(process.getuid?.() ?? 0),
      '--keystone-group',
      String(process.getgid?.() ?? 0),
    ];
    await Promise.all([
      manage(dir, 'db_sync'),
      manage(dir, 'fernet_setup', ...owner),
      manage(dir, 'credential_setup', ...owner),
    ]);
    await manage(
      dir,
      'bootstrap',
      '--bootstrap-password',
      ADMIN_PASSWORD,
      '--bootstrap-admin-url',
      url,
      '--bootstrap-public-url',
      url,
      '--bootstrap-internal-url',
      url,
      '--bootstrap-region-id',
      'RegionOne',
    );
    // Keystone's server leaves a read transaction open after some requests (a role
    // grant), which in SQLite's default journal mode blocks every later commit
    // ("database is locked"). In WAL mode readers never block the writer.
    const db = new Database(join(dir, 'keystone.db'));
    db.pragma('journal_mode = WAL');
    db.close();
    server = spawn('keystone-wsgi-public', ['--host', '127.0.0.1', '--port', String(port)], {
      env: { ...process.env, OS_KEYSTONE_CONFIG_DIR: dir, OS_KEYSTONE_CONFIG_FILES: 'keystone.conf' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer) => {
      output = (output + b.toString()).slice(-20_000);
    };
    server.stdout!.on('data', keep);
    server.stderr!.on('data', keep);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`keystone-wsgi-public exited: ${output.slice(-2000)}`);
      const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`Keystone did not answer on ${url}: ${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (err) {
    await stop();
    throw err;
  }

  let admin: { token: string; until: number } | undefined;
  const call: Keystone['call'] = async (method, path, body, token) => {
    // SQLite may still answer "database is locked" (500) to a write: try again, boundedly.
    for (let attempt = 1; ; attempt++) {
      const r = await callOnce(method, path, body, token);
      if (r.status !== 500 || attempt === 5) return r;
      await new Promise((res) => setTimeout(res, 500 * attempt));
    }
  };
  const callOnce: Keystone['call'] = async (method, path, body, token) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { 'x-auth-token': token } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    } catch {
      // Keystone's 500 page is text: keep it, and the server's log, for the error message.
      return { status: res.status, body: `${text.slice(0, 200)}\n${output.slice(-3000)}` };
    }
  };
  const passwordAuth = (
    user: { name?: string; id?: string; domain?: { id: string } },
    password: string,
    scope: unknown,
  ) => ({
    auth: { identity: { methods: ['password'], password: { user: { ...user, password } } }, scope },
  });
  const issueRaw = async (body: unknown): Promise<IssuedToken> => {
    const res = await fetch(`${url}/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { token: { expires_at: string } };
    const token = res.headers.get('x-subject-token');
    if (res.status !== 201 || !token)
      throw new Error(`Keystone refused a login: ${res.status} ${JSON.stringify(json)}`);
    return { token, expiresAt: Date.parse(json.token.expires_at) };
  };
  const roleIds = new Map<string, string>();
  /** An admin call; a 401 (the short-lived admin token ran out in flight) is retried once. */
  const asAdmin = async (method: string, path: string, body?: unknown) => {
    const r = await call(method, path, body, await ks.adminToken());
    if (r.status !== 401) return r;
    admin = undefined;
    return call(method, path, body, await ks.adminToken());
  };
  const ks: Keystone = {
    url,
    port,
    expirationSeconds,
    call,
    async adminToken() {
      // Tokens live only `expirationSeconds` here: take a fresh one when half is gone.
      if (!admin || Date.now() > admin.until) {
        const t = await issueRaw(
          passwordAuth({ name: 'admin', domain: { id: 'default' } }, ADMIN_PASSWORD, {
            project: { name: 'admin', domain: { id: 'default' } },
          }),
        );
        admin = { token: t.token, until: Date.now() + (t.expiresAt - Date.now()) / 2 };
      }
      return admin.token;
    },
    async project(name) {
      const r = await asAdmin('POST', '/projects', { project: { name, domain_id: 'default' } });
      if (r.status !== 201) throw new Error(`create project ${name}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.project.id as string;
    },
    async role(name) {
      const known = roleIds.get(name);
      if (known) return known;
      const found = await asAdmin('GET', `/roles?name=${encodeURIComponent(name)}`);
      if (found.body?.roles?.length) {
        roleIds.set(name, found.body.roles[0].id as string);
        return roleIds.get(name)!;
      }
      const r = await asAdmin('POST', '/roles', { role: { name } });
      if (r.status !== 201) throw new Error(`create role ${name}: ${r.status} ${JSON.stringify(r.body)}`);
      roleIds.set(name, r.body.role.id as string);
      return roleIds.get(name)!;
    },
    async user(name, password, projectId, roles) {
      const r = await asAdmin('POST', '/users', { user: { name, password, domain_id: 'default' } });
      if (r.status !== 201) throw new Error(`create user ${name}: ${r.status} ${JSON.stringify(r.body)}`);
      const id = r.body.user.id as string;
      for (const role of roles) {
        const g = await asAdmin('PUT', `/projects/${projectId}/users/${id}/roles/${await ks.role(role)}`);
        if (g.status !== 204)
          throw new Error(`grant ${role} to ${name}: ${g.status} ${JSON.stringify(g.body)}`);
      }
      return id;
    },
    issue: (user, password, projectId) =>
      issueRaw(
        passwordAuth({ name: user, domain: { id: 'default' } }, password, { project: { id: projectId } }),
      ),
    async revoke(token) {
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${url}/auth/tokens`, {
          method: 'DELETE',
          headers: { 'x-auth-token': await ks.adminToken(), 'x-subject-token': token },
        });
        await res.body?.cancel();
        if (res.status !== 401 || attempt === 2) return res.status;
        admin = undefined;
      }
    },
    stop,
    log: () => output,
  };
  return ks;
}

export type ProxyMode = 'forward' | 'hang' | 'bad-gateway';

export interface CountingProxy {
  /** http://127.0.0.1:PORT/v3 */
  url: string;
  /** Requests seen, by "METHOD /path" (no query). */
  count(key: string): number;
  mode: ProxyMode;
  close(): Promise<void>;
}

/**
 * Forwards to `upstreamPort`, counting requests. `hang` accepts and never answers (a
 * Keystone that stopped responding); `bad-gateway` answers 502 (what a load balancer in
 * front of a dead Keystone says).
 */
export async function startCountingProxy(upstreamPort: number): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const key = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (proxy.mode === 'hang') return;
    if (proxy.mode === 'bad-gateway') {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
      return;
    }
    const up = http.request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxy: CountingProxy = {
    url: `http://127.0.0.1:${port}/v3`,
    count: (key) => counts.get(key) ?? 0,
    mode: 'forward',
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return proxy;
}
