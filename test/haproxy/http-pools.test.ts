// HTTP pools end to end on loopback (127.213.2.0/24, ports picked free): session
// persistence, insert_headers as the members see them, health checks taking a member out
// and back, and the statuses read from HAProxy's runtime API.
import t from 'tap';
import type { Pool__Output } from '../../src/grpc/gen/velox/agent/v1/Pool.js';
import { amphora, eventually, freePort, listener, managerFor, member, monitor, pool } from './helpers.js';
import { httpDistribution, httpGet, startHttpMember } from './http-helpers.js';

const VIP = '127.213.2.1';
const CLIENT_A = '127.213.2.50';
const CLIENT_B = '127.213.2.51';
const http = { protocol: 'HTTP' };
const persistence = (type: string, cookie_name = '') => ({
  type,
  cookie_name,
  persistence_timeout: 0,
  persistence_granularity: '',
});

t.test('HTTP_COOKIE, APP_COOKIE and SOURCE_IP keep a client on one member', async (t) => {
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  const a = await startHttpMember(t, 'a', '127.213.2.11', { appCookie: 'JSESSIONID' });
  const b = await startHttpMember(t, 'b', '127.213.2.12', { appCookie: 'JSESSIONID' });
  const config = (over: Partial<Pool__Output>) =>
    amphora(
      [listener({ ...http, vip_address: VIP, protocol_port: port })],
      [pool([member('a', a.address, a.port), member('b', b.address, b.port)], { ...http, ...over })],
    );

  await manager.apply(config({}), ['l1']);
  t.same(await httpDistribution(VIP, port, 6), { a: 3, b: 3 }, 'without persistence: round robin');

  await manager.apply(config({ session_persistence: persistence('HTTP_COOKIE') }), ['l1']);
  const first = await httpGet(VIP, port, '/');
  const cookie = (first.headers['set-cookie'] ?? []).find((c) => c.startsWith('SRV='));
  t.equal(cookie?.split(';')[0], `SRV=${first.body}`, `HAProxy names the member in cookie SRV (${cookie})`);
  t.same(
    await httpDistribution(VIP, port, 6, { headers: { Cookie: `SRV=${first.body}` } }),
    { [first.body]: 6 },
    'requests with the cookie stay on that member',
  );
  const other = first.body === 'a' ? 'b' : 'a';
  t.same(
    await httpDistribution(VIP, port, 4, { headers: { Cookie: `SRV=${other}` } }),
    { [other]: 4 },
    'each cookie its member',
  );
  t.same(Object.keys(await httpDistribution(VIP, port, 6)).sort(), ['a', 'b'], 'without the cookie: spread');
  const indirect = a.seen.concat(b.seen).filter((s) => (s.headers.cookie ?? '').includes('SRV='));
  t.equal(indirect.length, 0, 'members never see the SRV cookie (indirect)');

  await manager.apply(config({ session_persistence: persistence('APP_COOKIE', 'JSESSIONID') }), ['l1']);
  const session = await httpGet(VIP, port, '/');
  const appCookie = /^JSESSIONID=([^;]+)/.exec(String(session.headers['set-cookie'] ?? ''))?.[1];
  t.ok(appCookie?.startsWith(`${session.body}-`), `the member set its session cookie (${appCookie})`);
  t.same(
    await httpDistribution(VIP, port, 6, { headers: { Cookie: `JSESSIONID=${appCookie}` } }),
    { [session.body]: 6 },
    'requests with the application cookie go back to the member that set it',
  );
  t.same(Object.keys(await httpDistribution(VIP, port, 6)).sort(), ['a', 'b'], 'without it: spread');

  await manager.apply(config({ session_persistence: persistence('SOURCE_IP') }), ['l1']);
  const fromA = await httpDistribution(VIP, port, 6, { localAddress: CLIENT_A });
  const fromB = await httpDistribution(VIP, port, 6, { localAddress: CLIENT_B });
  t.equal(Object.keys(fromA).length, 1, `one source, one member: ${JSON.stringify(fromA)}`);
  t.equal(Object.keys(fromB).length, 1, `one source, one member: ${JSON.stringify(fromB)}`);
  t.notSame(fromA, fromB, 'the second source was balanced to the other member');
});

