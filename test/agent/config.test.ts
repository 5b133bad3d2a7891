// Loading configs: every bad input is a ConfigError naming the field, never a crash.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAmphoraConfig, parseAmphoraConfig } from '../../src/config/amphora-config.js';
import { loadBootstrap, parseBootstrap } from '../../src/config/bootstrap.js';
import { ConfigError } from '../../src/config/config-error.js';

const good = {
  version: '7',
  amphora_id: 'a1',
  loadbalancer_id: 'lb',
  interfaces: [
    { name: 'vip0', role: 'VIP', addresses: ['10.0.0.2/24'] },
    { name: 'mem0', role: 2, addresses: ['10.1.0.2/24'] },
  ],
  listeners: [
    {
      id: 'l1',
      vip_address: '10.0.0.100',
      protocol: 'TCP',
      protocol_port: 80,
      default_pool_id: 'p1',
      admin_state_up: true,
    },
  ],
  pools: [
    {
      id: 'p1',
      protocol: 'TCP',
      lb_algorithm: 'ROUND_ROBIN',
      admin_state_up: true,
      members: [{ id: 'm1', address: '10.1.0.11', protocol_port: 8080, weight: 1, admin_state_up: true }],
    },
  ],
  dataplane: { generic_xdp: true },
};

/** The path of the ConfigError `fn` throws, or what it threw instead. */
function errorPath(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof ConfigError ? err.path : `not a ConfigError: ${String(err)}`;
  }
  return 'nothing thrown';
}

function broken(patch: (c: typeof good & Record<string, unknown>) => void): string {
  const c = structuredClone(good) as typeof good & Record<string, unknown>;
  patch(c);
  return JSON.stringify(c);
}

t.test('a valid config reads with proto3 defaults filled in', async (t) => {
  const c = parseAmphoraConfig(JSON.stringify(good));
  t.equal(c.version, '7', 'uint64 as a decimal string, like proto-loader with longs: String');
  t.equal(c.interfaces[1]?.role, 'MEMBER', 'enum numbers map to names');
  t.equal(c.pools[0]?.members[0]?.backup, false);
  t.equal(c.listeners[0]?.connection_limit, 0);
  t.equal(c.heartbeat, null);
  t.equal(c.dataplane?.snat_port_min, 0);
  t.same(c.listeners[0]?.allowed_cidrs, []);
  t.equal(c.listeners[0]?.timeout_client_data, 0, 'unset timeouts read as 0: the agent applies the default');
  t.equal(c.pools[0]?.session_persistence, null, 'absent messages read as null, like proto-loader');
  t.equal(c.pools[0]?.health_monitor, null);
  t.equal(c.pools[0]?.members[0]?.monitor_port, 0);
});

t.test('the fields of issue 3 read: allowed_cidrs, timeouts, persistence, monitor', async (t) => {
  const c = parseAmphoraConfig(
    broken((c) => {
      Object.assign(c.listeners[0]!, {
        allowed_cidrs: ['192.0.2.0/24', 'fd00:201::/32'],
        timeout_client_data: 1000,
        timeout_member_connect: 2000,
        timeout_member_data: 3000,
        timeout_tcp_inspect: 4,
      });
      Object.assign(c.pools[0]!, {
        session_persistence: { type: 'SOURCE_IP', persistence_granularity: '255.255.255.255' },
        health_monitor: {
          type: 'HTTP',
          delay: 2,
          timeout: 1,
          max_retries: 2,
          url_path: '/ok',
          admin_state_up: true,
        },
      });
      Object.assign(c.pools[0]!.members[0]!, { monitor_address: '10.1.0.99', monitor_port: 9000 });
      c.dataplane = { tcp_closing_timeout_ms: 2000 } as never;
    }),
  );
  const l = c.listeners[0]!;
  t.same(
    [
      l.allowed_cidrs,
      l.timeout_client_data,
      l.timeout_member_connect,
      l.timeout_member_data,
      l.timeout_tcp_inspect,
    ],
    [['192.0.2.0/24', 'fd00:201::/32'], 1000, 2000, 3000, 4],
  );
  t.equal(c.pools[0]?.session_persistence?.type, 'SOURCE_IP');
  t.equal(c.pools[0]?.session_persistence?.cookie_name, '');
  t.equal(c.pools[0]?.health_monitor?.url_path, '/ok');
  t.equal(c.pools[0]?.health_monitor?.http_method, '', 'defaults are left to the checker (GET)');
  t.same(
    [c.pools[0]?.members[0]?.monitor_address, c.pools[0]?.members[0]?.monitor_port],
    ['10.1.0.99', 9000],
  );
  t.equal(c.dataplane?.tcp_closing_timeout_ms, 2000);
});

