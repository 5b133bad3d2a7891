import t from 'tap';
import type { LoadBalancerGraph } from '../../../controller/db/worker-repo.js';
import type { ProvisioningStatus } from '../../../controller/db/schema.js';
import { buildAmphoraConfig, type AmphoraAddresses } from '../../../controller/worker/config-builder.js';
import { readAmphoraConfig } from '../../../src/config/proto-json.js';
import { validateAmphoraConfig } from '../../../src/config/validate.js';
import { common, listenerRow, loadBalancerRow, poolRow } from './graph-rows.js';

const listener = (id: string, port: number, pool: string | null, status?: ProvisioningStatus) =>
  listenerRow(id, 'TCP', port, pool, status);

const pool = (id: string, status?: ProvisioningStatus) => poolRow(id, 'TCP', status);

const member = (id: string, address: string, status?: ProvisioningStatus) => ({
  ...common(id, status),
  pool_id: 'x',
  address,
  protocol_port: 8080,
  subnet_id: null,
  weight: 1,
  backup: 0,
  monitor_address: null,
  monitor_port: null,
});

function graph(): LoadBalancerGraph {
  return {
    loadBalancer: loadBalancerRow(),
    listeners: [
      listener('l1', 80, 'p1'),
      listener('l2', 81, 'p2', 'PENDING_CREATE'),
      listener('l3', 82, null, 'PENDING_DELETE'),
      listener('l4', 83, 'p3'),
    ],
    pools: [
      {
        pool: pool('p1'),
        members: [
          member('m1', '172.29.2.20'),
          { ...member('m2', '172.29.2.21', 'PENDING_UPDATE'), enabled: 0, weight: 0, backup: 1 },
          member('m3', '172.29.2.22', 'PENDING_DELETE'),
        ],
      },
      { pool: { ...pool('p2', 'PENDING_CREATE'), enabled: 0 }, members: [] },
      { pool: pool('p3', 'PENDING_DELETE'), members: [member('m4', '172.29.2.23')] },
    ],
  };
}

const amp: AmphoraAddresses = {
  amphoraId: 'amp',
  vip: { address: '172.29.1.100', vrrpAddress: '172.29.1.10', prefix: 24 },
  memberNics: [{ name: 'mem0', address: '172.29.2.10', prefix: 24 }],
};
const opts = { version: 4, heartbeat: { target: '172.29.0.1:5555', interval_ms: 1000 } };

t.test('the whole graph becomes the amphora config, without objects being deleted', async (t) => {
  const c = buildAmphoraConfig(graph(), amp, opts);
  t.equal(c.version, 4);
  t.equal(c.amphora_id, 'amp');
  t.equal(c.loadbalancer_id, 'lb');
  t.same(c.heartbeat, opts.heartbeat);
  t.same(c.dataplane, {
    generic_xdp: false,
    snat_port_min: 10000,
    snat_port_max: 59999,
    tcp_closing_timeout_ms: 10000,
  });
  t.same(c.interfaces, [
    { name: 'vip0', role: 'VIP', addresses: ['172.29.1.10/24', '172.29.1.100/32'] },
    { name: 'mem0', role: 'MEMBER', addresses: ['172.29.2.10/24'] },
  ]);
  t.same(
    c.listeners!.map((l) => [l.id, l.protocol_port, l.default_pool_id, l.vip_address, l.admin_state_up]),
    [
      ['l1', 80, 'p1', '172.29.1.100', true],
      ['l2', 81, 'p2', '172.29.1.100', true],
      // Its pool is being deleted: the listener stays, without a pool.
      ['l4', 83, '', '172.29.1.100', true],
    ],
  );
  t.same(
    c.pools!.map((p) => p.id),
    ['p1', 'p2'],
  );
  t.equal(c.pools![1]!.admin_state_up, false);
  const m = { protocol_port: 8080, monitor_address: '', monitor_port: 0 };
  t.same(c.pools![0]!.members, [
    { id: 'm1', address: '172.29.2.20', weight: 1, admin_state_up: true, backup: false, ...m },
    { id: 'm2', address: '172.29.2.21', weight: 0, admin_state_up: false, backup: true, ...m },
  ]);
  t.equal(c.pools![0]!.session_persistence, null);
  t.equal(c.pools![0]!.health_monitor, null, 'no health monitor: members are NO_MONITOR');
});