t.test('insert_headers: what the member sees', async (t) => {
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  const m = await startHttpMember(t, 'm', '127.213.2.21');
  const config = (insert_headers: Record<string, string>) =>
    amphora(
      [listener({ ...http, vip_address: VIP, protocol_port: port, insert_headers })],
      [pool([member('m', m.address, m.port)], http)],
    );
  await manager.apply(
    config({ 'X-Forwarded-For': 'true', 'X-Forwarded-Port': 'true', 'X-Forwarded-Proto': 'true' }),
    ['l1'],
  );
  await httpGet(VIP, port, '/with', { localAddress: CLIENT_A });
  const withHeaders = m.seen.find((s) => s.path === '/with')!.headers;
  t.equal(withHeaders['x-forwarded-for'], CLIENT_A, 'X-Forwarded-For is the client');
  t.equal(withHeaders['x-forwarded-port'], String(port), 'X-Forwarded-Port is the listener port');
  t.equal(withHeaders['x-forwarded-proto'], 'http', 'X-Forwarded-Proto is http');

  await manager.apply(config({ 'X-Forwarded-For': 'false' }), ['l1']);
  await httpGet(VIP, port, '/without', { localAddress: CLIENT_A, headers: { 'X-Forwarded-Port': '1' } });
  const without = m.seen.find((s) => s.path === '/without')!.headers;
  t.equal(without['x-forwarded-for'], undefined, '"false": no X-Forwarded-For');
  t.equal(without['x-forwarded-proto'], undefined, 'absent: no X-Forwarded-Proto');
  t.equal(without['x-forwarded-port'], '1', "absent: the client's own header passes unchanged");
});

t.test('an HTTP health monitor takes a failing member out and brings it back', async (t) => {
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  const good = await startHttpMember(t, 'good', '127.213.2.31');
  const flaky = await startHttpMember(t, 'flaky', '127.213.2.32');
  const config = amphora(
    [listener({ ...http, vip_address: VIP, protocol_port: port })],
    [
      pool([member('good', good.address, good.port), member('flaky', flaky.address, flaky.port)], {
        ...http,
        health_monitor: monitor('HTTP', { url_path: '/health', expected_codes: '200', delay: 1, timeout: 1 }),
      }),
    ],
  );
  await manager.apply(config, ['l1']);
  const statusOf = async (id: string) => (await manager.status()).members.find((m) => m.id === id)?.status;
  await eventually('both members ONLINE', async () =>
    (await statusOf('good')) === 'ONLINE' && (await statusOf('flaky')) === 'ONLINE' ? true : undefined,
  );
  t.same(Object.keys(await httpDistribution(VIP, port, 4)).sort(), ['flaky', 'good'], 'both serve');
  await eventually('a check on /health', () =>
    flaky.seen.some((s) => s.path === '/health') ? true : undefined,
  );
  t.pass('HAProxy checks /health');

  flaky.healthStatus = 500;
  await eventually('flaky in ERROR', async () => ((await statusOf('flaky')) === 'ERROR' ? true : undefined));
  const pools = (await manager.status()).pools;
  t.equal(pools.find((p) => p.id === 'p1')?.status, 'DEGRADED', 'the pool is DEGRADED');
  t.same(await httpDistribution(VIP, port, 4), { good: 4 }, 'only the healthy member serves');

  flaky.healthStatus = 200;
  await eventually('flaky back ONLINE', async () =>
    (await statusOf('flaky')) === 'ONLINE' ? true : undefined,
  );
  t.same(Object.keys(await httpDistribution(VIP, port, 4)).sort(), ['flaky', 'good'], 'and serves again');
});
