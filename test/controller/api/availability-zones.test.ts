// /v2/lbaas/availabilityzoneprofiles and /v2/lbaas/availabilityzones: CRUD,
// validation of the profile data against the provider, RBAC, in-use 409s, lists
// keyed by name, and load balancer create in a zone.
import t from 'tap';
import { PUBLIC_SUBNET, fault, harness, subnetId, type Harness } from './helpers.js';

const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';
const MEMBER = { 'X-Project-Id': 'p1' };

async function profile(h: Harness, data = '{"compute_zone": "az1"}', provider = 'velox') {
  const r = await h.req('POST', '/v2/lbaas/availabilityzoneprofiles', {
    availability_zone_profile: { name: 'azp', provider_name: provider, availability_zone_data: data },
  });
  if (r.status !== 201) throw new Error(`create profile: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.availability_zone_profile as { id: string };
}

async function zone(h: Harness, profileId: string, extra: Record<string, unknown> = {}) {
  const r = await h.req('POST', '/v2/lbaas/availabilityzones', {
    availability_zone: { name: 'az1', availability_zone_profile_id: profileId, ...extra },
  });
  if (r.status !== 201) throw new Error(`create zone: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.availability_zone as { name: string };
}

t.test('availability zone profile CRUD and envelope', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const create = await h.req('POST', '/v2/lbaas/availabilityzoneprofiles', {
    availability_zone_profile: {
      name: 'p',
      provider_name: 'velox',
      availability_zone_data: '{"compute_zone": "a"}',
    },
  });
  t.equal(create.status, 201);
  const p = create.body.availability_zone_profile;
  t.same(p, { id: p.id, name: 'p', provider_name: 'velox', availability_zone_data: '{"compute_zone": "a"}' });

  const list = await h.req('GET', '/v2/lbaas/availabilityzoneprofiles');
  t.same(list.body, { availability_zone_profiles: [p], availability_zone_profile_links: [] });
  const show = await h.req('GET', `/v2/lbaas/availabilityzoneprofiles/${p.id}?fields=provider_name`);
  t.same(show.body, { availability_zone_profile: { provider_name: 'velox' } });

  const put = await h.req('PUT', `/v2/lbaas/availabilityzoneprofiles/${p.id}`, {
    availability_zone_profile: { availability_zone_data: '{}', provider_name: 'amphora' },
  });
  t.equal(put.status, 200);
  t.match(put.body.availability_zone_profile, { availability_zone_data: '{}', provider_name: 'amphora' });

  t.equal((await h.req('DELETE', `/v2/lbaas/availabilityzoneprofiles/${p.id}`)).status, 204);
  const gone = await h.req('GET', `/v2/lbaas/availabilityzoneprofiles/${p.id}`);
  t.equal(gone.status, 404);
  t.equal(fault(gone), `Availability Zone Profile ${p.id} not found.`);
  t.equal((await h.req('DELETE', `/v2/lbaas/availabilityzoneprofiles/${MISSING}`)).status, 404);
});

t.test('availability zone profile validation and RBAC', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const post = (p: Record<string, unknown>, headers?: Record<string, string>) =>
    h.req(
      'POST',
      '/v2/lbaas/availabilityzoneprofiles',
      {
        availability_zone_profile: { name: 'p', provider_name: 'velox', availability_zone_data: '{}', ...p },
      },
      headers,
    );
  let r = await post({ availability_zone_data: 'nope' });
  t.equal(r.status, 400);
  t.equal(fault(r), 'nope is not a valid option for availability_zone_data');
  r = await post({ availability_zone_data: '{"management_net": "x"}' });
  t.equal(r.status, 501);
  t.equal(
    fault(r),
    "Provider 'velox' does not support a requested option: Additional properties are not allowed ('management_net' was unexpected)",
  );
  r = await post({ availability_zone_data: '{"compute_zone": 3}' });
  t.equal(r.status, 501);
  t.match(fault(r), /compute_zone 3 is not of type 'string'/);
  r = await post({ provider_name: 'bogus' });
  t.equal(r.status, 400);
  t.equal(fault(r), "Provider 'bogus' is not enabled.");
  r = await post({}, MEMBER);
  t.equal(r.status, 403, 'admin only');
  t.equal((await h.req('GET', '/v2/lbaas/availabilityzoneprofiles', undefined, MEMBER)).status, 403);

  const p = await profile(h);
  r = await h.req('PUT', `/v2/lbaas/availabilityzoneprofiles/${p.id}`, {
    availability_zone_profile: { availability_zone_data: null },
  });
  t.equal(r.status, 400);
  t.equal(fault(r), 'None is not a valid option for availability_zone_data');
  r = await h.req('DELETE', `/v2/lbaas/availabilityzoneprofiles/${p.id}`, undefined, MEMBER);
  t.equal(r.status, 403);
});