t.test('listener settings reach the agent: allowed_cidrs, timeouts, connection limit', async (t) => {
  const g = graph();
  Object.assign(g.listeners[0]!, {
    protocol: 'HTTPS',
    connection_limit: 500,
    allowed_cidrs: JSON.stringify(['192.0.2.0/24', '2001:db8::/32']),
    timeout_client_data: 1000,
    timeout_member_connect: 2000,
    timeout_member_data: 3000,
    timeout_tcp_inspect: 40,
  });
  const l = buildAmphoraConfig(g, amp, opts).listeners![0]!;
  t.same(
    [l.protocol, l.connection_limit, l.allowed_cidrs],
    ['HTTPS', 500, ['192.0.2.0/24', '2001:db8::/32']],
  );
  t.same(
    [l.timeout_client_data, l.timeout_member_connect, l.timeout_member_data, l.timeout_tcp_inspect],
    [1000, 2000, 3000, 40],
  );
});

t.test('pools carry session persistence, their health monitor and member monitor addresses', async (t) => {
  const g = graph();
  const p1 = g.pools[0]!;
  p1.pool.session_persistence = JSON.stringify({
    type: 'APP_COOKIE',
    cookie_name: 'sid',
    persistence_timeout: null,
    persistence_granularity: null,
  });
  p1.members[0] = { ...p1.members[0]!, monitor_address: '172.29.2.99', monitor_port: 9000 };
  p1.healthMonitor = {
    ...common('hm1'),
    pool_id: 'p1',
    type: 'HTTP',
    delay: 5,
    timeout: 3,
    rise_threshold: 2,
    fall_threshold: 4,
    http_method: 'HEAD',
    url_path: '/health',
    expected_codes: '200-204',
    http_version: 1.1,
    domain_name: 'example.org',
    enabled: 0,
  };
  g.pools[1]!.pool.session_persistence = JSON.stringify({ type: 'SOURCE_IP' });
  g.pools[1]!.healthMonitor = {
    ...p1.healthMonitor,
    id: 'hm2',
    http_version: 1,
    provisioning_status: 'PENDING_DELETE',
  };
  const c = buildAmphoraConfig(g, amp, opts);
  t.same(c.pools![0]!.session_persistence, {
    type: 'APP_COOKIE',
    cookie_name: 'sid',
    persistence_timeout: 0,
    persistence_granularity: '',
  });
  t.same(c.pools![0]!.health_monitor, {
    id: 'hm1',
    type: 'HTTP',
    delay: 5,
    timeout: 3,
    max_retries: 2,
    max_retries_down: 4,
    http_method: 'HEAD',
    url_path: '/health',
    expected_codes: '200-204',
    domain_name: 'example.org',
    http_version: '1.1',
    admin_state_up: false,
  });
  t.same(
    [c.pools![0]!.members![0]!.monitor_address, c.pools![0]!.members![0]!.monitor_port],
    ['172.29.2.99', 9000],
  );
  t.equal(c.pools![1]!.session_persistence?.type, 'SOURCE_IP');
  t.equal(c.pools![1]!.health_monitor, null, 'a monitor being deleted is left out');
});

t.test('the built config is one the agent accepts', async (t) => {
  const g = graph();
  g.pools[0]!.healthMonitor = {
    ...common('hm1'),
    pool_id: 'p1',
    type: 'TCP',
    delay: 5,
    timeout: 3,
    rise_threshold: 2,
    fall_threshold: 3,
    http_method: null,
    url_path: null,
    expected_codes: null,
    http_version: null,
    domain_name: null,
  };
  g.listeners[0]!.allowed_cidrs = JSON.stringify(['10.0.0.0/8']);
  const json = JSON.parse(JSON.stringify(buildAmphoraConfig(g, amp, opts))) as unknown;
  t.doesNotThrow(() => validateAmphoraConfig(readAmphoraConfig(json)));
});

t.test('an IPv6 VIP is a /128 on vip0', async (t) => {
  const g = graph();
  g.loadBalancer.vip_address = 'fd00:29:1::100';
  const c = buildAmphoraConfig(
    g,
    { ...amp, vip: { address: 'fd00:29:1::100', vrrpAddress: 'fd00:29:1::10', prefix: 64 } },
    opts,
  );
  t.same(c.interfaces![0]!.addresses, ['fd00:29:1::10/64', 'fd00:29:1::100/128']);
  t.ok(c.listeners!.every((l) => l.vip_address === 'fd00:29:1::100'));
});

t.test('a disabled load balancer disables its listeners', async (t) => {
  const g = graph();
  g.loadBalancer.enabled = 0;
  const c = buildAmphoraConfig(g, amp, opts);
  t.ok(c.listeners!.every((l) => l.admin_state_up === false));
});

t.test('no member networks: only the VIP interface', async (t) => {
  const c = buildAmphoraConfig(graph(), { ...amp, memberNics: [] }, opts);
  t.same(
    c.interfaces!.map((i) => i.name),
    ['vip0'],
  );
});