const cases: [string, (c: typeof good & Record<string, unknown>) => void, string][] = [
  ['unknown field', (c) => (c.extra = 1), 'extra'],
  [
    'camelCase field',
    (c) => ((c.listeners[0] as Record<string, unknown>).protocolPort = 80),
    'listeners[0].protocolPort',
  ],
  [
    'wrong type',
    (c) => ((c.pools[0] as Record<string, unknown>).admin_state_up = 'yes'),
    'pools[0].admin_state_up',
  ],
  ['version 0', (c) => (c.version = '0'), 'version'],
  [
    'negative uint32',
    (c) => (c.pools[0]!.members[0]!.protocol_port = -1),
    'pools[0].members[0].protocol_port',
  ],
  ['bad member address', (c) => (c.pools[0]!.members[0]!.address = '10.1.0'), 'pools[0].members[0].address'],
  ['bad CIDR', (c) => (c.interfaces[0]!.addresses = ['10.0.0.2']), 'interfaces[0].addresses[0]'],
  ['bad role', (c) => (c.interfaces[0]!.role = 'BOTH'), 'interfaces[0].role'],
  ['interface name too long', (c) => (c.interfaces[0]!.name = 'a-very-long-name0'), 'interfaces[0].name'],
  ['dangling pool', (c) => (c.listeners[0]!.default_pool_id = 'nope'), 'listeners[0].default_pool_id'],
  [
    'duplicate member',
    (c) => c.pools[0]!.members.push({ ...c.pools[0]!.members[0]! }),
    'pools[0].members[1].id',
  ],
  ['port 0', (c) => (c.listeners[0]!.protocol_port = 0), 'listeners[0].protocol_port'],
  ['weight above 256', (c) => (c.pools[0]!.members[0]!.weight = 257), 'pools[0].members[0].weight'],
  [
    'bad allowed_cidr',
    (c) => ((c.listeners[0] as Record<string, unknown>).allowed_cidrs = ['10.0.0.0/8', '10.1.0.0/33']),
    'listeners[0].allowed_cidrs[1]',
  ],
  [
    'allowed_cidr without a prefix',
    (c) => ((c.listeners[0] as Record<string, unknown>).allowed_cidrs = ['fd00::1']),
    'listeners[0].allowed_cidrs[0]',
  ],
  ['unknown lb_algorithm', (c) => (c.pools[0]!.lb_algorithm = 'RANDOM'), 'pools[0].lb_algorithm'],
  [
    'unknown persistence type',
    (c) => ((c.pools[0] as Record<string, unknown>).session_persistence = { type: 'COOKIE' }),
    'pools[0].session_persistence.type',
  ],
  [
    'health monitor without a delay',
    (c) =>
      ((c.pools[0] as Record<string, unknown>).health_monitor = { type: 'TCP', timeout: 1, max_retries: 1 }),
    'pools[0].health_monitor.delay',
  ],
  [
    'bad monitor_address',
    (c) => ((c.pools[0]!.members[0] as Record<string, unknown>).monitor_address = 'host'),
    'pools[0].members[0].monitor_address',
  ],
  [
    'closing timeout above an hour',
    (c) => (c.dataplane = { tcp_closing_timeout_ms: 3_600_001 } as never),
    'dataplane.tcp_closing_timeout_ms',
  ],
  [
    'SNAT range inverted',
    (c) => (c.dataplane = { snat_port_min: 50000, snat_port_max: 40000 } as never),
    'dataplane.snat_port_min',
  ],
];

for (const [what, patch, path] of cases) {
  t.test(`refused: ${what}`, async (t) => {
    t.equal(
      errorPath(() => parseAmphoraConfig(broken(patch))),
      path,
    );
  });
}

t.test('not JSON, not an object, a missing file: ConfigError too', async (t) => {
  t.throws(() => parseAmphoraConfig('{'), ConfigError);
  t.throws(() => parseAmphoraConfig('[]'), ConfigError);
  await t.rejects(loadAmphoraConfig('/nonexistent/velox.json'), ConfigError);
});

t.test('bootstrap file: fields, defaults and errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vxa-boot-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bootstrap.json');
  writeFileSync(
    file,
    JSON.stringify({
      amphora_id: 'a1',
      grpc_listen: '10.201.0.5:9443',
      tls: { ca: '/x/ca.pem', cert: '/x/cert.pem', key: '/x/key.pem' },
      heartbeat: { target: '10.201.0.1:5555', interval_ms: 1000 },
    }),
  );
  const b = await loadBootstrap(file);
  t.equal(b.pin_root, '/sys/fs/bpf/velox/a1');
  t.equal(b.metrics_listen, '0.0.0.0:9100');
  t.same(b.heartbeat, { target: '10.201.0.1:5555', interval_ms: 1000 });
  t.equal(
    errorPath(() => parseBootstrap('{"grpc_listen":"x:1"}')),
    'amphora_id',
  );
  t.equal(
    errorPath(() => parseBootstrap('{"amphora_id":"a","grpc_listen":"x:1","tls":{"ca":"c"}}')),
    'tls.cert',
  );
  t.equal(
    errorPath(() => parseBootstrap('{"amphora_id":"a","grpc_listen":"x:1","tlz":{}}')),
    'tlz',
  );
});
