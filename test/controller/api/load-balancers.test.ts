// /v2/lbaas/loadbalancers: every status code and error body a client relies on.
import t from 'tap';
import { PUBLIC_SUBNET, activeLb, activeListener, activePool, fault, harness, subnetId } from './helpers.js';

const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';

t.test('create answers 201 with Octavia fields and defaults, and enqueues create_lb', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const create = await h.req('POST', '/v2/lbaas/loadbalancers', {
    loadbalancer: { name: 'lb1', vip_subnet_id: subnetId(h, PUBLIC_SUBNET), tags: ['a'] },
  });
  t.equal(create.status, 201);
  const lb = create.body.loadbalancer;
  t.match(lb, {
    name: 'lb1',
    description: '',
    provisioning_status: 'PENDING_CREATE',
    operating_status: 'OFFLINE',
    admin_state_up: true,
    project_id: 'admin',
    tenant_id: 'admin',
    vip_address: '172.30.1.10',
    vip_subnet_id: subnetId(h, PUBLIC_SUBNET),
    vip_network_id: h.network.findNetwork('public')!.id,
    vip_qos_policy_id: null,
    additional_vips: [],
    listeners: [],
    pools: [],
    provider: 'amphora',
    flavor_id: null,
    availability_zone: null,
    tags: ['a'],
    updated_at: null,
  });
  const port = await h.network.getPort(lb.vip_port_id);
  t.match(port, { device_id: lb.id, ip_address: '172.30.1.10', device_owner: 'Octavia' });
  const jobs = await h.db.selectFrom('job').selectAll().execute();
  t.match(jobs, [{ kind: 'create_lb', load_balancer_id: lb.id, state: 'pending' }]);

  const second = await h.req('POST', '/v2.0/lbaas/loadbalancers', {
    loadbalancer: { vip_network_id: h.network.findNetwork('public')!.id, provider: 'amphora' },
  });
  t.equal(second.status, 201, 'the /v2.0 alias and vip_network_id work');
  t.equal(second.body.loadbalancer.vip_address, '172.30.1.11', 'the next free address');
  t.equal(second.body.loadbalancer.provider, 'amphora', 'the name the request used');
});

t.test('create validation errors', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const post = (lb: unknown) => h.req('POST', '/v2/lbaas/loadbalancers', { loadbalancer: lb });
  const sub = subnetId(h, PUBLIC_SUBNET);

  let r = await post({ vip_subnet_id: sub, bogus: 1 });
  t.equal(r.status, 400);
  t.same(r.body, {
    faultcode: 'Client',
    faultstring: 'Unknown attribute for argument loadbalancer: bogus',
    debuginfo: null,
  });

  r = await post({ name: 'x' });
  t.equal(r.status, 400);
  t.equal(
    fault(r),
    'Validation failure: VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id.',
  );

  r = await post({ vip_subnet_id: MISSING });
  t.equal(r.status, 400);
  t.equal(fault(r), `Subnet ${MISSING} not found.`);

  r = await post({ vip_network_id: MISSING });
  t.equal(r.status, 400);
  t.equal(fault(r), `Network ${MISSING} not found.`);

  r = await post({ vip_subnet_id: 'public-subnet' });
  t.equal(r.status, 400, 'ids are UUIDs (clients resolve names through Neutron)');
  t.match(fault(r), /Invalid input for field\/attribute vip_subnet_id/);

  r = await post({ vip_subnet_id: sub, provider: 'f5' });
  t.equal(r.status, 400);
  t.equal(fault(r), "Provider 'f5' is not enabled.");

  r = await post({ vip_subnet_id: sub, vip_address: '10.9.9.9' });
  t.equal(r.status, 400);
  t.equal(fault(r), 'The IP Address 10.9.9.9 is invalid.');

  r = await post({ vip_subnet_id: sub, name: 'x'.repeat(256) });
  t.equal(r.status, 400);

  r = await post({ vip_subnet_id: sub, vip_address: '172.30.1.50' });
  t.equal(r.status, 201);
  t.equal(r.body.loadbalancer.vip_address, '172.30.1.50');
  r = await post({ vip_subnet_id: sub, vip_address: '172.30.1.50' });
  t.equal(r.status, 409, 'an address in use');

  r = await post({ vip_subnet_id: h.network.findSubnet('lb-mgmt-subnet')!.id });
  t.equal(r.status, 400, 'the management network is not for VIPs');

  const bad = await h.app.inject({
    method: 'POST',
    url: '/v2/lbaas/loadbalancers',
    headers: { 'content-type': 'application/json' },
    payload: '{not json',
  });
  t.equal(bad.statusCode, 400);
  t.equal(JSON.parse(bad.body).faultcode, 'Client');
});