t.test('availability zone CRUD, keyed by name', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const p = await profile(h);
  const create = await h.req('POST', '/v2/lbaas/availabilityzones', {
    availability_zone: { name: 'az1', description: 'rack 1', availability_zone_profile_id: p.id },
  });
  t.equal(create.status, 201);
  const az = create.body.availability_zone;
  t.same(az, { name: 'az1', description: 'rack 1', enabled: true, availability_zone_profile_id: p.id });

  const show = await h.req('GET', '/v2/lbaas/availabilityzones/az1', undefined, MEMBER);
  t.equal(show.status, 200, 'members may read zones');
  t.same(show.body, { availability_zone: az });

  const put = await h.req('PUT', '/v2/lbaas/availabilityzones/az1', {
    availability_zone: { description: null, enabled: false },
  });
  t.equal(put.status, 200);
  t.same(put.body.availability_zone, { ...az, description: '', enabled: false });

  let r = await h.req('PUT', '/v2/lbaas/availabilityzones/az1', { availability_zone: { name: 'az2' } });
  t.equal(r.status, 400, 'the name is the key and cannot change');

  r = await h.req('POST', '/v2/lbaas/availabilityzones', {
    availability_zone: { name: 'az1', availability_zone_profile_id: p.id },
  });
  t.equal(r.status, 409);
  t.equal(fault(r), 'A availability zone of az1 already exists.');

  r = await h.req('POST', '/v2/lbaas/availabilityzones', {
    availability_zone: { name: 'az9', availability_zone_profile_id: MISSING },
  });
  t.equal(r.status, 400);
  t.equal(fault(r), `Availability Zone Profile ${MISSING} not found.`);

  r = await h.req('POST', '/v2/lbaas/availabilityzones', { availability_zone: { name: 'az9' } });
  t.equal(r.status, 400);
  t.match(fault(r), /availability_zone_profile_id.*Mandatory field missing/);

  t.equal(
    (
      await h.req(
        'POST',
        '/v2/lbaas/availabilityzones',
        { availability_zone: { name: 'x', availability_zone_profile_id: p.id } },
        MEMBER,
      )
    ).status,
    403,
  );
  t.equal(
    (await h.req('PUT', '/v2/lbaas/availabilityzones/az1', { availability_zone: {} }, MEMBER)).status,
    403,
  );
  t.equal((await h.req('DELETE', '/v2/lbaas/availabilityzones/az1', undefined, MEMBER)).status, 403);

  r = await h.req('DELETE', `/v2/lbaas/availabilityzoneprofiles/${p.id}`);
  t.equal(r.status, 409, 'a profile used by a zone cannot be deleted');
  t.equal(fault(r), `Availability Zone Profile ${p.id} is in use and cannot be modified.`);

  t.equal((await h.req('DELETE', '/v2/lbaas/availabilityzones/az1')).status, 204);
  const gone = await h.req('GET', '/v2/lbaas/availabilityzones/az1');
  t.equal(gone.status, 404);
  t.equal(fault(gone), 'Availability Zone az1 not found.');
  t.equal((await h.req('DELETE', '/v2/lbaas/availabilityzones/az1')).status, 404);
  t.equal((await h.req('PUT', '/v2/lbaas/availabilityzones/az1', { availability_zone: {} })).status, 404);
  t.equal((await h.req('DELETE', `/v2/lbaas/availabilityzoneprofiles/${p.id}`)).status, 204);
});

t.test('availability zone list: pagination by name, filters, fields', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const p = await profile(h);
  for (const name of ['c', 'a', 'b']) await zone(h, p.id, { name, enabled: name !== 'b' });

  let r = await h.req('GET', '/v2/lbaas/availabilityzones?sort=name&limit=2');
  t.equal(r.status, 200);
  t.same(
    r.body.availability_zones.map((z: { name: string }) => z.name),
    ['a', 'b'],
  );
  t.match(r.body.availability_zones_links, [{ rel: 'next', href: /marker=b/ }]);
  r = await h.req('GET', '/v2/lbaas/availabilityzones?sort=name&limit=2&marker=b');
  t.same(
    r.body.availability_zones.map((z: { name: string }) => z.name),
    ['c'],
  );
  t.match(r.body.availability_zones_links, [{ rel: 'previous', href: /marker=c/ }]);

  r = await h.req('GET', '/v2/lbaas/availabilityzones?enabled=false&fields=name');
  t.same(r.body, { availability_zones: [{ name: 'b' }], availability_zones_links: [] });
  t.equal((await h.req('GET', '/v2/lbaas/availabilityzones?marker=zz')).status, 400, 'unknown marker');
  t.equal((await h.req('GET', '/v2/lbaas/availabilityzones?id=x')).status, 400, 'zones have no id');
});

t.test('load balancer create in an availability zone', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const sub = subnetId(h, PUBLIC_SUBNET);
  const post = (lb: Record<string, unknown>) =>
    h.req('POST', '/v2/lbaas/loadbalancers', { loadbalancer: { vip_subnet_id: sub, ...lb } });
  const p = await profile(h);
  await zone(h, p.id);

  let r = await post({ availability_zone: 'az1' });
  t.equal(r.status, 201);
  t.equal(r.body.loadbalancer.availability_zone, 'az1');
  const row = await h.db
    .selectFrom('load_balancer')
    .selectAll()
    .where('id', '=', r.body.loadbalancer.id)
    .executeTakeFirst();
  t.equal(row?.availability_zone, 'az1', 'stored');

  r = await post({ availability_zone: 'nowhere' });
  t.equal(r.status, 400);
  t.equal(fault(r), 'Validation failure: Invalid availability zone.');

  await h.req('PUT', '/v2/lbaas/availabilityzones/az1', { availability_zone: { enabled: false } });
  r = await post({ availability_zone: 'az1' });
  t.equal(r.status, 400);
  t.equal(fault(r), 'The selected availability_zone is not allowed in this deployment: az1');

  r = await h.req('DELETE', '/v2/lbaas/availabilityzones/az1');
  t.equal(r.status, 409, 'a zone with a load balancer cannot be deleted');
  t.equal(fault(r), 'Availability Zone az1 is in use and cannot be modified.');
});
