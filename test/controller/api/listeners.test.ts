// /v2/lbaas/listeners: status codes and error bodies.
import t from 'tap';
import { activeLb, activeListener, activePool, fault, harness } from './helpers.js';

const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';

t.test('create with Octavia defaults, show, update, delete', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  let r = await h.req('POST', '/v2/lbaas/listeners', {
    listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 80, name: 'l1' },
  });
  t.equal(r.status, 201);
  const l = r.body.listener;
  t.match(l, {
    name: 'l1',
    protocol: 'TCP',
    protocol_port: 80,
    connection_limit: -1,
    default_pool_id: null,
    loadbalancers: [{ id: lb.id }],
    insert_headers: {},
    timeout_client_data: 50000,
    timeout_member_connect: 5000,
    timeout_member_data: 50000,
    timeout_tcp_inspect: 0,
    allowed_cidrs: null,
    l7policies: [],
    default_tls_container_ref: null,
    sni_container_refs: [],
    provisioning_status: 'PENDING_CREATE',
    operating_status: 'OFFLINE',
    project_id: lb.project_id,
    tags: [],
  });
  r = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}`);
  t.same(r.body.loadbalancer.listeners, [{ id: l.id }]);
  t.equal(r.body.loadbalancer.provisioning_status, 'PENDING_UPDATE', 'the gate marked the load balancer');
  r = await h.req('POST', '/v2/lbaas/listeners', {
    listener: { loadbalancer_id: lb.id, protocol: 'UDP', protocol_port: 53 },
  });
  t.equal(r.status, 409, 'no change while the load balancer is pending');
  t.same(r.body, {
    faultcode: 'Client',
    faultstring: `Load Balancer ${lb.id} is immutable and cannot be updated.`,
    debuginfo: null,
  });
  await h.activate(lb.id);
  r = await h.req('GET', `/v2/lbaas/listeners/${l.id}`);
  t.equal(r.body.listener.provisioning_status, 'ACTIVE');

  r = await h.req('PUT', `/v2/lbaas/listeners/${l.id}`, {
    listener: { connection_limit: 100, allowed_cidrs: ['10.0.0.1/8'], timeout_client_data: 1000 },
  });
  t.equal(r.status, 200);
  t.match(r.body.listener, {
    connection_limit: 100,
    allowed_cidrs: ['10.0.0.0/8'],
    timeout_client_data: 1000,
    provisioning_status: 'PENDING_UPDATE',
  });
  await h.activate(lb.id);
  r = await h.req('PUT', `/v2/lbaas/listeners/${l.id}`, {
    listener: { connection_limit: null, timeout_client_data: null },
  });
  t.match(
    r.body.listener,
    { connection_limit: -1, timeout_client_data: 50000 },
    'null resets to the default',
  );
  await h.activate(lb.id);
  r = await h.req('PUT', `/v2/lbaas/listeners/${l.id}`, { listener: { protocol_port: 81 } });
  t.equal(r.status, 400);
  t.equal(fault(r), 'Unknown attribute for argument listener: protocol_port');

  r = await h.req('DELETE', `/v2/lbaas/listeners/${l.id}`);
  t.equal(r.status, 204);
  r = await h.req('GET', `/v2/lbaas/listeners/${l.id}`);
  t.equal(r.body.listener.provisioning_status, 'PENDING_DELETE');
  r = await h.req('GET', '/v2/lbaas/listeners');
  t.equal(r.body.listeners.length, 1, 'PENDING_DELETE rows are still listed');
  await h.activate(lb.id);
  r = await h.req('GET', `/v2/lbaas/listeners/${l.id}`);
  t.equal(r.status, 404, 'gone once the worker settled the graph');
  t.equal(fault(r), `Listener ${l.id} not found.`);
  const kinds = (await h.db.selectFrom('job').select('kind').orderBy('id').execute()).map((j) => j.kind);
  t.same(kinds, ['create_lb', 'sync_lb', 'sync_lb', 'sync_lb', 'sync_lb']);
});

t.test('validation errors', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const post = (l: Record<string, unknown>) =>
    h.req('POST', '/v2/lbaas/listeners', {
      listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 80, ...l },
    });
  const cases: [Record<string, unknown>, number, string | RegExp][] = [
    [{ foo: 1 }, 400, 'Unknown attribute for argument listener: foo'],
    [{ protocol_port: 0 }, 400, /Invalid input for field\/attribute protocol_port. Value: '0'/],
    [{ protocol_port: 65536 }, 400, /protocol_port/],
    [{ protocol: 'FTP' }, 400, /Invalid input for field\/attribute protocol/],
    [
      { protocol: 'TERMINATED_HTTPS' },
      400,
      'Validation failure: An SNI or default certificate container reference must be provided for TERMINATED_HTTPS protocol listeners.',
    ],
    [{ connection_limit: -2 }, 400, /connection_limit/],
    [{ loadbalancer_id: MISSING }, 404, `Load Balancer ${MISSING} not found.`],
    [{ default_pool_id: MISSING }, 404, `Pool ${MISSING} not found.`],
    [
      { insert_headers: { 'X-Forwarded-For': 'true' } },
      400,
      'insert-headers is not a valid option for a TCP protocol listener.',
    ],
    [{ default_tls_container_ref: 'ref' }, 400, /Certificate container references are not allowed on TCP/],
    [
      { protocol: 'UDP', sni_container_refs: ['x'] },
      400,
      'Validation failure: UDP protocol listener does not support TLS.',
    ],
    [{ allowed_cidrs: ['nonsense'] }, 400, /Value should be IPv4 or IPv6 CIDR format/],
    [{ allowed_cidrs: ['2001:db8::/32'] }, 400, /IP version incompatible with VIP/],
  ];
  for (const [body, status, message] of cases) {
    const r = await post(body);
    t.equal(r.status, status, JSON.stringify(body));
    t.match(fault(r), message);
  }
  const missing = await h.req('POST', '/v2/lbaas/listeners', {
    listener: { loadbalancer_id: lb.id, protocol: 'TCP' },
  });
  t.equal(missing.status, 400);
  t.match(fault(missing), /protocol_port/);
  t.equal((await h.db.selectFrom('listener').select('id').execute()).length, 0, 'nothing was written');
});

t.test('duplicate port and protocol; TCP and UDP may share a port; default pool rules', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  await activeListener(h, lb.id, { protocol_port: 53 });
  let r = await h.req('POST', '/v2/lbaas/listeners', {
    listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 53 },
  });
  t.equal(r.status, 409);
  t.equal(
    fault(r),
    'Another Listener on this Load Balancer is already using protocol TCP and protocol_port 53',
  );
  t.equal(
    (await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}`)).body.loadbalancer.provisioning_status,
    'ACTIVE',
  );
  const udp = await activeListener(h, lb.id, { protocol: 'UDP', protocol_port: 53 });
  t.ok(udp.id);

  const tcpPool = await activePool(h, { loadbalancer_id: lb.id });
  r = await h.req('POST', '/v2/lbaas/listeners', {
    listener: { loadbalancer_id: lb.id, protocol: 'UDP', protocol_port: 54, default_pool_id: tcpPool.id },
  });
  t.equal(r.status, 400);
  t.equal(
    fault(r),
    "Validation failure: The pool protocol 'TCP' is invalid while the listener protocol is 'UDP'.",
  );
  r = await h.req('POST', '/v2/lbaas/listeners', {
    listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 80, default_pool_id: tcpPool.id },
  });
  t.equal(r.status, 201);
  t.equal(r.body.listener.default_pool_id, tcpPool.id);
  const other = await activeLb(h);
  await h.activate(lb.id);
  r = await h.req('POST', '/v2/lbaas/listeners', {
    listener: { loadbalancer_id: other.id, protocol: 'TCP', protocol_port: 80, default_pool_id: tcpPool.id },
  });
  t.equal(r.status, 404, 'a pool of another load balancer');
});
