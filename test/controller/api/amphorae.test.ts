// /v2/octavia/amphorae: the admin amphora API (list, show), its envelope,
// fields, list features, policy and 404s.
import t from 'tap';
import { createAmphora } from '../../../controller/db/amphora-repo.js';
import { activeLb, fault, harness, type Harness } from './helpers.js';

const A1 = '0a1b2c3d-0000-4000-8000-000000000001';
const A2 = '0a1b2c3d-0000-4000-8000-000000000002';
const A3 = '0a1b2c3d-0000-4000-8000-000000000003';
const GONE = '0a1b2c3d-0000-4000-8000-000000000004';
const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';
const MEMBER = { 'X-Project-Id': 'p-member' };

/** Two load balancers (projects p1, p2) and four amphorae, one of them DELETED. */
async function fixture(h: Harness) {
  const lb1 = await activeLb(h, { project_id: 'p1' });
  const lb2 = await activeLb(h, { project_id: 'p2' });
  await createAmphora(h.db, {
    id: A1,
    status: 'ALLOCATED',
    role: 'STANDALONE',
    load_balancer_id: lb1.id,
    compute_id: 'velox-amp-1',
    lb_network_ip: '172.31.0.11',
    vrrp_ip: '172.30.1.11',
    ha_ip: lb1.vip_address,
    cert_expiration: '2027-01-01T00:00:00',
    created_at: '2026-01-01T00:00:01',
  });
  await createAmphora(h.db, {
    id: A2,
    status: 'BOOTING',
    role: 'STANDALONE',
    load_balancer_id: lb1.id,
    created_at: '2026-01-01T00:00:02',
  });
  await createAmphora(h.db, {
    id: A3,
    status: 'ALLOCATED',
    role: 'STANDALONE',
    load_balancer_id: lb2.id,
    created_at: '2026-01-01T00:00:03',
  });
  await createAmphora(h.db, {
    id: GONE,
    status: 'DELETED',
    role: 'STANDALONE',
    load_balancer_id: lb1.id,
    created_at: '2026-01-01T00:00:04',
  });
  return { lb1, lb2 };
}

t.test('an empty list has the envelope', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const r = await h.req('GET', '/v2/octavia/amphorae');
  t.equal(r.status, 200);
  t.same(r.body, { amphorae: [], amphorae_links: [] });
});

t.test('show renders every Octavia attribute', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb1 } = await fixture(h);
  const r = await h.req('GET', `/v2/octavia/amphorae/${A1}`);
  t.equal(r.status, 200);
  t.same(r.body, {
    amphora: {
      id: A1,
      loadbalancer_id: lb1.id,
      compute_id: 'velox-amp-1',
      lb_network_ip: '172.31.0.11',
      vrrp_ip: '172.30.1.11',
      ha_ip: lb1.vip_address,
      vrrp_port_id: null,
      ha_port_id: null,
      cert_expiration: '2027-01-01T00:00:00',
      cert_busy: false,
      role: 'STANDALONE',
      status: 'ALLOCATED',
      vrrp_interface: null,
      vrrp_id: null,
      vrrp_priority: null,
      cached_zone: null,
      created_at: '2026-01-01T00:00:01',
      updated_at: null,
      image_id: null,
      compute_flavor: null,
    },
  });
  const f = await h.req('GET', `/v2/octavia/amphorae/${A1}?fields=id&fields=status`);
  t.same(f.body, { amphora: { id: A1, status: 'ALLOCATED' } }, 'fields= keeps only those attributes');
  const alias = await h.req('GET', `/v2.0/octavia/amphorae/${A1}`);
  t.equal(alias.status, 200, 'the /v2.0 alias serves the same');
  t.equal(alias.body.amphora.id, A1);
});

t.test('unknown and deleted amphorae are 404 with Octavia message', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  await fixture(h);
  let r = await h.req('GET', `/v2/octavia/amphorae/${MISSING}`);
  t.equal(r.status, 404);
  t.equal(fault(r), `Amphora ${MISSING} not found.`);
  t.equal(r.body.faultcode, 'Client');
  r = await h.req('GET', `/v2/octavia/amphorae/${GONE}`);
  t.equal(r.status, 404);
  t.equal(fault(r), `Amphora ${GONE} not found.`);
});

