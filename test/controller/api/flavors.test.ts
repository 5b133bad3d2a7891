// /v2/lbaas/flavorprofiles and /v2/lbaas/flavors: CRUD, validation of the profile
// data against the provider, RBAC (profiles admin only, flavors readable by all),
// in-use 409s, lists, and load balancer create with a flavor.
import t from 'tap';
import { PUBLIC_SUBNET, fault, harness, subnetId, type Harness } from './helpers.js';

const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';
const MEMBER = { 'X-Project-Id': 'p1' };
const ADMIN_ROLE = { 'X-Project-Id': 'p1', 'X-Roles': 'load-balancer_admin' };

async function profile(h: Harness, data = '{"loadbalancer_topology": "SINGLE"}', provider = 'velox') {
  const r = await h.req('POST', '/v2/lbaas/flavorprofiles', {
    flavorprofile: { name: 'fp', provider_name: provider, flavor_data: data },
  });
  if (r.status !== 201) throw new Error(`create profile: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.flavorprofile as { id: string };
}

async function flavor(h: Harness, profileId: string, extra: Record<string, unknown> = {}) {
  const r = await h.req('POST', '/v2/lbaas/flavors', {
    flavor: { name: 'small', flavor_profile_id: profileId, ...extra },
  });
  if (r.status !== 201) throw new Error(`create flavor: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.flavor as { id: string };
}

t.test('flavor profile CRUD', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const create = await h.req('POST', '/v2/lbaas/flavorprofiles', {
    flavorprofile: {
      name: 'fp1',
      provider_name: 'amphora',
      flavor_data: '{"loadbalancer_topology": "SINGLE"}',
    },
  });
  t.equal(create.status, 201);
  const fp = create.body.flavorprofile;
  t.match(fp, {
    id: /^[0-9a-f-]{36}$/,
    name: 'fp1',
    provider_name: 'amphora',
    flavor_data: '{"loadbalancer_topology": "SINGLE"}',
  });
  t.same(Object.keys(fp).sort(), ['flavor_data', 'id', 'name', 'provider_name']);

  const show = await h.req('GET', `/v2/lbaas/flavorprofiles/${fp.id}?fields=name`);
  t.equal(show.status, 200);
  t.same(show.body, { flavorprofile: { name: 'fp1' } });

  const put = await h.req('PUT', `/v2.0/lbaas/flavorprofiles/${fp.id}`, {
    flavorprofile: { name: 'fp2', flavor_data: '{}' },
  });
  t.equal(put.status, 200);
  t.match(put.body.flavorprofile, { name: 'fp2', flavor_data: '{}', provider_name: 'amphora' });

  const list = await h.req('GET', '/v2/lbaas/flavorprofiles');
  t.equal(list.status, 200);
  t.same(list.body, { flavorprofiles: [put.body.flavorprofile], flavorprofile_links: [] });

  t.equal((await h.req('DELETE', `/v2/lbaas/flavorprofiles/${fp.id}`)).status, 204);
  const gone = await h.req('GET', `/v2/lbaas/flavorprofiles/${fp.id}`);
  t.equal(gone.status, 404);
  t.equal(fault(gone), `Flavor Profile ${fp.id} not found.`);
  t.equal((await h.req('DELETE', `/v2/lbaas/flavorprofiles/${fp.id}`)).status, 404);
  t.equal(
    (await h.req('PUT', `/v2/lbaas/flavorprofiles/${MISSING}`, { flavorprofile: { name: 'x' } })).status,
    404,
  );
});

