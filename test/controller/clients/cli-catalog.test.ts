// `openstack loadbalancer quota|provider|flavorprofile|flavor|availabilityzoneprofile|
// availabilityzone` through the CLI: the operator's catalogue and the project limits.
import t from 'tap';
import { clientHarness, missingClient } from './client-harness.js';

const QUOTA_KEYS = ['load_balancer', 'listener', 'pool', 'member', 'health_monitor', 'l7policy', 'l7rule'];

t.test('quota show/set/unset/reset/defaults/list', async (t) => {
  const missing = missingClient();
  if (missing) return void t.fail(missing);
  const { os, json } = await clientHarness(t);
  const defaults = await json('loadbalancer', 'quota', 'defaults', 'show');
  t.same(Object.keys(defaults).sort(), [...QUOTA_KEYS].sort(), 'every quota, nothing else');
  t.same(await json('loadbalancer', 'quota', 'show', 'demo'), defaults, 'an unset project has the defaults');

  const set = await json(
    'loadbalancer',
    'quota',
    'set',
    '--loadbalancer',
    '5',
    '--member',
    '50',
    '--l7rule',
    '0',
    'demo',
  );
  t.match(set, { load_balancer: 5, member: 50, l7rule: 0 });
  t.match(await json('loadbalancer', 'quota', 'show', 'demo'), { load_balancer: 5, member: 50, l7rule: 0 });
  t.match(await json('loadbalancer', 'quota', 'list'), [
    { project_id: 'demo', load_balancer: 5, member: 50 },
  ]);

  await os('loadbalancer', 'quota', 'unset', '--member', 'demo');
  t.match(
    await json('loadbalancer', 'quota', 'show', 'demo'),
    { load_balancer: 5, member: defaults.member },
    'unset one quota: back to its default, others kept',
  );
  await os('loadbalancer', 'quota', 'reset', 'demo');
  t.same(await json('loadbalancer', 'quota', 'show', 'demo'), defaults, 'reset: all defaults');
  await t.rejects(
    os('loadbalancer', 'quota', 'set', '--loadbalancer', '-5', 'demo'),
    /-5|invalid|less than/i,
    'a quota below -1 is refused',
  );
});

t.test('providers and their capabilities', async (t) => {
  const missing = missingClient();
  if (missing) return void t.fail(missing);
  const { os, json } = await clientHarness(t);
  const providers = await json('loadbalancer', 'provider', 'list');
  t.match(providers[0], { name: 'amphora', description: /amphora/ }, 'the default provider first');
  t.same(
    providers.map((p: { name: string }) => p.name),
    ['amphora', 'octavia', 'velox'],
    'its aliases after it',
  );
  t.same(
    (await json('loadbalancer', 'provider', 'capability', 'list', '--flavor', 'amphora')).map(
      (c: { type: string; name: string }) => `${c.type}:${c.name}`,
    ),
    ['loadbalancer_topology', 'compute_flavor', 'amp_image_tag', 'sriov_vip', 'allow_member_sriov'].map(
      (n) => `flavor:${n}`,
    ),
  );
  t.same(
    (await json('loadbalancer', 'provider', 'capability', 'list', '--availability-zone', 'velox')).map(
      (c: { type: string; name: string }) => `${c.type}:${c.name}`,
    ),
    ['compute_zone', 'volume_zone', 'management_network', 'valid_vip_networks'].map(
      (n) => `availability_zone:${n}`,
    ),
  );
  const both = await json('loadbalancer', 'provider', 'capability', 'list', 'amphora');
  t.equal(both.length, 9, 'flavor and zone capabilities together');
  await t.rejects(
    os('loadbalancer', 'provider', 'capability', 'list', 'nope'),
    /not enabled|nope/,
    'unknown provider',
  );
});

