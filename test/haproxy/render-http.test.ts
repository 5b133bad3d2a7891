// The HTTP renderer: golden files (each also accepted by `haproxy -c` without warnings),
// and a named error for every user string that could not be written as one safe token.
// UPDATE_GOLDEN=1 rewrites the golden files.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HaproxyUnsupportedError } from '../../src/haproxy/errors.js';
import { renderHaproxyConfig, selectListeners } from '../../src/haproxy/render.js';
import { servedObjects } from '../../src/haproxy/served.js';
import { HTTP_GOLDEN_CASES, policy, rule } from './golden-cases-http.js';
import { amphora, listener, member, pool } from './helpers.js';

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const RUN_DIR = '/run/velox/haproxy';
const METRICS = '0.0.0.0:9100'; // the agent's default --metrics

function haproxyCheck(text: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vxh7-golden-'));
  try {
    writeFileSync(join(dir, 'haproxy.cfg'), text);
    const output = execFileSync('haproxy', ['-c', '-f', join(dir, 'haproxy.cfg')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, output };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [name, c] of Object.entries(HTTP_GOLDEN_CASES)) {
  t.test(`golden: ${name}`, async (t) => {
    const text = renderHaproxyConfig(c.config, c.listenerIds, { runDir: RUN_DIR, metricsListen: METRICS });
    const file = join(goldenDir, `${name}.cfg`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
    t.ok(existsSync(file), `golden/${name}.cfg exists (UPDATE_GOLDEN=1 writes it)`);
    t.equal(text, readFileSync(file, 'utf8'), `matches golden/${name}.cfg`);
    const check = haproxyCheck(text);
    t.ok(check.ok, `haproxy -c accepts it: ${check.output}`);
    t.notMatch(check.output, /\[WARNING\]/, 'without warnings');
  });
}

const httpConfig = () =>
  amphora(
    [
      listener({
        protocol: 'HTTP',
        l7policies: [
          policy('pol', 'REDIRECT_TO_POOL', 1, [rule('r1', 'PATH', '/a')], { redirect_pool_id: 'p2' }),
          policy('url', 'REDIRECT_TO_URL', 2, [rule('r2', 'HEADER', 'x', { key: 'X-A' })], {
            redirect_url: 'http://example.com/',
          }),
        ],
      }),
    ],
    [
      pool([member('m1', '10.209.1.11', 80)], { protocol: 'HTTP' }),
      pool([member('m2', '10.209.1.12', 80)], { protocol: 'HTTP', id: 'p2' }),
    ],
  );
type Config = ReturnType<typeof httpConfig>;
const pol = (c: Config, j: number) => c.listeners[0]!.l7policies[j]!;

t.test(
  'policy order: by position within an action kind; deny, then redirect, then use_backend',
  async (t) => {
    const text = HTTP_GOLDEN_CASES['http-l7-policies']!;
    const out = renderHaproxyConfig(text.config, text.listenerIds, { runDir: RUN_DIR });
    const actions = out.split('\n').filter((l) => /^ {4}(http-request deny|redirect|use_backend)/.test(l));
    t.same(
      actions.map((l) => l.trim().split(' if ')[1]),
      [
        'rule-ua-bot !rule-no-beta',
        'rule-quoted rule-dash',
        'rule-has-cert !rule-verify rule-dn',
        'rule-old-host rule-jpg',
        'rule-docs',
        'rule-api-path',
      ],
      'disabled policies, disabled rules and pools that are down are left out',
    );
  },
);

t.test('redirect pools are served: their backends are rendered and their members reported', async (t) => {
  const c = httpConfig();
  const text = renderHaproxyConfig(c, ['l1'], { runDir: RUN_DIR });
  t.match(text, /^backend p2:l1$/m);
  t.match(text, /^ {4}use_backend p2:l1 if rule-r1$/m);
  const served = servedObjects(selectListeners(c, ['l1']));
  t.same([...served.pools.keys()], ['p1', 'p2']);
  t.same(served.pools.get('p2'), { backends: ['p2:l1'], members: ['m2'] });
});

t.test('a rule id cannot reach the allowed_src ACL or a predefined one', async (t) => {
  const c = httpConfig();
  c.listeners[0]!.allowed_cidrs = ['10.0.0.0/8'];
  pol(c, 0).rules[0]!.id = 'allowed_src';
  pol(c, 1).rules[0]!.id = 'TRUE';
  const text = renderHaproxyConfig(c, ['l1'], { runDir: RUN_DIR });
  t.match(text, /^ {4}acl allowed_src src 10\.0\.0\.0\/8$/m);
  t.equal(text.match(/^ {4}acl allowed_src /gm)?.length, 1, 'the CIDR ACL stays alone');
  t.match(text, /^ {4}acl rule-allowed_src path /m);
  t.match(text, /^ {4}acl rule-TRUE req\.hdr/m);
  const check = haproxyCheck(text);
  t.ok(check.ok, check.output);
});

t.test('an HTTP listener without a pool answers 503 instead of refusing connections', async (t) => {
  const c = amphora([listener({ protocol: 'HTTP', default_pool_id: '' })], []);
  const text = renderHaproxyConfig(c, ['l1'], { runDir: RUN_DIR });
  t.notMatch(text, /tcp-request connection reject/);
  t.notMatch(text, /default_backend/);
});

t.test('a TCP listener ignores L7 policies (Octavia accepts them on HTTP listeners only)', async (t) => {
  const c = httpConfig();
  c.listeners[0]!.protocol = 'TCP';
  const text = renderHaproxyConfig(c, ['l1'], { runDir: RUN_DIR });
  t.notMatch(text, /acl|use_backend|redirect/);
  t.notMatch(text, /backend p2/);
});

const refusals: [string, (c: Config) => void, string][] = [
  [
    'a rule value with a newline',
    (c) => (pol(c, 0).rules[0]!.value = '/a\n    bind :22'),
    'listeners[0].l7policies[0].rules[0].value',
  ],
  [
    'a rule value with a NUL',
    (c) => (pol(c, 0).rules[0]!.value = '/a\0'),
    'listeners[0].l7policies[0].rules[0].value',
  ],
  [
    'an empty rule value',
    (c) => (pol(c, 0).rules[0]!.value = ''),
    'listeners[0].l7policies[0].rules[0].value',
  ],
  [
    'a header key with a paren',
    (c) => (pol(c, 1).rules[0]!.key = 'X-A) || true'),
    'listeners[0].l7policies[1].rules[0].key',
  ],
  [
    'a header key with a quote',
    (c) => (pol(c, 1).rules[0]!.key = "X'A"),
    'listeners[0].l7policies[1].rules[0].key',
  ],
  [
    'a cookie key with a space',
    (c) => (pol(c, 1).rules[0] = rule('r2', 'COOKIE', 'v', { key: 'a b' })),
    'listeners[0].l7policies[1].rules[0].key',
  ],
  [
    'an SSL_DN_FIELD key with a paren',
    (c) => (pol(c, 1).rules[0] = rule('r2', 'SSL_DN_FIELD', 'v', { key: 'CN)' })),
    'listeners[0].l7policies[1].rules[0].key',
  ],
  [
    'an SSL_VERIFY_RESULT that is not a number',
    (c) => (pol(c, 1).rules[0] = rule('r2', 'SSL_VERIFY_RESULT', '0 || 1')),
    'listeners[0].l7policies[1].rules[0].value',
  ],
  [
    'an unknown rule type',
    (c) => (pol(c, 0).rules[0]!.type = 'QUERY'),
    'listeners[0].l7policies[0].rules[0].type',
  ],
  [
    'an unknown compare type',
    (c) => (pol(c, 0).rules[0]!.compare_type = 'LIKE'),
    'listeners[0].l7policies[0].rules[0].compare_type',
  ],
  [
    'a rule id with a space',
    (c) => (pol(c, 0).rules[0]!.id = 'r1 r2'),
    'listeners[0].l7policies[0].rules[0].id',
  ],
  ['a rule id used twice', (c) => (pol(c, 1).rules[0]!.id = 'r1'), 'listeners[0].l7policies[1].rules[0].id'],
  [
    'a redirect URL with a space',
    (c) => (pol(c, 1).redirect_url = 'http://a.com/ if TRUE'),
    'listeners[0].l7policies[1].redirect_url',
  ],
  [
    'a redirect URL with a quote',
    (c) => (pol(c, 1).redirect_url = "http://a.com/'x"),
    'listeners[0].l7policies[1].redirect_url',
  ],
  [
    'a relative redirect URL',
    (c) => (pol(c, 1).redirect_url = '/elsewhere'),
    'listeners[0].l7policies[1].redirect_url',
  ],
  [
    'a redirect prefix with a newline',
    (c) => Object.assign(pol(c, 1), { action: 'REDIRECT_PREFIX', redirect_prefix: 'http://a.com\nlisten x' }),
    'listeners[0].l7policies[1].redirect_prefix',
  ],
  [
    'a redirect code 200',
    (c) => (pol(c, 1).redirect_http_code = 200),
    'listeners[0].l7policies[1].redirect_http_code',
  ],
  ['an unknown action', (c) => (pol(c, 1).action = 'TARPIT'), 'listeners[0].l7policies[1].action'],
  [
    'an unknown redirect pool',
    (c) => (pol(c, 0).redirect_pool_id = 'nope'),
    'listeners[0].l7policies[0].redirect_pool_id',
  ],
  [
    'a bad rule in a disabled policy',
    (c) => Object.assign(pol(c, 0), { admin_state_up: false, rules: [rule('r1', 'PATH', 'a\nb')] }),
    'listeners[0].l7policies[0].rules[0].value',
  ],
  [
    'an unknown insert_headers name',
    (c) => (c.listeners[0]!.insert_headers = { 'X-Evil\nY': 'true' }),
    'listeners[0].insert_headers',
  ],
  [
    'an APP_COOKIE name with a paren',
    (c) =>
      (c.pools[0]!.session_persistence = {
        type: 'APP_COOKIE',
        cookie_name: 'a)b',
        persistence_timeout: 0,
        persistence_granularity: '',
      }),
    'pools[0].session_persistence.cookie_name',
  ],
  [
    'an APP_COOKIE without a name',
    (c) =>
      (c.pools[0]!.session_persistence = {
        type: 'APP_COOKIE',
        cookie_name: '',
        persistence_timeout: 0,
        persistence_granularity: '',
      }),
    'pools[0].session_persistence.cookie_name',
  ],
];

for (const [what, mutate, path] of refusals) {
  t.test(`refuses ${what} with HaproxyConfigError naming ${path}`, async (t) => {
    const c = httpConfig();
    t.doesNotThrow(() => renderHaproxyConfig(c, ['l1'], { runDir: RUN_DIR }), 'the unchanged config renders');
    mutate(c);
    t.throws(() => renderHaproxyConfig(c, ['l1'], { runDir: RUN_DIR }), { name: 'HaproxyConfigError', path });
  });
}

t.test('TERMINATED_HTTPS needs its default certificate (render-tls.test.ts has the rest)', async (t) => {
  const c = httpConfig();
  c.listeners[0]!.protocol = 'TERMINATED_HTTPS';
  t.throws(() => renderHaproxyConfig(c, ['l1'], { runDir: RUN_DIR }), {
    name: 'HaproxyConfigError',
    path: 'listeners[0].default_tls',
  });
});

t.test(
  'PROMETHEUS: served only with the agent metrics server, reached on loopback for a wildcard',
  async (t) => {
    const c = HTTP_GOLDEN_CASES.prometheus!;
    t.throws(
      () => renderHaproxyConfig(c.config, c.listenerIds, { runDir: RUN_DIR }),
      HaproxyUnsupportedError,
    );
    const at = (metricsListen: string) =>
      renderHaproxyConfig(c.config, ['prom'], { runDir: RUN_DIR, metricsListen });
    t.match(at('0.0.0.0:9100'), /^ {4}server agent 127\.0\.0\.1:9100$/m);
    t.match(at('[::]:9200'), /^ {4}server agent \[::1\]:9200$/m);
    t.match(at('10.213.0.5:9300'), /^ {4}server agent 10\.213\.0\.5:9300$/m);
    for (const bad of ['9100', 'localhost:9100', '127.0.0.1:0', '127.0.0.1:9100\nlisten x']) {
      t.throws(() => at(bad), { name: 'HaproxyConfigError', path: 'metricsListen' }, JSON.stringify(bad));
    }
    const withPool = structuredClone(c.config);
    withPool.listeners[0]!.default_pool_id = 'ghost';
    t.doesNotThrow(
      () => renderHaproxyConfig(withPool, ['prom'], { runDir: RUN_DIR, metricsListen: METRICS }),
      'pools are ignored',
    );
  },
);