t.test('flavor profile validation', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const post = (fp: Record<string, unknown>) =>
    h.req('POST', '/v2/lbaas/flavorprofiles', {
      flavorprofile: { name: 'fp', provider_name: 'velox', flavor_data: '{}', ...fp },
    });

  let r = await post({ flavor_data: '{not json' });
  t.equal(r.status, 400);
  t.equal(fault(r), '{not json is not a valid option for flavor_data');

  r = await post({ flavor_data: '[1, 2]' });
  t.equal(r.status, 501);
  t.equal(fault(r), "Provider 'velox' does not support a requested option: [1, 2] is not of type 'object'");

  r = await post({ flavor_data: '{"compute_flavour": "m1"}' });
  t.equal(r.status, 501);
  t.equal(
    fault(r),
    "Provider 'velox' does not support a requested option: Additional properties are not allowed ('compute_flavour' was unexpected)",
  );

  r = await post({ flavor_data: '{"loadbalancer_topology": "ACTIVE_STANDBY"}' });
  t.equal(r.status, 201, 'ACTIVE_STANDBY is a topology of velox');
  r = await post({ flavor_data: '{"loadbalancer_topology": "DUAL"}' });
  t.equal(r.status, 501);
  t.match(fault(r), /loadbalancer_topology 'DUAL' is not one of \['ACTIVE_STANDBY', 'SINGLE'\]/);

  r = await post({ flavor_data: '{"loadbalancer_topology": 1}' });
  t.equal(r.status, 501);
  t.match(fault(r), /loadbalancer_topology 1 is not of type 'string'/);

  r = await post({ provider_name: 'bogus' });
  t.equal(r.status, 400);
  t.equal(fault(r), "Provider 'bogus' is not enabled.");

  r = await post({ provider_name: 'noop_driver' });
  t.equal(r.status, 400, 'the no-op driver is not enabled by default');

  r = await h.req('POST', '/v2/lbaas/flavorprofiles', {
    flavorprofile: { name: 'fp', provider_name: 'velox' },
  });
  t.equal(r.status, 400);
  t.match(fault(r), /flavor_data.*Mandatory field missing/);

  r = await post({ extra: 1 });
  t.equal(r.status, 400);
  t.equal(fault(r), 'Unknown attribute for argument flavorprofile: extra');

  r = await post({ flavor_data: 'x'.repeat(4097) });
  t.equal(r.status, 400, 'flavor_data at most 4096 characters');

  const fp = await profile(h);
  for (const option of ['name', 'provider_name', 'flavor_data']) {
    r = await h.req('PUT', `/v2/lbaas/flavorprofiles/${fp.id}`, { flavorprofile: { [option]: null } });
    t.equal(r.status, 400);
    t.equal(fault(r), `None is not a valid option for ${option}`);
  }
  r = await h.req('PUT', `/v2/lbaas/flavorprofiles/${fp.id}`, { flavorprofile: { flavor_data: '{"x": 1}' } });
  t.equal(r.status, 501, 'PUT validates the data too');
  r = await h.req('PUT', `/v2/lbaas/flavorprofiles/${fp.id}`, { flavorprofile: { provider_name: 'bogus' } });
  t.equal(r.status, 400, 'and the provider');
});

t.test('flavor profiles are admin only', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const fp = await profile(h);
  const body = { flavorprofile: { name: 'fp', provider_name: 'velox', flavor_data: '{}' } };
  for (const [method, url, payload] of [
    ['GET', '/v2/lbaas/flavorprofiles', undefined],
    ['GET', `/v2/lbaas/flavorprofiles/${fp.id}`, undefined],
    ['POST', '/v2/lbaas/flavorprofiles', body],
    ['PUT', `/v2/lbaas/flavorprofiles/${fp.id}`, { flavorprofile: { name: 'n' } }],
    ['DELETE', `/v2/lbaas/flavorprofiles/${fp.id}`, undefined],
  ] as const) {
    const r = await h.req(method, url, payload, MEMBER);
    t.equal(r.status, 403, `${method} ${url} as a member`);
    t.equal(fault(r), 'Policy does not allow this request to be performed.');
  }
  const admin = await h.req('GET', '/v2/lbaas/flavorprofiles', undefined, ADMIN_ROLE);
  t.equal(admin.status, 200);
  t.equal(admin.body.flavorprofiles.length, 1);
});

t.test('a profile used by a flavor cannot be deleted nor change provider or data', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const fp = await profile(h);
  const fl = await flavor(h, fp.id);
  let r = await h.req('DELETE', `/v2/lbaas/flavorprofiles/${fp.id}`);
  t.equal(r.status, 409);
  t.equal(fault(r), `Flavor profile ${fp.id} is in use and cannot be modified.`);
  r = await h.req('PUT', `/v2/lbaas/flavorprofiles/${fp.id}`, { flavorprofile: { flavor_data: '{}' } });
  t.equal(r.status, 409);
  r = await h.req('PUT', `/v2/lbaas/flavorprofiles/${fp.id}`, {
    flavorprofile: { provider_name: 'octavia' },
  });
  t.equal(r.status, 409);
  r = await h.req('PUT', `/v2/lbaas/flavorprofiles/${fp.id}`, { flavorprofile: { name: 'renamed' } });
  t.equal(r.status, 200, 'the name may change');
  t.equal((await h.req('DELETE', `/v2/lbaas/flavors/${fl.id}`)).status, 204);
  t.equal((await h.req('DELETE', `/v2/lbaas/flavorprofiles/${fp.id}`)).status, 204, 'unused again');
});

