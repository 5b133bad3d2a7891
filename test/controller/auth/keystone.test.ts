// auth_strategy = keystone against a real Keystone (keystone-fixture.ts): tokens
// accepted and mapped to project and roles, the validation cache (counted at a proxy
// in front of Keystone), expired and revoked tokens (401 as keystonemiddleware
// answers), the service token renewed before it expires, and a Keystone that is down,
// silent or refuses the service credentials (503, never a pass).
import t from 'tap';
import { buildApp } from '../../../controller/api/app.js';
import { KeystoneAuthenticator } from '../../../controller/api/keystone-auth.js';
import { controllerConfig, type ControllerConfig, type KeystoneConfig } from '../../../controller/config.js';
import { openDatabase } from '../../../controller/db/database.js';
import { LocalNetworkDriver } from '../../../controller/drivers/network/local.js';
import { PUBLIC_SUBNET } from '../api/helpers.js';
import { startCountingProxy, startKeystone, type CountingProxy, type Keystone } from './keystone-fixture.js';

/** Short enough to watch tokens (and the controller's own) expire within the test. */
const EXPIRATION_SECONDS = 30;
// Keystone's set-up (db_sync, fernet keys, bootstrap: ~30 s idle, minutes on a loaded
// machine) and one token lifetime of waiting do not fit the suite's default timeout.
t.setTimeout(600_000);
const PASSWORD = 'pw-velox-test';
const UNAUTHORIZED = {
  error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
};
const UNAVAILABLE = {
  faultcode: 'Server',
  faultstring: 'The Keystone service is temporarily unavailable.',
  debuginfo: null,
};
const VALIDATIONS = 'GET /v3/auth/tokens';
const LOGINS = 'POST /v3/auth/tokens';

interface World {
  ks: Keystone;
  proxy: CountingProxy;
  projectA: string;
  projectB: string;
  service: KeystoneConfig;
}

let world: World | undefined;

t.before(async () => {
  const started = Date.now();
  const ks = await startKeystone(EXPIRATION_SECONDS);
  t.comment(`Keystone ${ks.url} up in ${Math.round((Date.now() - started) / 1000)} s`);
  try {
    const service = await ks.project('service');
    const projectA = await ks.project('project-a');
    const projectB = await ks.project('project-b');
    // The controller's service user: Keystone's `service` role lets it validate tokens.
    await ks.user('octavia', PASSWORD, service, ['service']);
    const personas: [string, string, string[]][] = [
      ['lb-member', projectA, ['load-balancer_member']],
      ['lb-observer', projectA, ['load-balancer_observer']],
      ['lb-global', projectA, ['load-balancer_global_observer']],
      ['lb-admin', projectA, ['load-balancer_admin']],
      ['reader', projectA, ['reader']],
      ['member', projectA, ['member']],
      ['project-admin', projectA, ['admin']],
      ['b-member', projectB, ['load-balancer_member']],
    ];
    for (const [name, project, roles] of personas) await ks.user(name, PASSWORD, project, roles);
    t.comment(`projects, users and roles made after ${Math.round((Date.now() - started) / 1000)} s`);
    const proxy = await startCountingProxy(ks.port);
    world = {
      ks,
      proxy,
      projectA,
      projectB,
      service: {
        authUrl: proxy.url,
        username: 'octavia',
        password: PASSWORD,
        userDomainName: 'Default',
        projectName: 'service',
        projectDomainName: 'Default',
        cacheSize: 100,
        cacheSeconds: 300,
        // Generous: a single-threaded Keystone on a loaded test machine can be slow.
        timeoutMs: 15_000,
      },
    };
  } catch (err) {
    await ks.stop();
    throw err;
  }
});

t.teardown(async () => {
  await world?.proxy.close();
  await world?.ks.stop();
});

function w(): World {
  if (!world) throw new Error('Keystone fixture did not start');
  return world;
}

