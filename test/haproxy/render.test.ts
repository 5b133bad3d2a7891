// The renderer: golden files for representative configs (each also accepted by
// `haproxy -c`), and a named error for every value that could not be written safely.
// UPDATE_GOLDEN=1 rewrites the golden files.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HaproxyConfigError, HaproxyUnsupportedError } from '../../src/haproxy/errors.js';
import { renderHaproxyConfig } from '../../src/haproxy/render.js';
import { GOLDEN_CASES } from './golden-cases.js';
import { amphora, listener, member, monitor, pool } from './helpers.js';

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const RUN_DIR = '/run/velox/haproxy';

function haproxyCheck(text: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vxhp-golden-'));
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

for (const [name, c] of Object.entries(GOLDEN_CASES)) {
  t.test(`golden: ${name}`, async (t) => {
    const text = renderHaproxyConfig(c.config, c.listenerIds, { runDir: RUN_DIR });
    const file = join(goldenDir, `${name}.cfg`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
    t.ok(existsSync(file), `golden/${name}.cfg exists (UPDATE_GOLDEN=1 writes it)`);
    t.equal(text, readFileSync(file, 'utf8'), `matches golden/${name}.cfg`);
    const check = haproxyCheck(text);
    t.ok(check.ok, `haproxy -c accepts it: ${check.output}`);
    t.notMatch(check.output, /\[WARNING\]/, 'without warnings');
  });
}

t.test('the same input renders the same bytes', async (t) => {
  const c = GOLDEN_CASES['source-ip-persistence']!;
  t.equal(
    renderHaproxyConfig(c.config, c.listenerIds, { runDir: RUN_DIR }),
    renderHaproxyConfig(structuredClone(c.config), [...c.listenerIds], { runDir: RUN_DIR }),
  );
});

t.test('only the listeners asked for are rendered', async (t) => {
  const config = amphora(
    [listener({ id: 'a' }), listener({ id: 'b', protocol_port: 81 })],
    [pool([member('m1', '10.209.1.11', 80)])],
  );
  const text = renderHaproxyConfig(config, ['b'], { runDir: RUN_DIR });
  t.match(text, /^frontend b$/m);
  t.notMatch(text, /^frontend a$/m);
  t.match(text, /^backend p1:b$/m);
});

const injections: [string, (c: ReturnType<typeof amphora>) => void, string][] = [
  ['listener id with a newline', (c) => (c.listeners[0]!.id = 'l1\n    bind 0.0.0.0:22'), 'listeners[0].id'],
  ['pool id with a colon', (c) => (c.pools[0]!.id = c.listeners[0]!.default_pool_id = 'p:1'), 'pools[0].id'],
  ['member id with a space', (c) => (c.pools[0]!.members[0]!.id = 'm1 backup'), 'pools[0].members[0].id'],
  ['vip_address', (c) => (c.listeners[0]!.vip_address = '10.209.0.1:22 #'), 'listeners[0].vip_address'],
  [
    'member address',
    (c) => (c.pools[0]!.members[0]!.address = '10.209.1.1\nlisten x'),
    'pools[0].members[0].address',
  ],
  [
    'monitor_address',
    (c) => (c.pools[0]!.members[0]!.monitor_address = 'x'),
    'pools[0].members[0].monitor_address',
  ],
  ['protocol_port', (c) => (c.listeners[0]!.protocol_port = 70000), 'listeners[0].protocol_port'],
  [
    'allowed cidr',
    (c) => (c.listeners[0]!.allowed_cidrs = ['10.0.0.0/8 }']),
    'listeners[0].allowed_cidrs[0]',
  ],
  ['weight', (c) => (c.pools[0]!.members[0]!.weight = 300), 'pools[0].members[0].weight'],
  [
    'url_path with a quote',
    (c) => (c.pools[0]!.health_monitor = monitor('HTTP', { url_path: "/x' hdr X y" })),
    'pools[0].health_monitor.url_path',
  ],
  [
    'url_path with a space',
    (c) => (c.pools[0]!.health_monitor = monitor('HTTP', { url_path: '/a b' })),
    'pools[0].health_monitor.url_path',
  ],
  [
    'domain_name',
    (c) => (c.pools[0]!.health_monitor = monitor('HTTP', { domain_name: 'a.com\r\nX: y' })),
    'pools[0].health_monitor.domain_name',
  ],
  [
    'http_method',
    (c) => (c.pools[0]!.health_monitor = monitor('HTTP', { http_method: 'GET uri /' })),
    'pools[0].health_monitor.http_method',
  ],
  [
    'expected_codes',
    (c) => (c.pools[0]!.health_monitor = monitor('HTTP', { expected_codes: '200|.*' })),
    'pools[0].health_monitor.expected_codes',
  ],
  ['lb_algorithm', (c) => (c.pools[0]!.lb_algorithm = 'RANDOM'), 'pools[0].lb_algorithm'],
  [
    'monitor delay 0',
    (c) => (c.pools[0]!.health_monitor = monitor('TCP', { delay: 0 })),
    'pools[0].health_monitor.delay',
  ],
  [
    'persistence_granularity',
    (c) =>
      (c.pools[0]!.session_persistence = {
        type: 'SOURCE_IP',
        cookie_name: '',
        persistence_timeout: 0,
        persistence_granularity: '255.0.255.0',
      }),
    'pools[0].session_persistence.persistence_granularity',
  ],
  ['unknown default pool', (c) => (c.listeners[0]!.default_pool_id = 'nope'), 'listeners[0].default_pool_id'],
];

for (const [what, mutate, path] of injections) {
  t.test(`refuses ${what} with HaproxyConfigError naming ${path}`, async (t) => {
    const config = amphora([listener()], [pool([member('m1', '10.209.1.11', 80)])]);
    mutate(config);
    t.throws(() => renderHaproxyConfig(config, [config.listeners[0]!.id], { runDir: RUN_DIR }), {
      name: 'HaproxyConfigError',
      path,
    });
  });
}

t.test('refuses a run directory that is not a plain path', async (t) => {
  const config = amphora([listener()], [pool([member('m1', '10.209.1.11', 80)])]);
  t.throws(() => renderHaproxyConfig(config, ['l1'], { runDir: '/tmp/a b' }), HaproxyConfigError);
  t.throws(() => renderHaproxyConfig(config, ['l1'], { runDir: 'relative' }), HaproxyConfigError);
});

t.test('refuses an id that is not a listener of the config', async (t) => {
  const config = amphora([listener()], [pool([])]);
  t.throws(() => renderHaproxyConfig(config, ['l1', 'ghost'], { runDir: RUN_DIR }), {
    name: 'HaproxyConfigError',
    path: 'listenerIds[1]',
  });
});

const unsupported: [string, (c: ReturnType<typeof amphora>) => void][] = [
  ['a UDP listener', (c) => (c.listeners[0]!.protocol = 'UDP')],
  ['a UDP pool', (c) => (c.pools[0]!.protocol = 'UDP')],
  ['a UDP-CONNECT monitor', (c) => (c.pools[0]!.health_monitor = monitor('UDP-CONNECT'))],
  ['an SCTP monitor', (c) => (c.pools[0]!.health_monitor = monitor('SCTP'))],
];

for (const [what, mutate] of unsupported) {
  t.test(`${what}: HaproxyUnsupportedError`, async (t) => {
    const config = amphora([listener()], [pool([member('m1', '10.209.1.11', 80)])]);
    mutate(config);
    t.throws(() => renderHaproxyConfig(config, ['l1'], { runDir: RUN_DIR }), HaproxyUnsupportedError);
  });
}

t.test('cookie persistence has no effect on a TCP pool, as in Octavia', async (t) => {
  const config = amphora([listener()], [pool([member('m1', '10.209.1.11', 80)])]);
  config.pools[0]!.session_persistence = {
    type: 'HTTP_COOKIE',
    cookie_name: '',
    persistence_timeout: 0,
    persistence_granularity: '',
  };
  t.notMatch(renderHaproxyConfig(config, ['l1'], { runDir: RUN_DIR }), /stick|cookie/);
});