t.test('flavor profiles and flavors', async (t) => {
  const missing = missingClient();
  if (missing) return void t.fail(missing);
  const { h, os, json } = await clientHarness(t);
  const fp = await json(
    'loadbalancer',
    'flavorprofile',
    'create',
    '--name',
    'single',
    '--provider',
    'velox',
    '--flavor-data',
    '{"loadbalancer_topology": "SINGLE"}',
  );
  t.match(fp, { name: 'single', provider_name: 'velox', flavor_data: '{"loadbalancer_topology": "SINGLE"}' });
  t.match(await json('loadbalancer', 'flavorprofile', 'list'), [{ id: fp.id, name: 'single' }]);
  await os('loadbalancer', 'flavorprofile', 'set', '--name', 'single-amp', 'single');
  t.match(await json('loadbalancer', 'flavorprofile', 'show', fp.id), { name: 'single-amp' });
  await t.rejects(
    os('loadbalancer', 'flavorprofile', 'set', '--flavor-data', '{"loadbalancer_topology": "RING"}', fp.id),
    /RING/,
    'flavor data checked against the provider',
  );

  const flavor = await json(
    'loadbalancer',
    'flavor',
    'create',
    '--name',
    'small',
    '--flavorprofile',
    'single-amp',
    '--description',
    'one amphora',
    '--disable',
  );
  t.match(flavor, { name: 'small', flavor_profile_id: fp.id, description: 'one amphora', enabled: false });
  await t.rejects(
    os('loadbalancer', 'create', '--vip-subnet-id', 'public-subnet', '--flavor', 'small'),
    /disabled|not enabled|small|flavor/i,
    'a disabled flavor is refused at load balancer create',
  );
  await os('loadbalancer', 'flavor', 'set', '--name', 'tiny', '--enable', 'small');
  t.match(await json('loadbalancer', 'flavor', 'show', flavor.id), { name: 'tiny', enabled: true });
  await os('loadbalancer', 'flavor', 'unset', '--description', 'tiny');
  t.match(await json('loadbalancer', 'flavor', 'show', 'tiny'), { description: '' }, 'unset description');
  const lb = await json('loadbalancer', 'create', '--vip-subnet-id', 'public-subnet', '--flavor', 'tiny');
  t.match(lb, { flavor_id: flavor.id });
  await t.rejects(os('loadbalancer', 'flavorprofile', 'delete', fp.id), /in use/i, 'profile in use');
  await t.rejects(os('loadbalancer', 'flavor', 'delete', 'tiny'), /in use/i, 'flavor in use');
  await h.activate(lb.id);
  await os('loadbalancer', 'delete', lb.id);
  await h.db.deleteFrom('load_balancer').where('id', '=', lb.id).execute(); // what the worker does once it is gone
  await os('loadbalancer', 'flavor', 'delete', 'tiny');
  t.same(await json('loadbalancer', 'flavor', 'list'), [], 'flavor gone');
  await os('loadbalancer', 'flavorprofile', 'delete', fp.id);
  t.same(await json('loadbalancer', 'flavorprofile', 'list'), [], 'profile gone');
});

t.test('availability zone profiles and availability zones', async (t) => {
  const missing = missingClient();
  if (missing) return void t.fail(missing);
  const { os, json } = await clientHarness(t);
  const azp = await json(
    'loadbalancer',
    'availabilityzoneprofile',
    'create',
    '--name',
    'zone-a',
    '--provider',
    'velox',
    '--availability-zone-data',
    '{"compute_zone": "a"}',
  );
  t.match(azp, { name: 'zone-a', provider_name: 'velox', availability_zone_data: '{"compute_zone": "a"}' });
  t.match(await json('loadbalancer', 'availabilityzoneprofile', 'list'), [{ id: azp.id }]);
  // octaviaclient 3.1 drops `set --availabilityzone-data` (it maps a misspelt attribute):
  // the SDK test changes the data.
  await os('loadbalancer', 'availabilityzoneprofile', 'set', '--name', 'zone-b', azp.id);
  t.match(await json('loadbalancer', 'availabilityzoneprofile', 'show', 'zone-b'), {
    name: 'zone-b',
    availability_zone_data: '{"compute_zone": "a"}',
  });

  const az = await json(
    'loadbalancer',
    'availabilityzone',
    'create',
    '--name',
    'az1',
    '--availabilityzoneprofile',
    'zone-b',
    '--description',
    'first zone',
  );
  t.match(az, {
    name: 'az1',
    availability_zone_profile_id: azp.id,
    description: 'first zone',
    enabled: true,
  });
  t.match(await json('loadbalancer', 'availabilityzone', 'list'), [{ name: 'az1' }]);
  await os('loadbalancer', 'availabilityzone', 'set', '--description', 'zone one', '--disable', 'az1');
  t.match(await json('loadbalancer', 'availabilityzone', 'show', 'az1'), {
    description: 'zone one',
    enabled: false,
  });
  await os('loadbalancer', 'availabilityzone', 'unset', '--description', 'az1');
  t.match(
    await json('loadbalancer', 'availabilityzone', 'show', 'az1'),
    { description: '' },
    'unset description',
  );
  await t.rejects(
    os('loadbalancer', 'availabilityzoneprofile', 'delete', azp.id),
    /in use/i,
    'profile in use',
  );
  await os('loadbalancer', 'availabilityzone', 'delete', 'az1');
  t.same(await json('loadbalancer', 'availabilityzone', 'list'), [], 'zone gone');
  await os('loadbalancer', 'availabilityzoneprofile', 'delete', 'zone-b');
  t.same(await json('loadbalancer', 'availabilityzoneprofile', 'list'), [], 'profile gone');
});