async function controller(t: Tap, keystone: Partial<KeystoneConfig> = {}) {
  const config: ControllerConfig = controllerConfig(
    {
      database: { driver: 'sqlite', path: ':memory:' },
      api: { authStrategy: 'keystone' },
      keystone: { ...w().service, ...keystone },
    },
    '',
  );
  const db = await openDatabase(config);
  const network = new LocalNetworkDriver(db, config.network);
  const app = await buildApp({ config, db, network });
  t.teardown(async () => {
    await app.close();
    await db.destroy();
  });
  const req = async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    headers: Record<string, string> = {},
    body?: unknown,
  ) => {
    const raw = await app.inject({
      method,
      url,
      headers,
      ...(body === undefined ? {} : { payload: body as object }),
    });
    const json = raw.headers['content-type']?.toString().startsWith('application/json');
    return { status: raw.statusCode, body: json ? JSON.parse(raw.body) : raw.body, raw };
  };
  const subnet = network.findSubnet(PUBLIC_SUBNET)!.id;
  return { req, subnet, db };
}

type Tap = { teardown(fn: () => unknown): void };

const login = (user: string, project = w().projectA) => w().ks.issue(user, PASSWORD, project);
const auth = (token: string) => ({ 'x-auth-token': token });

t.test('no, malformed or unknown token: 401 as keystonemiddleware answers', async (t) => {
  const c = await controller(t);
  for (const headers of [
    {},
    { 'x-auth-token': '' },
    { 'x-auth-token': 'not-a-token' },
    { 'x-auth-token': 'bad token' },
  ] as Record<string, string>[]) {
    const r = await c.req('GET', '/v2/lbaas/loadbalancers', headers);
    t.equal(r.status, 401, `refused: ${JSON.stringify(headers)}`);
    t.same(r.body, UNAUTHORIZED);
    t.equal(r.raw.headers['www-authenticate'], `Keystone uri="${w().service.authUrl}"`);
  }
  // noauth's headers mean nothing here.
  let r = await c.req('GET', '/v2/lbaas/loadbalancers', { 'x-project-id': 'p1', 'x-roles': 'admin' });
  t.equal(r.status, 401, 'X-Project-Id / X-Roles are no credentials');
  r = await c.req('GET', '/v2/no/such/route');
  t.equal(r.status, 401, 'authentication comes before routing, as in Octavia');
  // Version discovery and the health check need no token (Octavia's _NOAUTH_PATHS).
  t.equal((await c.req('GET', '/')).status, 200);
  t.equal((await c.req('GET', '/healthcheck')).status, 200);
});

t.test('a valid token: project and roles mapped, Octavia policies applied', async (t) => {
  const { projectA, projectB, service } = w();
  const keystone = new KeystoneAuthenticator(service);
  const member = await login('lb-member');
  const info = await keystone.authenticate(member.token);
  t.equal(info.projectId, projectA, 'the token project');
  t.ok(info.roles.includes('load-balancer_member'));
  t.equal(info.systemScope, false);
  t.ok(Math.abs(info.expiresAt - member.expiresAt) < 1000, 'expires_at from Keystone');
  const admin = await keystone.authenticate((await login('project-admin')).token);
  t.ok(
    ['admin', 'member', 'reader'].every((r) => admin.roles.includes(r)),
    'implied roles are expanded by Keystone',
  );

  const c = await controller(t);
  const body = (project?: string) => ({
    loadbalancer: { vip_subnet_id: c.subnet, ...(project ? { project_id: project } : {}) },
  });
  let r = await c.req('POST', '/v2/lbaas/loadbalancers', auth(member.token), body());
  t.equal(r.status, 201, 'load-balancer_member creates');
  t.equal(r.body.loadbalancer.project_id, projectA, 'in the project of its token');
  const lbA = r.body.loadbalancer.id as string;
  r = await c.req('POST', '/v2/lbaas/loadbalancers', auth(member.token), body(projectB));
  t.equal(r.status, 403, 'but not in another project');

  const bMember = await login('b-member', projectB);
  r = await c.req('POST', '/v2/lbaas/loadbalancers', auth(bMember.token), body());
  t.equal(r.status, 201);
  const lbB = r.body.loadbalancer.id as string;

  const list = async (user: string) => {
    const res = await c.req('GET', '/v2/lbaas/loadbalancers', auth((await login(user)).token));
    return res.status === 200
      ? (res.body.loadbalancers as { id: string }[]).map((l) => l.id).sort()
      : res.status;
  };
  t.same(await list('lb-member'), [lbA], 'a member lists its own project only');
  t.same(await list('lb-observer'), [lbA], 'an observer too');
  t.same(await list('lb-global'), [lbA, lbB].sort(), 'a global observer lists everything');
  t.same(await list('lb-admin'), [lbA, lbB].sort());
  t.same(
    await list('project-admin'),
    [lbA, lbB].sort(),
    "the admin role is Octavia's admin (deprecated rule)",
  );
  t.equal(await list('reader'), 403, 'a plain reader has no load-balancer access');
  t.equal(await list('member'), 403, 'nor has a plain member');

  r = await c.req('GET', `/v2/lbaas/loadbalancers/${lbB}`, auth(member.token));
  t.equal(r.status, 403, "another project's load balancer");
  const observer = await login('lb-observer');
  r = await c.req('PUT', `/v2/lbaas/loadbalancers/${lbA}`, auth(observer.token), {
    loadbalancer: { name: 'x' },
  });
  t.equal(r.status, 403, 'an observer changes nothing');
  r = await c.req('GET', '/v2/octavia/amphorae', auth(member.token));
  t.equal(r.status, 403, 'amphorae are for admins');
  r = await c.req('GET', '/v2/octavia/amphorae', auth((await login('lb-admin')).token));
  t.equal(r.status, 200);
  const reader = await login('reader');
  r = await c.req('GET', '/v2/lbaas/loadbalancers', { ...auth(reader.token), 'x-roles': 'admin' });
  t.equal(r.status, 403, 'X-Roles cannot add roles to a token');
});

