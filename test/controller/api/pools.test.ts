// /v2/lbaas/pools: status codes and error bodies.
import t from 'tap';
import { activeLb, activeListener, activePool, fault, harness } from './helpers.js';

const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';

t.test('create on a listener becomes its default pool; show, update, delete', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const l = await activeListener(h, lb.id);
  let r = await h.req('POST', '/v2/lbaas/pools', {
    pool: {
      listener_id: l.id,
      protocol: 'TCP',
      lb_algorithm: 'SOURCE_IP_PORT',
      session_persistence: { type: 'SOURCE_IP' },
    },
  });
  t.equal(r.status, 201);
  const p = r.body.pool;
  t.match(p, {
    protocol: 'TCP',
    lb_algorithm: 'SOURCE_IP_PORT',
    session_persistence: {
      type: 'SOURCE_IP',
      cookie_name: null,
      persistence_timeout: null,
      persistence_granularity: null,
    },
    loadbalancers: [{ id: lb.id }],
    listeners: [{ id: l.id }],
    members: [],
    healthmonitor_id: null,
    tls_enabled: false,
    tls_container_ref: null,
    provisioning_status: 'PENDING_CREATE',
    operating_status: 'OFFLINE',
    admin_state_up: true,
  });
  r = await h.req('GET', `/v2/lbaas/listeners/${l.id}`);
  t.equal(r.body.listener.default_pool_id, p.id);
  t.equal(r.body.listener.provisioning_status, 'PENDING_UPDATE', 'the parent listener is marked');
  await h.activate(lb.id);

  r = await h.req('POST', '/v2/lbaas/pools', {
    pool: { listener_id: l.id, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' },
  });
  t.equal(r.status, 409);
  t.equal(fault(r), 'This listener already has a default pool');

  r = await h.req('PUT', `/v2/lbaas/pools/${p.id}`, {
    pool: { lb_algorithm: 'LEAST_CONNECTIONS', session_persistence: null },
  });
  t.equal(r.status, 200);
  t.match(r.body.pool, {
    lb_algorithm: 'LEAST_CONNECTIONS',
    session_persistence: null,
    provisioning_status: 'PENDING_UPDATE',
  });
  r = await h.req('PUT', `/v2/lbaas/pools/${p.id}`, { pool: { name: 'x' } });
  t.equal(r.status, 409);
  t.equal(fault(r), `Load Balancer ${lb.id} is immutable and cannot be updated.`);
  await h.activate(lb.id);
  r = await h.req('PUT', `/v2/lbaas/pools/${p.id}`, { pool: { protocol: 'UDP' } });
  t.equal(r.status, 400);
  t.equal(fault(r), 'Unknown attribute for argument pool: protocol');

  r = await h.req('DELETE', `/v2/lbaas/pools/${p.id}`);
  t.equal(r.status, 204);
  r = await h.req('GET', `/v2/lbaas/pools/${p.id}`);
  t.equal(r.body.pool.provisioning_status, 'PENDING_DELETE');
  await h.activate(lb.id);
  t.equal((await h.req('GET', `/v2/lbaas/pools/${p.id}`)).status, 404);
  r = await h.req('GET', `/v2/lbaas/listeners/${l.id}`);
  t.equal(r.body.listener.default_pool_id, null, 'the listener lost its default pool with the row');
});

t.test('validation errors', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const udp = await activeListener(h, lb.id, { protocol: 'UDP', protocol_port: 53 });
  const post = (p: Record<string, unknown>) =>
    h.req('POST', '/v2/lbaas/pools', { pool: { protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN', ...p } });
  const cases: [Record<string, unknown>, number, string | RegExp][] = [
    [{}, 400, 'Validation failure: Must provide at least one of: loadbalancer_id, listener_id'],
    [{ loadbalancer_id: lb.id, extra: 1 }, 400, 'Unknown attribute for argument pool: extra'],
    [{ loadbalancer_id: lb.id, lb_algorithm: 'RANDOM' }, 400, /lb_algorithm/],
    [
      { loadbalancer_id: lb.id, crl_container_ref: 'crl' },
      400,
      'Validation failure: A CA certificate reference is required to specify a revocation list.',
    ],
    [{ loadbalancer_id: MISSING }, 404, `Load Balancer ${MISSING} not found.`],
    [{ listener_id: MISSING }, 404, `Listener ${MISSING} not found.`],
    [
      { listener_id: udp.id },
      400,
      "Validation failure: The pool protocol 'TCP' is invalid while the listener protocol is 'UDP'.",
    ],
    [
      { listener_id: udp.id, protocol: 'UDP', session_persistence: { type: 'HTTP_COOKIE' } },
      400,
      'Validation failure: Session persistence of type HTTP_COOKIE is not supported for UDP/SCTP protocol pools.',
    ],
    [
      { loadbalancer_id: lb.id, session_persistence: { type: 'SOURCE_IP', persistence_timeout: 5 } },
      400,
      'Validation failure: persistence_timeout and persistence_granularity is only for UDP and SCTP protocol pools.',
    ],
    [
      { loadbalancer_id: lb.id, session_persistence: { type: 'APP_COOKIE' } },
      400,
      /cookie_name" must be specified/,
    ],
    [
      { loadbalancer_id: lb.id, tls_enabled: true, tls_versions: [] },
      400,
      'Validation failure: Empty TLS version list. Either specify at least one TLS version or remove this parameter to use the default.',
    ],
  ];
  for (const [body, status, message] of cases) {
    const r = await post(body);
    t.equal(r.status, status, JSON.stringify(body));
    t.match(fault(r), message);
  }
  const ok = await post({
    listener_id: udp.id,
    protocol: 'UDP',
    session_persistence: { type: 'SOURCE_IP', persistence_timeout: 60 },
  });
  t.equal(ok.status, 201, 'UDP pool with SOURCE_IP persistence and timeout');
  t.equal(ok.body.pool.session_persistence.persistence_timeout, 60);
});

t.test('a pool without listener; member ids in the pool view', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const p = await activePool(h, { loadbalancer_id: lb.id });
  const m = await h.req('POST', `/v2/lbaas/pools/${p.id}/members`, {
    member: { address: '10.0.0.5', protocol_port: 80 },
  });
  const r = await h.req('GET', `/v2/lbaas/pools/${p.id}`);
  t.same(r.body.pool.listeners, []);
  t.same(r.body.pool.members, [{ id: m.body.member.id }]);
  t.equal(r.body.pool.provisioning_status, 'PENDING_UPDATE', 'a member change marks its pool');
});
