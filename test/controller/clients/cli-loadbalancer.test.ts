// `openstack loadbalancer` create/list/show/set/unset/stats/status/failover/delete.
import t from 'tap';
import { amphoraWithStats, clientHarness, missingClient } from './client-harness.js';

t.test('load balancer: the full cycle through the CLI', async (t) => {
  const missing = missingClient();
  if (missing) return void t.fail(missing);
  const { h, os, json } = await clientHarness(t);

  const lb = await json(
    'loadbalancer',
    'create',
    '--name',
    'lb1',
    '--description',
    'first',
    '--vip-subnet-id',
    'public-subnet',
    '--tag',
    'blue',
    '--tag',
    'green',
  );
  t.match(lb, {
    name: 'lb1',
    description: 'first',
    provisioning_status: 'PENDING_CREATE',
    provider: 'amphora',
  });
  t.same([...String(lb.tags).split(/[\s,]+/)].sort(), ['blue', 'green'], 'tags as created');
  const lbId = lb.id as string;
  await t.rejects(
    os('loadbalancer', 'set', '--name', 'x', 'lb1'),
    /PENDING_CREATE/,
    'immutable while pending',
  );
  await h.activate(lbId);

  t.match(await json('loadbalancer', 'list'), [{ id: lbId, name: 'lb1', provisioning_status: 'ACTIVE' }]);
  t.same(await json('loadbalancer', 'list', '--name', 'nope'), [], 'filter by name');
  t.match(await json('loadbalancer', 'list', '--tags', 'blue'), [{ id: lbId }], 'filter by tag');

  await os(
    'loadbalancer',
    'set',
    '--name',
    'lb2',
    '--description',
    'second',
    '--disable',
    '--tag',
    'red',
    'lb1',
  );
  t.match(await json('loadbalancer', 'show', lbId), {
    name: 'lb2',
    description: 'second',
    admin_state_up: false,
    provisioning_status: 'PENDING_UPDATE',
  });
  await h.activate(lbId);
  await os('loadbalancer', 'unset', '--name', '--description', '--all-tag', 'lb2');
  const unset = await json('loadbalancer', 'show', lbId);
  t.match(unset, { name: '', description: '' }, 'unset name/description: back to empty');
  t.same(unset.tags, '', 'unset --all-tag: no tags');
  await h.activate(lbId);
  await os('loadbalancer', 'set', '--enable', lbId);
  t.match(await json('loadbalancer', 'show', lbId), { admin_state_up: true });
  await h.activate(lbId);

  // Stats and the status tree: zeros before anything reported, the heartbeat's counters after.
  t.same(await json('loadbalancer', 'stats', 'show', lbId), {
    active_connections: 0,
    bytes_in: 0,
    bytes_out: 0,
    request_errors: 0,
    total_connections: 0,
  });
  const listener = await json(
    'loadbalancer',
    'listener',
    'create',
    '--protocol',
    'TCP',
    '--protocol-port',
    '80',
    lbId,
  );
  await h.activate(lbId);
  await amphoraWithStats(h, 'amp-1', lbId, listener.id, {
    bytes_in: 10,
    bytes_out: 20,
    active_connections: 3,
    total_connections: 4,
  });
  t.match(await json('loadbalancer', 'stats', 'show', lbId), {
    bytes_in: 10,
    bytes_out: 20,
    active_connections: 3,
    total_connections: 4,
  });
  // `status show` always prints JSON.
  t.match(JSON.parse(await os('loadbalancer', 'status', 'show', lbId)), {
    loadbalancer: {
      id: lbId,
      provisioning_status: 'ACTIVE',
      listeners: [{ id: listener.id, operating_status: 'ONLINE', pools: [] }],
    },
  });

  await os('loadbalancer', 'failover', lbId);
  t.match(
    await json('loadbalancer', 'show', lbId),
    { provisioning_status: 'PENDING_UPDATE' },
    'failover accepted',
  );
  await t.rejects(
    os('loadbalancer', 'failover', lbId),
    /immutable|Invalid state/,
    'failover while pending: 409',
  );
  await h.activate(lbId);

  await t.rejects(os('loadbalancer', 'delete', lbId), /has children/, 'children need --cascade');
  await os('loadbalancer', 'delete', '--cascade', lbId);
  t.match(await json('loadbalancer', 'show', lbId), { provisioning_status: 'PENDING_DELETE' });
  await t.rejects(os('loadbalancer', 'show', 'no-such-lb'), /Unable to locate no-such-lb/, 'unknown name');
});
