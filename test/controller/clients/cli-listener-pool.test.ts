// `openstack loadbalancer listener|pool|member|healthmonitor` create/list/show/set/unset/delete,
// listener stats, and `unset` putting every field back to Octavia's default.
import t from 'tap';
import { amphoraWithStats, clientHarness, missingClient } from './client-harness.js';

t.test('listener, pool, member and health monitor: the full cycle through the CLI', async (t) => {
  const missing = missingClient();
  if (missing) return void t.fail(missing);
  const { h, os, json } = await clientHarness(t);
  const lb = await json('loadbalancer', 'create', '--name', 'lb', '--vip-subnet-id', 'public-subnet');
  const lbId = lb.id as string;
  await h.activate(lbId);

  // Listener.
  const listener = await json(
    'loadbalancer',
    'listener',
    'create',
    '--name',
    'l1',
    '--protocol',
    'TCP',
    '--protocol-port',
    '443',
    '--timeout-client-data',
    '1000',
    '--allowed-cidr',
    '10.0.0.0/8',
    lbId,
  );
  t.match(listener, {
    name: 'l1',
    protocol: 'TCP',
    protocol_port: 443,
    timeout_client_data: 1000,
    loadbalancers: new RegExp(lbId),
  });
  const listenerId = listener.id as string;
  await h.activate(lbId);
  t.match(await json('loadbalancer', 'listener', 'list', '--loadbalancer', lbId), [
    { id: listenerId, name: 'l1' },
  ]);
  await os(
    'loadbalancer',
    'listener',
    'set',
    '--name',
    'l2',
    '--description',
    'd',
    '--timeout-member-connect',
    '700',
    '--timeout-tcp-inspect',
    '9',
    '--timeout-member-data',
    '800',
    'l1',
  );
  t.match(await json('loadbalancer', 'listener', 'show', listenerId), {
    name: 'l2',
    description: 'd',
    timeout_member_connect: 700,
    timeout_tcp_inspect: 9,
    timeout_member_data: 800,
    provisioning_status: 'PENDING_UPDATE',
  });
  await h.activate(lbId);
  await os(
    'loadbalancer',
    'listener',
    'unset',
    '--name',
    '--description',
    '--connection-limit',
    '--timeout-client-data',
    '--timeout-member-connect',
    '--timeout-tcp-inspect',
    '--timeout-member-data',
    '--allowed-cidrs',
    listenerId,
  );
  t.match(
    await json('loadbalancer', 'listener', 'show', listenerId),
    {
      name: '',
      description: '',
      connection_limit: -1,
      timeout_client_data: 50000,
      timeout_member_connect: 5000,
      timeout_member_data: 50000,
      timeout_tcp_inspect: 0,
      allowed_cidrs: null,
    },
    'listener unset: Octavia defaults',
  );
  await h.activate(lbId);
  t.same(
    await json('loadbalancer', 'listener', 'stats', 'show', listenerId),
    { active_connections: 0, bytes_in: 0, bytes_out: 0, request_errors: 0, total_connections: 0 },
    'listener stats before any heartbeat',
  );
  await amphoraWithStats(h, 'amp-1', lbId, listenerId, {
    bytes_in: 1,
    bytes_out: 2,
    active_connections: 3,
    total_connections: 4,
  });
  t.match(await json('loadbalancer', 'listener', 'stats', 'show', listenerId), {
    bytes_in: 1,
    bytes_out: 2,
    active_connections: 3,
    total_connections: 4,
  });

  // Pool.
  const pool = await json(
    'loadbalancer',
    'pool',
    'create',
    '--name',
    'p1',
    '--protocol',
    'TCP',
    '--lb-algorithm',
    'ROUND_ROBIN',
    '--session-persistence',
    'type=SOURCE_IP',
    '--listener',
    listenerId,
  );
  t.match(pool, {
    name: 'p1',
    protocol: 'TCP',
    lb_algorithm: 'ROUND_ROBIN',
    session_persistence: /SOURCE_IP/,
  });
  const poolId = pool.id as string;
  await h.activate(lbId);
  t.match(await json('loadbalancer', 'listener', 'show', listenerId), { default_pool_id: poolId });
  t.match(await json('loadbalancer', 'pool', 'list', '--loadbalancer', lbId), [{ id: poolId, name: 'p1' }]);
  await os('loadbalancer', 'pool', 'set', '--lb-algorithm', 'LEAST_CONNECTIONS', '--description', 'x', 'p1');
  t.match(await json('loadbalancer', 'pool', 'show', poolId), {
    lb_algorithm: 'LEAST_CONNECTIONS',
    description: 'x',
    provisioning_status: 'PENDING_UPDATE',
  });
  await h.activate(lbId);
  await os('loadbalancer', 'pool', 'unset', '--name', '--description', '--session-persistence', poolId);
  t.match(
    await json('loadbalancer', 'pool', 'show', poolId),
    { name: '', description: '', session_persistence: null },
    'pool unset: defaults',
  );
  await h.activate(lbId);

  // Member.
  const member = await json(
    'loadbalancer',
    'member',
    'create',
    '--name',
    'm1',
    '--subnet-id',
    'private-subnet',
    '--address',
    '172.30.2.20',
    '--protocol-port',
    '8080',
    '--weight',
    '5',
    '--monitor-port',
    '9000',
    '--enable-backup',
    poolId,
  );
  t.match(member, { name: 'm1', address: '172.30.2.20', protocol_port: 8080, weight: 5, backup: true });
  const memberId = member.id as string;
  await h.activate(lbId);
  t.match(await json('loadbalancer', 'member', 'list', poolId), [{ id: memberId, name: 'm1', weight: 5 }]);
  await os(
    'loadbalancer',
    'member',
    'set',
    '--weight',
    '7',
    '--monitor-address',
    '172.30.2.99',
    poolId,
    'm1',
  );
  t.match(await json('loadbalancer', 'member', 'show', poolId, memberId), {
    weight: 7,
    monitor_address: '172.30.2.99',
    provisioning_status: 'PENDING_UPDATE',
  });
  await h.activate(lbId);
  await os(
    'loadbalancer',
    'member',
    'unset',
    '--name',
    '--weight',
    '--backup',
    '--monitor-address',
    '--monitor-port',
    poolId,
    memberId,
  );
  t.match(
    await json('loadbalancer', 'member', 'show', poolId, memberId),
    { name: '', weight: 1, backup: false, monitor_address: null, monitor_port: null },
    'member unset: defaults',
  );
  await h.activate(lbId);

  // Health monitor.
  const hm = await json(
    'loadbalancer',
    'healthmonitor',
    'create',
    '--name',
    'hm1',
    '--type',
    'TCP',
    '--delay',
    '5',
    '--timeout',
    '3',
    '--max-retries',
    '2',
    '--max-retries-down',
    '4',
    poolId,
  );
  t.match(hm, { name: 'hm1', type: 'TCP', delay: 5, timeout: 3, max_retries: 2, max_retries_down: 4 });
  const hmId = hm.id as string;
  await h.activate(lbId);
  t.match(await json('loadbalancer', 'pool', 'show', poolId), { healthmonitor_id: hmId });
  t.match(await json('loadbalancer', 'healthmonitor', 'list'), [{ id: hmId, name: 'hm1' }]);
  await os(
    'loadbalancer',
    'healthmonitor',
    'set',
    '--delay',
    '10',
    '--max-retries-down',
    '6',
    '--disable',
    'hm1',
  );
  t.match(await json('loadbalancer', 'healthmonitor', 'show', hmId), {
    delay: 10,
    max_retries_down: 6,
    admin_state_up: false,
    provisioning_status: 'PENDING_UPDATE',
  });
  await h.activate(lbId);
  await os('loadbalancer', 'healthmonitor', 'unset', '--name', '--max-retries-down', hmId);
  t.match(
    await json('loadbalancer', 'healthmonitor', 'show', hmId),
    { name: '', max_retries_down: 3 },
    'health monitor unset: defaults',
  );
  await h.activate(lbId);

  // Delete children first, bottom up, each one through the status gate.
  await os('loadbalancer', 'healthmonitor', 'delete', hmId);
  await t.rejects(os('loadbalancer', 'member', 'delete', poolId, memberId), /immutable|PENDING_UPDATE/);
  await h.activate(lbId);
  t.same(await json('loadbalancer', 'healthmonitor', 'list'), [], 'health monitor gone');
  await os('loadbalancer', 'member', 'delete', poolId, memberId);
  await h.activate(lbId);
  t.same(await json('loadbalancer', 'member', 'list', poolId), [], 'member gone');
  await os('loadbalancer', 'pool', 'delete', poolId);
  await h.activate(lbId);
  t.same(await json('loadbalancer', 'pool', 'list'), [], 'pool gone');
  await os('loadbalancer', 'listener', 'delete', listenerId);
  await h.activate(lbId);
  t.same(await json('loadbalancer', 'listener', 'list'), [], 'listener gone');
  await os('loadbalancer', 'delete', lbId);
  t.match(await json('loadbalancer', 'show', lbId), { provisioning_status: 'PENDING_DELETE' });
});