t.test('show, list and 404', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  let r = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}`);
  t.equal(r.status, 200);
  t.equal(r.body.loadbalancer.provisioning_status, 'ACTIVE');
  r = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}?fields=id&fields=name`);
  t.same(r.body, { loadbalancer: { id: lb.id, name: 'lb' } });
  r = await h.req('GET', '/v2/lbaas/loadbalancers');
  t.equal(r.status, 200);
  t.equal(r.body.loadbalancers.length, 1);
  t.same(r.body.loadbalancers_links, []);
  r = await h.req('GET', `/v2/lbaas/loadbalancers/${MISSING}`);
  t.equal(r.status, 404);
  t.same(r.body, {
    faultcode: 'Client',
    faultstring: `Load Balancer ${MISSING} not found.`,
    debuginfo: null,
  });
  for (const m of ['PUT', 'DELETE'] as const) {
    r = await h.req(m, `/v2/lbaas/loadbalancers/${MISSING}`, m === 'PUT' ? { loadbalancer: {} } : undefined);
    t.equal(r.status, 404, m);
  }
  r = await h.req('GET', '/v2/lbaas/nothing-here');
  t.equal(r.status, 404);
  t.equal(r.body.faultcode, 'Client');
});

t.test('update: 200 when ACTIVE, 409 while pending, 400 for unknown attributes', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const pending = await h.req('POST', '/v2/lbaas/loadbalancers', {
    loadbalancer: { vip_subnet_id: subnetId(h, PUBLIC_SUBNET) },
  });
  const id = pending.body.loadbalancer.id;
  let r = await h.req('PUT', `/v2/lbaas/loadbalancers/${id}`, { loadbalancer: { name: 'n' } });
  t.equal(r.status, 409);
  t.same(r.body, {
    faultcode: 'Client',
    faultstring: `Invalid state PENDING_CREATE of loadbalancer resource ${id}`,
    debuginfo: null,
  });
  await h.activate(id);
  r = await h.req('PUT', `/v2/lbaas/loadbalancers/${id}`, {
    loadbalancer: { name: 'n', description: 'd', admin_state_up: false, tags: ['x'] },
  });
  t.equal(r.status, 200);
  t.match(r.body.loadbalancer, {
    name: 'n',
    description: 'd',
    admin_state_up: false,
    tags: ['x'],
    provisioning_status: 'PENDING_UPDATE',
  });
  t.type(r.body.loadbalancer.updated_at, 'string');
  const jobs = await h.db.selectFrom('job').select(['kind']).orderBy('id').execute();
  t.same(
    jobs.map((j) => j.kind),
    ['create_lb', 'sync_lb'],
  );
  r = await h.req('PUT', `/v2/lbaas/loadbalancers/${id}`, { loadbalancer: { name: 'again' } });
  t.equal(r.status, 409);
  t.equal(fault(r), `Invalid state PENDING_UPDATE of loadbalancer resource ${id}`);
  await h.activate(id);
  r = await h.req('PUT', `/v2/lbaas/loadbalancers/${id}`, { loadbalancer: { vip_address: '1.2.3.4' } });
  t.equal(r.status, 400, 'vip_address is not updatable');
  t.equal(fault(r), 'Unknown attribute for argument loadbalancer: vip_address');
  r = await h.req('PUT', `/v2/lbaas/loadbalancers/${id}`, { loadbalancer: { name: 'n2' }, extra: true });
  t.equal(r.status, 400);
  const jobCount = await h.db.selectFrom('job').select('id').execute();
  t.equal(jobCount.length, 2, 'a refused change leaves no job');
});

