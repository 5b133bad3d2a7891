// openstacksdk (Debian python3-openstacksdk) drives sdk_lb_cycle.py: a whole load
// balancer graph created, read, updated, reset and deleted; the values it reports
// are checked here.
import t from 'tap';
import { PRIVATE_SUBNET, PUBLIC_SUBNET, subnetId } from '../api/helpers.js';
import { clientHarness, missingClient } from './client-harness.js';

t.test('openstacksdk: load balancer graph cycle', async (t) => {
  const missing = missingClient();
  if (missing) return void t.fail(missing);
  const { h, sdk } = await clientHarness(t);
  const publicSubnet = subnetId(h, PUBLIC_SUBNET);
  const privateSubnet = subnetId(h, PRIVATE_SUBNET);
  const r = await sdk('sdk_lb_cycle', publicSubnet, privateSubnet);

  t.match(r['lb.create'], {
    name: 'lb1',
    description: 'd',
    vip_subnet_id: publicSubnet,
    provisioning_status: 'PENDING_CREATE',
    tags: ['a'],
  });
  t.match(r['lb.list'], [{ name: 'lb1', provisioning_status: 'ACTIVE' }]);
  t.match(r['lb.update'], { name: 'lb2', is_admin_state_up: false, provisioning_status: 'PENDING_UPDATE' });
  t.match(r['lb.unset'], { name: 'lb2', description: '', is_admin_state_up: true });
  t.match(r['lb.find'], { name: 'lb2' });

  t.match(r['listener.create'], { name: 'l1', protocol: 'HTTP', protocol_port: 80, connection_limit: 10 });
  t.match(r['listener.unset'], { connection_limit: -1, timeout_client_data: 50000, description: 'x' });
  t.match(r['listener.stats'], { bytes_in: 0, bytes_out: 0, active_connections: 0, total_connections: 0 });

  t.match(r['pool.create'], { name: 'p1', protocol: 'HTTP', session_persistence: { type: 'HTTP_COOKIE' } });
  t.match(r['pool.unset'], { lb_algorithm: 'SOURCE_IP', session_persistence: null });
  t.match(r['pool.list'], [{ name: 'p1' }]);

  t.match(r['member.create'], { name: 'm1', address: '172.30.2.20', weight: 3, subnet_id: privateSubnet });
  t.match(r['member.unset'], { name: '', weight: 1, backup: true });
  t.equal(r['member.batch.status'], 202, 'batch update accepted');
  t.same(
    r['member.list'],
    [
      ['172.30.2.21', 1],
      ['172.30.2.22', 4],
    ],
    'the batch replaced the members',
  );

  t.match(r['hm.create'], { type: 'HTTP', delay: 5, timeout: 3, max_retries: 2, url_path: '/health' });
  t.match(r['hm.unset'], { url_path: '/', expected_codes: '200-204', max_retries_down: 3 });

  t.match(r['l7policy.create'], {
    action: 'REDIRECT_TO_URL',
    redirect_url: 'https://example.com/',
    position: 1,
  });
  t.match(r['l7policy.update'], { action: 'REDIRECT_TO_POOL', redirect_url: null, name: '' });
  t.match(r['l7rule.create'], {
    type: 'PATH',
    compare_type: 'STARTS_WITH',
    rule_value: '/api',
    invert: true,
  });
  t.match(r['l7rule.update'], { rule_value: '/v2', compare_type: 'CONTAINS', invert: false });
  t.equal(r['l7rule.list'].length, 1);

  t.match(r['lb.stats'], { bytes_in: 0, total_connections: 0 });
  t.match(r['lb.status'], {
    statuses: { loadbalancer: { name: 'lb2', listeners: [{ name: 'l1', pools: [{ name: 'p1' }] }] } },
  });
  t.equal(r['lb.failover'], 'PENDING_UPDATE', 'failover accepted');
  t.equal(r['lb.failover.again'].status, 409, 'failover while pending: 409');
  t.same(r['lb.children.empty'], { listeners: 0, pools: 0, healthmonitors: 0, l7policies: 0 });
  t.equal(r['listener.filtered'], true, 'listeners(load_balancer_id=…) finds the listener');
  t.equal(r['lb.delete'], 'PENDING_DELETE');
});