t.test('flavor CRUD', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const fp = await profile(h);
  const create = await h.req('POST', '/v2/lbaas/flavors', {
    flavor: { name: 'small', description: 'one amphora', flavor_profile_id: fp.id },
  });
  t.equal(create.status, 201);
  const fl = create.body.flavor;
  t.same(fl, {
    id: fl.id,
    name: 'small',
    description: 'one amphora',
    enabled: true,
    flavor_profile_id: fp.id,
  });

  const show = await h.req('GET', `/v2/lbaas/flavors/${fl.id}`, undefined, MEMBER);
  t.equal(show.status, 200, 'members may read flavors');
  t.same(show.body, { flavor: fl });
  const fields = await h.req('GET', `/v2/lbaas/flavors/${fl.id}?fields=name&fields=enabled`);
  t.same(fields.body, { flavor: { name: 'small', enabled: true } });

  const put = await h.req('PUT', `/v2/lbaas/flavors/${fl.id}`, {
    flavor: { name: 'tiny', description: null, enabled: false },
  });
  t.equal(put.status, 200);
  t.same(put.body.flavor, { ...fl, name: 'tiny', description: '', enabled: false });

  t.equal((await h.req('DELETE', `/v2/lbaas/flavors/${fl.id}`)).status, 204);
  const gone = await h.req('GET', `/v2/lbaas/flavors/${fl.id}`);
  t.equal(gone.status, 404);
  t.equal(fault(gone), `Flavor ${fl.id} not found.`);
  t.equal((await h.req('DELETE', `/v2/lbaas/flavors/${fl.id}`)).status, 404);
  t.equal((await h.req('PUT', `/v2/lbaas/flavors/${MISSING}`, { flavor: { name: 'x' } })).status, 404);
});

t.test('flavor validation and duplicates', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const fp = await profile(h);
  await flavor(h, fp.id);
  const post = (f: Record<string, unknown>) =>
    h.req('POST', '/v2/lbaas/flavors', { flavor: { name: 'other', flavor_profile_id: fp.id, ...f } });

  let r = await post({ name: 'small' });
  t.equal(r.status, 409);
  t.equal(fault(r), 'A flavor of small already exists.');

  r = await post({ flavor_profile_id: MISSING });
  t.equal(r.status, 400);
  t.equal(fault(r), `Flavor profile ${MISSING} not found.`);

  r = await post({ flavor_profile_id: 'not-a-uuid' });
  t.equal(r.status, 400);
  t.match(fault(r), /Invalid input for field\/attribute flavor_profile_id/);

  r = await h.req('POST', '/v2/lbaas/flavors', { flavor: { flavor_profile_id: fp.id } });
  t.equal(r.status, 400);
  t.match(fault(r), /name.*Mandatory field missing/);

  r = await post({ enabled: 'yes' });
  t.equal(r.status, 400);

  const other = await post({});
  t.equal(other.status, 201);
  r = await h.req('PUT', `/v2/lbaas/flavors/${other.body.flavor.id}`, { flavor: { name: 'small' } });
  t.equal(r.status, 409, 'rename onto an existing name');

  r = await h.req('PUT', `/v2/lbaas/flavors/${other.body.flavor.id}`, {
    flavor: { flavor_profile_id: fp.id },
  });
  t.equal(r.status, 400, 'the profile of a flavor cannot change');
  t.equal(fault(r), 'Unknown attribute for argument flavor: flavor_profile_id');
});

t.test('flavor writes are admin only', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const fp = await profile(h);
  const fl = await flavor(h, fp.id);
  const create = await h.req(
    'POST',
    '/v2/lbaas/flavors',
    { flavor: { name: 'x', flavor_profile_id: fp.id } },
    MEMBER,
  );
  t.equal(create.status, 403);
  t.equal((await h.req('PUT', `/v2/lbaas/flavors/${fl.id}`, { flavor: { name: 'y' } }, MEMBER)).status, 403);
  t.equal((await h.req('DELETE', `/v2/lbaas/flavors/${fl.id}`, undefined, MEMBER)).status, 403);
  t.equal((await h.req('GET', '/v2/lbaas/flavors', undefined, MEMBER)).status, 200);
  const admin = await h.req(
    'POST',
    '/v2/lbaas/flavors',
    { flavor: { name: 'x', flavor_profile_id: fp.id } },
    ADMIN_ROLE,
  );
  t.equal(admin.status, 201);
});

