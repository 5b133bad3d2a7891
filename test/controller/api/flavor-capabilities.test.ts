// The amphora provider's flavor capabilities (Octavia's amphora driver schema): their
// listing, the validation of each key at flavor profile create and update (Octavia's
// 501 UnsupportedOptionError), the topology a flavor gives a load balancer, and
// flavorTopology(), which the worker's ACTIVE_STANDBY flows read.
import t from 'tap';
import { flavorTopology } from '../../../controller/api/flavor-capabilities.js';
import { PUBLIC_SUBNET, fault, harness, subnetId, type Harness } from './helpers.js';

const PROFILES = '/v2/lbaas/flavorprofiles';

function postProfile(h: Harness, data: unknown, provider = 'amphora') {
  return h.req('POST', PROFILES, {
    flavorprofile: {
      name: 'fp',
      provider_name: provider,
      flavor_data: typeof data === 'string' ? data : JSON.stringify(data),
    },
  });
}

t.test("flavor capabilities: Octavia's amphora keys, named and described", async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  for (const provider of ['amphora', 'octavia', 'velox']) {
    const r = await h.req('GET', `/v2/lbaas/providers/${provider}/flavor_capabilities`);
    t.equal(r.status, 200);
    t.same(r.body, {
      flavor_capabilities: [
        {
          name: 'loadbalancer_topology',
          description:
            'The load balancer topology. One of: SINGLE - One amphora per load balancer. ' +
            'ACTIVE_STANDBY - Two amphora per load balancer.',
        },
        { name: 'compute_flavor', description: 'The compute driver flavor ID.' },
        { name: 'amp_image_tag', description: 'The amphora image tag.' },
        {
          name: 'sriov_vip',
          description: 'When true, the VIP port will be created using an SR-IOV VF port.',
        },
        {
          name: 'allow_member_sriov',
          description:
            'When true, users can request a member port be SR-IOV enabled at member creation time.',
        },
      ],
    });
  }
});

t.test('each key is type-checked, the topology is one of two, unknown keys refused', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const refused = async (data: unknown, message: string) => {
    const r = await postProfile(h, data);
    t.equal(r.status, 501, JSON.stringify(data));
    t.equal(fault(r), `Provider 'amphora' does not support a requested option: ${message}`);
  };
  await refused(
    { loadbalancer_topology: 'DUAL' },
    "loadbalancer_topology 'DUAL' is not one of ['ACTIVE_STANDBY', 'SINGLE']",
  );
  await refused(
    { loadbalancer_topology: 'single' },
    "loadbalancer_topology 'single' is not one of ['ACTIVE_STANDBY', 'SINGLE']",
  );
  await refused({ loadbalancer_topology: null }, "loadbalancer_topology None is not of type 'string'");
  await refused({ compute_flavor: 42 }, "compute_flavor 42 is not of type 'string'");
  await refused({ amp_image_tag: ['amphora'] }, "amp_image_tag ['amphora'] is not of type 'string'");
  await refused({ sriov_vip: 'true' }, "sriov_vip 'true' is not of type 'boolean'");
  await refused({ allow_member_sriov: 1 }, "allow_member_sriov 1 is not of type 'boolean'");
  await refused({ topology: 'SINGLE' }, "Additional properties are not allowed ('topology' was unexpected)");
  await refused({ a: 1, b: 2 }, "Additional properties are not allowed ('a', 'b' were unexpected)");

  const every = {
    loadbalancer_topology: 'ACTIVE_STANDBY',
    compute_flavor: 'm1.amphora',
    amp_image_tag: 'amphora',
    sriov_vip: false,
    allow_member_sriov: true,
  };
  const ok = await postProfile(h, every);
  t.equal(ok.status, 201, 'every key at once');
  t.same(JSON.parse(ok.body.flavorprofile.flavor_data), every, 'stored as given');

  const id = ok.body.flavorprofile.id as string;
  const put = await h.req('PUT', `${PROFILES}/${id}`, {
    flavorprofile: { flavor_data: '{"loadbalancer_topology": "ACTIVE_ACTIVE"}' },
  });
  t.equal(put.status, 501, 'PUT validates as POST does');
  t.match(fault(put), /loadbalancer_topology 'ACTIVE_ACTIVE' is not one of/);
  const shown = await h.req('GET', `${PROFILES}/${id}`);
  t.same(JSON.parse(shown.body.flavorprofile.flavor_data), every, 'the refused PUT changed nothing');
  const single = await h.req('PUT', `${PROFILES}/${id}`, {
    flavorprofile: { flavor_data: '{"loadbalancer_topology": "SINGLE", "sriov_vip": true}' },
  });
  t.equal(single.status, 200);
});

t.test('a flavor gives its load balancers its topology; keys without effect are kept', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const flavorOf = async (data: unknown) => {
    const p = await postProfile(h, data);
    const f = await h.req('POST', '/v2/lbaas/flavors', {
      flavor: { name: `f-${Math.random()}`, flavor_profile_id: p.body.flavorprofile.id },
    });
    if (f.status !== 201) throw new Error(`flavor: ${f.status} ${JSON.stringify(f.body)}`);
    return f.body.flavor.id as string;
  };
  const topologyOf = async (flavorId?: string) => {
    const r = await h.req('POST', '/v2/lbaas/loadbalancers', {
      loadbalancer: {
        vip_subnet_id: subnetId(h, PUBLIC_SUBNET),
        ...(flavorId ? { flavor_id: flavorId } : {}),
      },
    });
    if (r.status !== 201) throw new Error(`lb: ${r.status} ${JSON.stringify(r.body)}`);
    const row = await h.db
      .selectFrom('load_balancer')
      .select('topology')
      .where('id', '=', r.body.loadbalancer.id as string)
      .executeTakeFirstOrThrow();
    return row.topology;
  };
  t.equal(await topologyOf(await flavorOf({ loadbalancer_topology: 'ACTIVE_STANDBY' })), 'ACTIVE_STANDBY');
  t.equal(await topologyOf(await flavorOf({ loadbalancer_topology: 'SINGLE' })), 'SINGLE');
  t.equal(
    await topologyOf(await flavorOf({ compute_flavor: 'm1', amp_image_tag: 'x', sriov_vip: true })),
    'SINGLE',
    'no topology in the flavor: the default',
  );
  t.equal(await topologyOf(), 'SINGLE', 'no flavor: the default');
});

t.test('flavorTopology reads a validated flavor', async (t) => {
  t.equal(flavorTopology({ loadbalancer_topology: 'ACTIVE_STANDBY' }), 'ACTIVE_STANDBY');
  t.equal(flavorTopology({ loadbalancer_topology: 'SINGLE', compute_flavor: 'm1' }), 'SINGLE');
  t.equal(flavorTopology({}), undefined);
  t.equal(flavorTopology({ compute_flavor: 'm1' }), undefined);
  t.equal(flavorTopology({ loadbalancer_topology: 'DUAL' }), undefined, 'never a value outside the two');
});
