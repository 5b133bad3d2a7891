// The amphora provider's availability zone capabilities (Octavia's amphora driver
// schema): their listing, the validation of each key at profile create and update
// (Octavia's 501 UnsupportedOptionError for a wrong type or unknown key, 400 naming a
// network that does not exist), and valid_vip_networks at load balancer create.
import t from 'tap';
import { PRIVATE_SUBNET, PUBLIC_SUBNET, fault, harness, subnetId, type Harness } from './helpers.js';

const PROFILES = '/v2/lbaas/availabilityzoneprofiles';

function postProfile(h: Harness, data: unknown, provider = 'amphora') {
  return h.req('POST', PROFILES, {
    availability_zone_profile: {
      name: 'azp',
      provider_name: provider,
      availability_zone_data: typeof data === 'string' ? data : JSON.stringify(data),
    },
  });
}

async function zoneWith(h: Harness, name: string, data: unknown): Promise<string> {
  const p = await postProfile(h, data);
  if (p.status !== 201) throw new Error(`profile: ${p.status} ${JSON.stringify(p.body)}`);
  const z = await h.req('POST', '/v2/lbaas/availabilityzones', {
    availability_zone: { name, availability_zone_profile_id: p.body.availability_zone_profile.id },
  });
  if (z.status !== 201) throw new Error(`zone: ${z.status} ${JSON.stringify(z.body)}`);
  return name;
}

t.test("availability zone capabilities: Octavia's amphora keys, named and described", async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  for (const provider of ['amphora', 'octavia', 'velox']) {
    const r = await h.req('GET', `/v2/lbaas/providers/${provider}/availability_zone_capabilities`);
    t.equal(r.status, 200);
    t.same(r.body, {
      availability_zone_capabilities: [
        { name: 'compute_zone', description: 'The compute availability zone.' },
        { name: 'volume_zone', description: 'The volume availability zone.' },
        { name: 'management_network', description: 'The management network ID for the amphora.' },
        {
          name: 'valid_vip_networks',
          description:
            'List of network IDs that are allowed for VIP use. This overrides/replaces the list of ' +
            'allowed networks configured in `octavia.conf`.',
        },
      ],
    });
  }
});

t.test('each key is type-checked, unknown keys refused, as jsonschema words it', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const refused = async (data: unknown, message: string) => {
    const r = await postProfile(h, data);
    t.equal(r.status, 501, JSON.stringify(data));
    t.equal(fault(r), `Provider 'amphora' does not support a requested option: ${message}`);
  };
  await refused({ compute_zone: 1 }, "compute_zone 1 is not of type 'string'");
  await refused({ volume_zone: true }, "volume_zone True is not of type 'string'");
  await refused(
    { management_network: ['lb-mgmt-net'] },
    "management_network ['lb-mgmt-net'] is not of type 'string'",
  );
  await refused({ valid_vip_networks: 'public' }, "valid_vip_networks 'public' is not of type 'array'");
  await refused({ valid_vip_networks: ['public', 7] }, "valid_vip_networks 7 is not of type 'string'");
  await refused(
    { compute_zone: 'a', zone: 'b' },
    "Additional properties are not allowed ('zone' was unexpected)",
  );
  await refused('"a string"', "'a string' is not of type 'object'");

  const ok = await postProfile(h, {
    compute_zone: 'nova',
    volume_zone: 'cinder-a',
    management_network: 'lb-mgmt-net',
    valid_vip_networks: ['public'],
  });
  t.equal(ok.status, 201, 'every key at once');

  // PUT validates the new data as POST does.
  const id = ok.body.availability_zone_profile.id as string;
  const put = await h.req('PUT', `${PROFILES}/${id}`, {
    availability_zone_profile: { availability_zone_data: '{"volume_zone": 2}' },
  });
  t.equal(put.status, 501);
  t.equal(
    fault(put),
    "Provider 'amphora' does not support a requested option: volume_zone 2 is not of type 'string'",
  );
  const shown = await h.req('GET', `${PROFILES}/${id}`);
  t.match(
    shown.body.availability_zone_profile.availability_zone_data,
    /cinder-a/,
    'the refused PUT changed nothing',
  );
});

t.test('management_network and valid_vip_networks must name networks that exist', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  let r = await postProfile(h, { management_network: 'mgmt-b' });
  t.equal(r.status, 400);
  t.equal(fault(r), 'Network mgmt-b not found.');
  r = await postProfile(h, { management_network: 'public' });
  t.equal(r.status, 400, 'a tenant network cannot carry the amphorae management traffic');
  t.equal(
    fault(r),
    'Validation failure: Network public is not a load balancer management network of this deployment.',
  );
  r = await postProfile(h, { valid_vip_networks: ['public', 'nowhere'] });
  t.equal(r.status, 400);
  t.equal(fault(r), 'Network nowhere not found.');

  const mgmtId = h.network.findNetwork('lb-mgmt-net')!.id;
  r = await postProfile(h, { management_network: mgmtId });
  t.equal(r.status, 201, 'by id');
  r = await postProfile(h, { management_network: 'lb-mgmt-net' });
  t.equal(r.status, 201, 'by name');

  const id = r.body.availability_zone_profile.id as string;
  r = await h.req('PUT', `${PROFILES}/${id}`, {
    availability_zone_profile: { availability_zone_data: '{"management_network": "mgmt-b"}' },
  });
  t.equal(r.status, 400, 'PUT checks the networks too');
  t.equal(fault(r), 'Network mgmt-b not found.');
});

t.test('valid_vip_networks: a VIP elsewhere is refused, one on a listed network accepted', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const publicId = h.network.findNetwork('public')!.id;
  await zoneWith(h, 'only-public', { valid_vip_networks: [publicId] });
  await zoneWith(h, 'public-by-name', { valid_vip_networks: ['public'] });
  await zoneWith(h, 'any', { valid_vip_networks: [] });
  const post = (lb: Record<string, unknown>) =>
    h.req('POST', '/v2/lbaas/loadbalancers', { loadbalancer: lb });

  let r = await post({ vip_subnet_id: subnetId(h, PRIVATE_SUBNET), availability_zone: 'only-public' });
  t.equal(r.status, 400);
  t.equal(
    fault(r),
    'Validation failure: Supplied VIP network_id is not allowed by the configuration of this deployment.',
  );
  r = await post({
    vip_network_id: h.network.findNetwork('private')!.id,
    availability_zone: 'public-by-name',
  });
  t.equal(r.status, 400, 'names are matched as the networks they name');
  t.same(await h.db.selectFrom('load_balancer').select('id').execute(), [], 'nothing was created');
  t.same(await h.db.selectFrom('port').select('id').execute(), [], 'no VIP port was taken');

  r = await post({ vip_subnet_id: subnetId(h, PUBLIC_SUBNET), availability_zone: 'only-public' });
  t.equal(r.status, 201);
  t.match(r.body.loadbalancer, { availability_zone: 'only-public', vip_network_id: publicId });
  r = await post({ vip_network_id: publicId, availability_zone: 'public-by-name' });
  t.equal(r.status, 201);
  r = await post({ vip_subnet_id: subnetId(h, PRIVATE_SUBNET), availability_zone: 'any' });
  t.equal(r.status, 201, 'an empty list allows every network');
  r = await post({ vip_subnet_id: subnetId(h, PRIVATE_SUBNET) });
  t.equal(r.status, 201, 'outside a zone nothing is restricted');
});