t.test('delete: 204, children need cascade, cascade marks everything PENDING_DELETE', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const empty = await activeLb(h);
  let r = await h.req('DELETE', `/v2/lbaas/loadbalancers/${empty.id}`);
  t.equal(r.status, 204);
  t.equal(r.raw.body, '');
  r = await h.req('GET', `/v2/lbaas/loadbalancers/${empty.id}`);
  t.equal(
    r.body.loadbalancer.provisioning_status,
    'PENDING_DELETE',
    'still shown until the worker removes it',
  );
  r = await h.req('DELETE', `/v2/lbaas/loadbalancers/${empty.id}`);
  t.equal(r.status, 409);
  t.equal(fault(r), `Invalid state PENDING_DELETE of loadbalancer resource ${empty.id}`);

  const lb = await activeLb(h);
  const listener = await activeListener(h, lb.id);
  const pool = await activePool(h, { listener_id: listener.id });
  const m = await h.req('POST', `/v2/lbaas/pools/${pool.id}/members`, {
    member: { address: '172.30.2.20', protocol_port: 8080 },
  });
  await h.activate(lb.id);
  r = await h.req('DELETE', `/v2/lbaas/loadbalancers/${lb.id}`);
  t.equal(r.status, 400);
  t.equal(fault(r), `Validation failure: Cannot delete Load Balancer ${lb.id} - it has children`);
  r = await h.req('DELETE', `/v2/lbaas/loadbalancers/${lb.id}?cascade=true`);
  t.equal(r.status, 204);
  for (const [url, key] of [
    [`/v2/lbaas/loadbalancers/${lb.id}`, 'loadbalancer'],
    [`/v2/lbaas/listeners/${listener.id}`, 'listener'],
    [`/v2/lbaas/pools/${pool.id}`, 'pool'],
    [`/v2/lbaas/pools/${pool.id}/members/${m.body.member.id}`, 'member'],
  ] as const) {
    r = await h.req('GET', url);
    t.equal(r.body[key].provisioning_status, 'PENDING_DELETE', key);
  }
  const jobs = await h.db
    .selectFrom('job')
    .selectAll()
    .where('load_balancer_id', '=', lb.id)
    .orderBy('id', 'desc')
    .execute();
  t.equal(jobs[0]!.kind, 'delete_lb');
});

t.test('project isolation (noauth headers)', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const p1 = { 'x-project-id': 'p1' };
  const p2 = { 'x-project-id': 'p2' };
  const lb = await activeLb(h, {}, p1);
  t.equal(lb.project_id, 'p1', 'the caller project owns what it creates');
  await activeLb(h, {}, p2);
  let r = await h.req('GET', '/v2/lbaas/loadbalancers', undefined, p1);
  t.same(
    r.body.loadbalancers.map((l: { project_id: string }) => l.project_id),
    ['p1'],
  );
  r = await h.req('GET', '/v2/lbaas/loadbalancers');
  t.equal(r.body.loadbalancers.length, 2, 'no project header: the operator sees every project');
  r = await h.req('GET', '/v2/lbaas/loadbalancers?project_id=p2');
  t.equal(r.body.loadbalancers.length, 1);
  r = await h.req('GET', '/v2/lbaas/loadbalancers?project_id=p1', undefined, p2);
  t.equal(r.status, 403);
  t.equal(fault(r), 'Policy does not allow this request to be performed.');
  r = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}`, undefined, p2);
  t.equal(r.status, 403);
  r = await h.req('PUT', `/v2/lbaas/loadbalancers/${lb.id}`, { loadbalancer: { name: 'x' } }, p2);
  t.equal(r.status, 403);
  r = await h.req('DELETE', `/v2/lbaas/loadbalancers/${lb.id}`, undefined, p2);
  t.equal(r.status, 403);
  r = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}`, undefined, { ...p2, 'x-roles': 'admin' });
  t.equal(r.status, 200, 'admins see every project');
  r = await h.req(
    'PUT',
    `/v2/lbaas/loadbalancers/${lb.id}`,
    { loadbalancer: { name: 'x' } },
    {
      ...p1,
      'x-roles': 'load-balancer_observer',
    },
  );
  t.equal(r.status, 403, 'observers may not change anything');
  r = await h.req(
    'POST',
    '/v2/lbaas/loadbalancers',
    { loadbalancer: { vip_subnet_id: subnetId(h, PUBLIC_SUBNET), project_id: 'p2' } },
    p1,
  );
  t.equal(r.status, 403, 'a member cannot create in another project');
});

t.test('a JSON content type with no body is accepted, malformed JSON is a 400', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const list = await h.app.inject({
    method: 'GET',
    url: '/v2/lbaas/loadbalancers',
    headers: { 'content-type': 'application/json' },
  });
  t.equal(list.statusCode, 200);
  const bad = await h.app.inject({
    method: 'POST',
    url: '/v2/lbaas/loadbalancers',
    headers: { 'content-type': 'application/json' },
    payload: '{"loadbalancer": ',
  });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { faultcode: 'Client', faultstring: /Malformed request body/ });
});