t.test('list: filters, fields, sorting and pagination through the list helper', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb1, lb2 } = await fixture(h);
  const ids = (r: { body: { amphorae: { id: string }[] } }) => r.body.amphorae.map((a) => a.id);

  let r = await h.req('GET', '/v2/octavia/amphorae');
  t.equal(r.status, 200);
  t.same(ids(r), [A1, A2, A3], 'DELETED amphorae are hidden; created_at order');
  t.same(r.body.amphorae_links, []);

  r = await h.req('GET', `/v2/octavia/amphorae?loadbalancer_id=${lb1.id}`);
  t.same(ids(r), [A1, A2]);
  r = await h.req('GET', `/v2/octavia/amphorae?loadbalancer_id=${lb2.id}`);
  t.same(ids(r), [A3]);
  r = await h.req('GET', '/v2/octavia/amphorae?status=BOOTING');
  t.same(ids(r), [A2]);
  r = await h.req('GET', '/v2/octavia/amphorae?project_id=p2');
  t.same(ids(r), [A3], 'project_id selects the amphorae of that project');
  r = await h.req('GET', '/v2/octavia/amphorae?project_id=nobody');
  t.same(ids(r), []);
  r = await h.req('GET', '/v2/octavia/amphorae?tags=x');
  t.same(ids(r), [A1, A2, A3], 'amphorae have no tags: tag filters are ignored, as in Octavia');

  r = await h.req('GET', `/v2/octavia/amphorae?loadbalancer_id=${lb1.id}&fields=id,loadbalancer_id`);
  t.same(r.body.amphorae, [
    { id: A1, loadbalancer_id: lb1.id },
    { id: A2, loadbalancer_id: lb1.id },
  ]);

  r = await h.req('GET', '/v2/octavia/amphorae?sort=created_at:desc');
  t.same(ids(r), [A3, A2, A1]);

  r = await h.req('GET', '/v2/octavia/amphorae?limit=2');
  t.same(ids(r), [A1, A2]);
  const next = (r.body.amphorae_links as { rel: string; href: string }[]).find((l) => l.rel === 'next');
  t.ok(next, 'a full page links to the next');
  t.match(next!.href, `/v2/octavia/amphorae?limit=2&marker=${A2}`);
  r = await h.req('GET', `/v2/octavia/amphorae?limit=2&marker=${A2}`);
  t.same(ids(r), [A3]);

  r = await h.req('GET', '/v2/octavia/amphorae?vrrp_priority=100');
  t.equal(r.status, 400);
  t.equal(fault(r), 'One or more arguments are either duplicate or invalid');
  r = await h.req('GET', '/v2/octavia/amphorae?sort=image_id');
  t.equal(r.status, 400);
  t.equal(fault(r), "Supplied sort key 'image_id' is not valid.");
  r = await h.req('GET', `/v2/octavia/amphorae?marker=${MISSING}`);
  t.equal(r.status, 400);
  t.equal(fault(r), `Supplied pagination marker '${MISSING}' is not valid.`);

  r = await h.req('GET', `/v2.0/octavia/amphorae?loadbalancer_id=${lb2.id}`);
  t.same(ids(r), [A3], 'the /v2.0 alias lists the same');
});

t.test('admin only', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  await fixture(h);
  const forbidden = 'Policy does not allow this request to be performed.';
  for (const headers of [
    MEMBER,
    { ...MEMBER, 'X-Roles': 'member' },
    { ...MEMBER, 'X-Roles': 'load-balancer_global_observer' },
    { 'X-Project-Id': 'p1', 'X-Roles': 'load-balancer_member' },
  ]) {
    const list = await h.req('GET', '/v2/octavia/amphorae', undefined, headers);
    t.equal(list.status, 403, `list refused for ${JSON.stringify(headers)}`);
    t.equal(fault(list), forbidden);
    const show = await h.req('GET', `/v2/octavia/amphorae/${A1}`, undefined, headers);
    t.equal(show.status, 403, `show refused for ${JSON.stringify(headers)}`);
    t.equal(fault(show), forbidden);
  }
  const missing = await h.req('GET', `/v2/octavia/amphorae/${MISSING}`, undefined, MEMBER);
  t.equal(missing.status, 404, 'Octavia looks the amphora up before the policy check');

  for (const role of ['admin', 'load-balancer_admin']) {
    const headers = { ...MEMBER, 'X-Roles': role };
    const list = await h.req('GET', '/v2/octavia/amphorae', undefined, headers);
    t.equal(list.status, 200, `${role} may list`);
    t.equal(list.body.amphorae.length, 3);
    const show = await h.req('GET', `/v2/octavia/amphorae/${A1}`, undefined, headers);
    t.equal(show.status, 200, `${role} may show`);
  }
});