t.test('validated tokens are cached: Keystone is asked once per token', async (t) => {
  const { proxy } = w();
  const c = await controller(t);
  const token = (await login('lb-member')).token;
  const before = proxy.count(VALIDATIONS);
  for (let i = 0; i < 3; i++)
    t.equal((await c.req('GET', '/v2/lbaas/loadbalancers', auth(token))).status, 200);
  t.equal(proxy.count(VALIDATIONS) - before, 1, 'three requests, one validation');

  const burst = (await login('lb-member')).token;
  const mid = proxy.count(VALIDATIONS);
  const answers = await Promise.all(
    Array.from({ length: 5 }, () => c.req('GET', '/v2/lbaas/loadbalancers', auth(burst))),
  );
  t.same(
    answers.map((a) => a.status),
    [200, 200, 200, 200, 200],
  );
  t.equal(proxy.count(VALIDATIONS) - mid, 1, 'five concurrent requests with a new token, one validation');

  const small = await controller(t, { cacheSize: 1 });
  const [t1, t2] = [(await login('lb-member')).token, (await login('lb-member')).token];
  const start = proxy.count(VALIDATIONS);
  for (const tok of [t1, t2, t1]) await small.req('GET', '/v2/lbaas/loadbalancers', auth(tok));
  t.equal(proxy.count(VALIDATIONS) - start, 3, 'a cache of one forgets t1 when t2 comes');
});

t.test('revoked tokens', async (t) => {
  const { ks } = w();
  // Long enough for Keystone's revocation (slow on a loaded machine) to fit inside it.
  const CACHE_SECONDS = 10;
  const c = await controller(t, { cacheSeconds: CACHE_SECONDS });
  const fresh = (await login('lb-member')).token;
  t.equal(await ks.revoke(fresh), 204);
  let r = await c.req('GET', '/v2/lbaas/loadbalancers', auth(fresh));
  t.equal(r.status, 401, 'a revoked token not yet cached is refused');
  t.same(r.body, UNAUTHORIZED);

  // A cached token stays valid until its cache entry ends (the documented revocation
  // delay, keystone.cacheSeconds, as keystonemiddleware's token_cache_time).
  const cached = (await login('lb-member')).token;
  const cachedFrom = Date.now(); // the entry is made during the next request, not before
  t.equal((await c.req('GET', '/v2/lbaas/loadbalancers', auth(cached))).status, 200);
  const revokedAt = Date.now();
  t.equal(await ks.revoke(cached), 204);
  const askedAfter = Date.now() - cachedFrom;
  r = await c.req('GET', '/v2/lbaas/loadbalancers', auth(cached));
  t.ok(askedAfter < CACHE_SECONDS * 1000, `asked again ${askedAfter} ms after it was cached`);
  t.equal(r.status, 200, 'still cached right after revocation');
  await new Promise((res) =>
    setTimeout(res, Math.max(0, revokedAt + CACHE_SECONDS * 1000 + 100 - Date.now())),
  );
  r = await c.req('GET', '/v2/lbaas/loadbalancers', auth(cached));
  t.equal(r.status, 401, 'refused once the cache entry ended');
});