// octaviaclient sends `listener create/set --connection-limit` as a JSON string ("100");
// Octavia's WSME turns integer strings into integers, and so do we (integer-strings.ts).

t.test('listener --connection-limit through the CLI', async (t) => {
  const missing = missingClient();
  if (missing) return void t.fail(missing);
  const { h, os, json } = await clientHarness(t);
  const lbId = (await json('loadbalancer', 'create', '--vip-subnet-id', 'public-subnet')).id as string;
  await h.activate(lbId);
  const create = ['loadbalancer', 'listener', 'create', '--protocol', 'TCP', '--protocol-port', '80'];
  const l = await json(...create, '--connection-limit', '100', lbId).catch((e: Error) => ({
    error: e.message,
  }));
  t.match(l, { connection_limit: 100 }, 'create --connection-limit 100');
  const plain = 'id' in l ? l : await json(...create, lbId);
  await h.activate(lbId);
  const set = await os('loadbalancer', 'listener', 'set', '--connection-limit', '200', plain.id).catch(
    (e: Error) => e.message,
  );
  t.equal(set, '', 'set --connection-limit 200');
  await h.activate(lbId);
  t.match(
    await json('loadbalancer', 'listener', 'show', plain.id),
    { connection_limit: 200 },
    'connection limit changed',
  );
});