t.test('flavor list: filters, sorting, pagination, fields', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const fp = await profile(h);
  const a = await flavor(h, fp.id, { name: 'a' });
  const b = await flavor(h, fp.id, { name: 'b', enabled: false });
  const c = await flavor(h, fp.id, { name: 'c' });

  let r = await h.req('GET', '/v2/lbaas/flavors?sort=name:desc');
  t.equal(r.status, 200);
  t.same(
    r.body.flavors.map((f: { id: string }) => f.id),
    [c.id, b.id, a.id],
  );
  t.same(r.body.flavors_links, []);

  r = await h.req('GET', '/v2/lbaas/flavors?enabled=false');
  t.same(
    r.body.flavors.map((f: { id: string }) => f.id),
    [b.id],
  );
  r = await h.req('GET', `/v2/lbaas/flavors?flavor_profile_id=${fp.id}&fields=id`);
  t.equal(r.body.flavors.length, 3);
  t.same(Object.keys(r.body.flavors[0]), ['id']);

  r = await h.req('GET', '/v2/lbaas/flavors?sort=name&limit=2');
  t.same(
    r.body.flavors.map((f: { id: string }) => f.id),
    [a.id, b.id],
  );
  t.match(r.body.flavors_links, [{ rel: 'next', href: new RegExp(`marker=${b.id}`) }]);
  r = await h.req('GET', `/v2/lbaas/flavors?sort=name&limit=2&marker=${b.id}`);
  t.same(
    r.body.flavors.map((f: { id: string }) => f.id),
    [c.id],
  );

  t.equal((await h.req('GET', '/v2/lbaas/flavors?bogus=1')).status, 400, 'unknown filter');
  t.equal((await h.req('GET', '/v2/lbaas/flavors?sort=created_at')).status, 400, 'not an attribute');
  t.equal((await h.req('GET', `/v2/lbaas/flavors?marker=${MISSING}`)).status, 400, 'unknown marker');
  r = await h.req('GET', '/v2/lbaas/flavorprofiles?name=fp&fields=id');
  t.same(r.body, { flavorprofiles: [{ id: fp.id }], flavorprofile_links: [] });
});

t.test('load balancer create with a flavor', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const sub = subnetId(h, PUBLIC_SUBNET);
  const post = (lb: Record<string, unknown>) =>
    h.req('POST', '/v2/lbaas/loadbalancers', { loadbalancer: { vip_subnet_id: sub, ...lb } });
  const fp = await profile(h, '{"loadbalancer_topology": "SINGLE"}', 'amphora');
  const fl = await flavor(h, fp.id);

  let r = await post({ flavor_id: fl.id });
  t.equal(r.status, 201);
  t.equal(r.body.loadbalancer.flavor_id, fl.id);
  t.equal(r.body.loadbalancer.provider, 'amphora', "the flavor profile's provider, as it names it");
  const lbId = r.body.loadbalancer.id;
  const row = await h.db.selectFrom('load_balancer').selectAll().where('id', '=', lbId).executeTakeFirst();
  t.match(row, { flavor_id: fl.id, topology: 'SINGLE', provider: 'amphora' });
  r = await h.req('GET', `/v2/lbaas/loadbalancers?flavor_id=${fl.id}`);
  t.same(
    r.body.loadbalancers.map((l: { id: string }) => l.id),
    [lbId],
  );

  r = await post({ flavor_id: fl.id, provider: 'octavia' });
  t.equal(r.status, 201, 'an alias of the flavor provider matches');
  t.equal(r.body.loadbalancer.provider, 'octavia', 'and is the name the load balancer keeps');

  r = await post({ flavor_id: fl.id, provider: 'bogus' });
  t.equal(r.status, 400);
  t.equal(fault(r), `Flavor '${fl.id}' is not compatible with provider 'bogus'`);

  r = await post({ flavor_id: MISSING });
  t.equal(r.status, 400);
  t.equal(fault(r), 'Validation failure: Invalid flavor_id.');

  await h.req('PUT', `/v2/lbaas/flavors/${fl.id}`, { flavor: { enabled: false } });
  r = await post({ flavor_id: fl.id });
  t.equal(r.status, 400);
  t.equal(fault(r), `The selected flavor is not allowed in this deployment: ${fl.id}`);

  r = await post({ flavor_id: null });
  t.equal(r.status, 201, 'a null flavor_id is no flavor');
  t.equal(r.body.loadbalancer.flavor_id, null);

  r = await h.req('DELETE', `/v2/lbaas/flavors/${fl.id}`);
  t.equal(r.status, 409, 'a flavor in use cannot be deleted');
  t.equal(fault(r), `Flavor ${fl.id} is in use and cannot be modified.`);
  const count = await h.db.selectFrom('job').select('id').execute();
  t.equal(count.length, 3, 'only the accepted creates enqueued work');
});