t.test('expired tokens, and the service token renewed before it expires', async (t) => {
  const { proxy } = w();
  const c = await controller(t);
  const cachedToken = await login('lb-member');
  t.equal((await c.req('GET', '/v2/lbaas/loadbalancers', auth(cachedToken.token))).status, 200);
  const uncached = await login('lb-member');
  const logins = proxy.count(LOGINS);
  // Wait for both user tokens (and the controller's service token) to expire.
  const until = Math.max(cachedToken.expiresAt, uncached.expiresAt) + 1000;
  t.ok(until - Date.now() < (EXPIRATION_SECONDS + 5) * 1000, 'Keystone honours [token] expiration');
  await new Promise((res) => setTimeout(res, Math.max(0, until - Date.now())));
  let r = await c.req('GET', '/v2/lbaas/loadbalancers', auth(cachedToken.token));
  t.equal(r.status, 401, 'an expired token is refused even though it was cached');
  t.same(r.body, UNAUTHORIZED);
  r = await c.req('GET', '/v2/lbaas/loadbalancers', auth(uncached.token));
  t.equal(r.status, 401, 'an expired token never seen before is refused');
  r = await c.req('GET', '/v2/lbaas/loadbalancers', auth((await login('lb-member')).token));
  t.equal(r.status, 200, 'new tokens still validate');
  t.ok(proxy.count(LOGINS) > logins, 'the controller logged in again for a new service token');
});

t.test('Keystone unavailable: 503, never a pass', async (t) => {
  const { proxy } = w();
  const c = await controller(t, { timeoutMs: 1000 });
  const known = (await login('lb-member')).token;
  t.equal((await c.req('GET', '/v2/lbaas/loadbalancers', auth(known))).status, 200);
  t.teardown(() => {
    proxy.mode = 'forward';
  });
  for (const mode of ['bad-gateway', 'hang'] as const) {
    proxy.mode = mode;
    const token = (await login('lb-member')).token;
    const r = await c.req('GET', '/v2/lbaas/loadbalancers', auth(token));
    t.equal(r.status, 503, `Keystone ${mode}`);
    t.same(r.body, UNAVAILABLE, "Octavia's fault body");
    t.equal(
      (await c.req('GET', '/v2/lbaas/loadbalancers', auth('garbage-token'))).status,
      503,
      'not 401: Keystone cannot say',
    );
  }
  t.equal(
    (await c.req('GET', '/v2/lbaas/loadbalancers', auth(known))).status,
    200,
    'a token validated before the outage keeps working while it is cached',
  );
  proxy.mode = 'forward';

  const wrong = await controller(t, { password: 'wrong' });
  let r = await wrong.req('GET', '/v2/lbaas/loadbalancers', auth((await login('lb-member')).token));
  t.equal(r.status, 503, 'service credentials refused');
  t.same(r.body, UNAVAILABLE);

  const nowhere = await controller(t, { authUrl: 'http://127.0.0.1:1/v3' });
  r = await nowhere.req('GET', '/v2/lbaas/loadbalancers', auth((await login('lb-member')).token));
  t.equal(r.status, 503, 'connection refused');
  t.same(r.body, UNAVAILABLE);
});

t.test('configuration errors are reported at start-up', async (t) => {
  const base = w().service;
  t.throws(() => new KeystoneAuthenticator({ ...base, password: '' }), /keystone.password must be set/);
  t.throws(() => new KeystoneAuthenticator({ ...base, authUrl: 'keystone:5000' }), /keystone.authUrl/);
  t.throws(() => new KeystoneAuthenticator({ ...base, cacheSize: -1 }), /cacheSize/);
  const config = controllerConfig({ database: { driver: 'sqlite', path: ':memory:' } }, '');
  const db = await openDatabase(config);
  t.teardown(() => db.destroy());
  const network = new LocalNetworkDriver(db, config.network);
  await t.rejects(
    buildApp({
      config: { ...config, api: { ...config.api, authStrategy: 'ldap' as 'noauth' } },
      db,
      network,
    }),
    /api.authStrategy must be "noauth" or "keystone"/,
  );
});

t.test('Keystone stopped for good: 503', async (t) => {
  const { ks } = w();
  const c = await controller(t, { authUrl: ks.url });
  const token = (await login('lb-member')).token;
  await ks.stop();
  const r = await c.req('GET', '/v2/lbaas/loadbalancers', auth(token));
  t.equal(r.status, 503);
  t.same(r.body, UNAVAILABLE);
});
