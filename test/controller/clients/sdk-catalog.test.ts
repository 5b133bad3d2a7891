// openstacksdk drives sdk_catalog.py: quotas, providers, flavor and availability
// zone profiles, flavors and zones, amphorae; the values it reports are checked here.
import t from 'tap';
import { amphoraWithStats, clientHarness, missingClient } from './client-harness.js';

const AMP = '0a1b2c3d-0000-4000-8000-0000000000b1';

t.test('openstacksdk: quotas, providers, flavors, availability zones, amphorae', async (t) => {
  const missing = missingClient();
  if (missing) return void t.fail(missing);
  const { h, sdk, json } = await clientHarness(t);
  const lbId = (await json('loadbalancer', 'create', '--vip-subnet-id', 'public-subnet')).id as string;
  await h.activate(lbId);
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
  await amphoraWithStats(h, AMP, lbId, listener.id, {
    bytes_in: 7,
    bytes_out: 8,
    active_connections: 0,
    total_connections: 2,
  });

  const r = await sdk('sdk_catalog', AMP);

  const defaults = r['quota.defaults'];
  t.match(defaults, { load_balancers: Number, members: Number });
  // Octavia's quota GET has no project_id in its body, so the SDK's is null.
  t.match(r['quota.set'], { load_balancers: 3, members: 30 });
  t.match(r['quota.list'], [{ project_id: 'demo', load_balancers: 3 }]);
  t.match(r['quota.unset'], { load_balancers: 3, members: defaults.members }, 'unset one: its default');
  t.match(r['quota.reset'], { load_balancers: defaults.load_balancers, members: defaults.members }, 'reset');

  t.match(r['providers'][0], { name: 'amphora' }, 'the default provider first');
  t.match(r['capabilities.flavor'], [{ name: 'loadbalancer_topology' }, { name: 'compute_flavor' }]);
  t.match(r['capabilities.az'], { availability_zone_capabilities: [{ name: 'compute_zone' }] });

  t.match(r['flavorprofile.create'], { name: 'fp', provider_name: 'velox' });
  t.match(r['flavorprofile.update'], { name: 'fp2' });
  t.match(
    r['flavorprofile.bad'],
    { status: 501, message: /nope/ },
    "flavor data checked against the provider (Octavia's UnsupportedOptionError)",
  );
  t.match(r['flavor.create'], { name: 'f', is_enabled: false, description: 'd' });
  t.match(r['flavor.update'], { name: 'f2', is_enabled: true, description: '' });
  t.match(r['flavor.list'], [{ name: 'f2' }]);
  t.match(r['flavorprofile.inuse'], { status: 409 }, 'a profile in use is not deleted');
  t.same(r['flavor.gone'], { flavors: 0, profiles: 0 });

  t.match(r['azprofile.create'], { name: 'azp', availability_zone_data: '{"compute_zone": "a"}' });
  t.match(r['azprofile.update'], { availability_zone_data: '{"compute_zone": "b"}' });
  t.match(r['az.create'], { name: 'az1', description: 'd', is_enabled: true });
  t.match(r['az.update'], { name: 'az1', description: '', is_enabled: false });
  t.match(r['az.list'], [{ name: 'az1' }]);
  t.same(r['az.gone'], { zones: 0, profiles: 0 });

  t.match(r['amphora.list'], [{ id: AMP, loadbalancer_id: lbId, status: 'ALLOCATED' }]);
  t.match(r['amphora.get'], { id: AMP, role: 'STANDALONE' });
  t.match(r['amphora.stats'], {
    amphora_stats: [{ id: AMP, listener_id: listener.id, bytes_in: 7, bytes_out: 8, total_connections: 2 }],
  });
  t.equal(r['amphora.failover'], 'PENDING_UPDATE', 'amphora failover accepted');
  t.match(r['amphora.failover.again'], { status: 409 });
  const jobs = await h.db.selectFrom('job').select('kind').where('load_balancer_id', '=', lbId).execute();
  t.ok(
    jobs.some((j) => j.kind === 'amphora_config'),
    'configure queued an amphora_config job',
  );
});
