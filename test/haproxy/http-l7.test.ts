// L7 policies end to end on loopback (127.213.1.0/24, ports picked free): real HAProxy
// started by the manager, real HTTP members and clients in this process.
import t, { type Test } from 'tap';
import type { L7Policy__Output } from '../../src/grpc/gen/velox/agent/v1/L7Policy.js';
import { policy, rule } from './golden-cases-http.js';
import { amphora, freePort, listener, managerFor, member, pool } from './helpers.js';
import { httpGet, startHttpMember, type HttpMember } from './http-helpers.js';

const VIP = '127.213.1.1';
const http = { protocol: 'HTTP' };

async function setup(t: Test) {
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  const names = ['main', 'api', 'img', 'beta', 'inv', 'first', 'second', 'quote'];
  const members = new Map<string, HttpMember>();
  for (const [i, n] of names.entries()) members.set(n, await startHttpMember(t, n, `127.213.1.${11 + i}`));
  const pools = names.map((n) => {
    const m = members.get(n)!;
    return pool([member(n, m.address, m.port)], { ...http, id: `p-${n}` });
  });
  const config = (policies: L7Policy__Output[]) =>
    amphora(
      [
        listener({
          ...http,
          vip_address: VIP,
          protocol_port: port,
          default_pool_id: 'p-main',
          l7policies: policies,
        }),
      ],
      pools,
    );
  return { manager, port, config };
}

const toPool = (id: string, position: number, rules: ReturnType<typeof rule>[]) =>
  policy(`to-${id}`, 'REDIRECT_TO_POOL', position, rules, { redirect_pool_id: `p-${id}` });

const POLICIES = [
  policy('block', 'REJECT', 1, [rule('blocked', 'HEADER', 'yes', { key: 'X-Block' })]),
  policy('old', 'REDIRECT_TO_URL', 2, [rule('old-path', 'PATH', '/old', { compare_type: 'STARTS_WITH' })], {
    redirect_url: 'http://new.example/landing?x=%20',
    redirect_http_code: 301,
  }),
  policy('legacy', 'REDIRECT_PREFIX', 3, [rule('legacy-host', 'HOST_NAME', 'legacy.example')], {
    redirect_prefix: 'https://modern.example',
    redirect_http_code: 308,
  }),
  toPool('api', 4, [rule('api-path', 'PATH', '/api/', { compare_type: 'STARTS_WITH' })]),
  toPool('img', 5, [rule('img-type', 'FILE_TYPE', '\\.(png|jpe?g)$', { compare_type: 'REGEX' })]),
  toPool('beta', 6, [
    rule('beta-cookie', 'COOKIE', 'on', { key: 'beta', compare_type: 'CONTAINS' }),
    rule('gold-tier', 'HEADER', 'gold', { key: 'X-Tier', compare_type: 'ENDS_WITH' }),
  ]),
  toPool('inv', 7, [
    rule('inv-path', 'PATH', '/inv', { compare_type: 'STARTS_WITH' }),
    rule('trusted', 'HEADER', 'yes', { key: 'X-Trusted', invert: true }),
  ]),
  toPool('first', 8, [rule('both-1', 'PATH', '/both')]),
  toPool('second', 9, [rule('both-2', 'PATH', '/both')]),
  toPool('quote', 10, [rule('quoted', 'HEADER', "it's a # test", { key: 'X-Note' })]),
];

t.test('each rule type, compare type and action, with invert', async (t) => {
  const { manager, port, config } = await setup(t);
  await manager.apply(config(POLICIES), ['l1']);
  const get = (path: string, headers?: Record<string, string>) => httpGet(VIP, port, path, { headers });

  t.equal((await get('/')).body, 'main', 'no policy matches: the default pool');
  t.equal((await get('/', { 'X-Block': 'yes' })).status, 403, 'REJECT on HEADER EQUAL_TO');
  t.equal((await get('/api/x', { 'X-Block': 'yes' })).status, 403, 'REJECT comes before REDIRECT_TO_POOL');
  t.equal((await get('/', { 'X-Block': 'yes please' })).body, 'main', 'EQUAL_TO is the whole value');

  const moved = await get('/old/page');
  t.equal(moved.status, 301, 'REDIRECT_TO_URL with its code (PATH STARTS_WITH)');
  t.equal(moved.headers.location, 'http://new.example/landing?x=%20', 'to the URL as given');

  const legacy = await get('/some/path?q=1', { Host: 'LEGACY.example' });
  t.equal(legacy.status, 308, 'REDIRECT_PREFIX with its code (HOST_NAME, case-insensitive)');
  t.equal(legacy.headers.location, 'https://modern.example/some/path?q=1', 'the prefix before the path');
  t.equal((await get('/some/path')).status, 200, 'another host is not redirected');
  t.equal((await get('/')).headers.location, undefined);
  const plain = await get('/', { Host: 'legacy.example' });
  t.equal(plain.status, 308, 'the host alone is enough');

  t.equal((await get('/api/v1')).body, 'api', 'REDIRECT_TO_POOL on PATH STARTS_WITH');
  t.equal((await get('/v1/api/')).body, 'main', 'STARTS_WITH anchors at the start');
  t.equal((await get('/a/b.jpeg')).body, 'img', 'FILE_TYPE REGEX');
  t.equal((await get('/a/b.gif')).body, 'main', 'FILE_TYPE REGEX: no match');

  t.equal(
    (await get('/', { Cookie: 'beta=turned-on', 'X-Tier': 'silver-gold' })).body,
    'beta',
    'COOKIE CONTAINS and HEADER ENDS_WITH',
  );
  t.equal((await get('/', { Cookie: 'beta=turned-on' })).body, 'main', 'rules are ANDed: one is not enough');
  t.equal((await get('/', { 'X-Tier': 'gold' })).body, 'main', 'and neither is the other');

  t.equal((await get('/inv')).body, 'inv', 'invert: the header is absent');
  t.equal((await get('/inv', { 'X-Trusted': 'no' })).body, 'inv', 'invert: the header differs');
  t.equal(
    (await get('/inv', { 'X-Trusted': 'yes' })).body,
    'main',
    'invert: the header matches, the policy does not',
  );

  t.equal((await get('/both')).body, 'first', 'two matching policies: the lower position wins');
  t.equal(
    (await get('/', { 'X-Note': "it's a # test" })).body,
    'quote',
    'a value with a quote, spaces and #',
  );
  t.equal((await get('/', { 'X-Note': 'it' })).body, 'main', 'matched whole, not cut at the quote');

  const swapped = POLICIES.map((p) =>
    p.id === 'to-first' ? { ...p, position: 9 } : p.id === 'to-second' ? { ...p, position: 8 } : p,
  );
  await manager.apply(config(swapped), ['l1']);
  t.equal((await get('/both')).body, 'second', 'positions swapped: the other policy wins');

  const disabled = POLICIES.map((p) => (p.id === 'to-api' ? { ...p, admin_state_up: false } : p));
  await manager.apply(config(disabled), ['l1']);
  t.equal((await get('/api/v1')).body, 'main', 'an admin-down policy does not act');

  const ruleOff = POLICIES.map((p) =>
    p.id === 'to-beta'
      ? { ...p, rules: p.rules.map((r) => (r.id === 'gold-tier' ? { ...r, admin_state_up: false } : r)) }
      : p,
  );
  await manager.apply(config(ruleOff), ['l1']);
  t.equal((await get('/', { Cookie: 'beta=on' })).body, 'beta', 'an admin-down rule is left out of the AND');
});
