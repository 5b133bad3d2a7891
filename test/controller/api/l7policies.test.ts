// /v2/lbaas/l7policies: status codes, error bodies, actions and their redirect
// attributes, positions, the status gate, list features, projects, quotas and cascades.
import t from 'tap';
import { loadLoadBalancerGraph, markGraphError } from '../../../controller/db/worker-repo.js';
import { activeLb, activeListener, fault, harness, type Harness } from './helpers.js';
import {
  MISSING,
  POLICIES,
  activePolicy,
  listenerRow,
  poolRow,
  postPolicy,
  provisioning,
} from './l7-helpers.js';

const invalid = (field: string, value: string, reason: string) =>
  `Invalid input for field/attribute ${field}. Value: '${value}'. ${reason}`;

/** A load balancer with an HTTP listener and an HTTP pool, all ACTIVE. */
async function fixture(h: Harness) {
  const lb = await activeLb(h);
  const listener = await listenerRow(h, lb.id);
  const pool = await poolRow(h, lb.id);
  return { lb, listener, pool };
}

async function positions(h: Harness, listenerId: string): Promise<[string, number][]> {
  const r = await h.req('GET', `${POLICIES}?listener_id=${listenerId}&sort=position`);
  return r.body.l7policies.map((p: { id: string; position: number }) => [p.id, p.position]);
}

t.test('create, show, list, update, delete', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, listener } = await fixture(h);

  let r = await postPolicy(h, listener.id, { name: 'p1', description: 'd', tags: ['a'] });
  t.equal(r.status, 201);
  const p = r.body.l7policy;
  t.same(Object.keys(p).sort(), [
    'action',
    'admin_state_up',
    'created_at',
    'description',
    'id',
    'listener_id',
    'name',
    'operating_status',
    'position',
    'project_id',
    'provisioning_status',
    'redirect_http_code',
    'redirect_pool_id',
    'redirect_prefix',
    'redirect_url',
    'rules',
    'tags',
    'tenant_id',
    'updated_at',
  ]);
  t.match(p, {
    name: 'p1',
    description: 'd',
    action: 'REJECT',
    listener_id: listener.id,
    redirect_pool_id: null,
    redirect_url: null,
    redirect_prefix: null,
    redirect_http_code: null,
    position: 1,
    rules: [],
    admin_state_up: true,
    project_id: lb.project_id,
    tenant_id: lb.project_id,
    provisioning_status: 'PENDING_CREATE',
    operating_status: 'OFFLINE',
    tags: ['a'],
    updated_at: null,
  });
  t.equal(await provisioning(h, `/v2/lbaas/listeners/${listener.id}`, 'listener'), 'PENDING_UPDATE');
  t.equal(await provisioning(h, `/v2/lbaas/loadbalancers/${lb.id}`, 'loadbalancer'), 'PENDING_UPDATE');
  r = await h.req('GET', `/v2/lbaas/listeners/${listener.id}`);
  t.same(r.body.listener.l7policies, [{ id: p.id }], 'the listener shows its policies');

  r = await postPolicy(h, listener.id);
  t.equal(r.status, 409);
  t.equal(fault(r), `Load Balancer ${lb.id} is immutable and cannot be updated.`);
  await h.activate(lb.id);

  r = await h.req('GET', `${POLICIES}/${p.id}`);
  t.equal(r.status, 200);
  t.match(r.body.l7policy, { provisioning_status: 'ACTIVE', operating_status: 'ONLINE' });
  r = await h.req('GET', `/v2.0/lbaas/l7policies/${p.id}?fields=id&fields=action`);
  t.same(r.body.l7policy, { id: p.id, action: 'REJECT' }, 'the /v2.0 alias and fields=');
  r = await h.req('GET', POLICIES);
  t.equal(r.body.l7policies.length, 1);
  t.same(r.body.l7policies_links, []);

  r = await h.req('PUT', `${POLICIES}/${p.id}`, {
    l7policy: {
      name: 'p2',
      description: null,
      action: 'REDIRECT_TO_URL',
      redirect_url: 'http://www.example.com',
      admin_state_up: false,
      tags: ['b'],
    },
  });
  t.equal(r.status, 200);
  t.match(r.body.l7policy, {
    name: 'p2',
    description: '',
    action: 'REDIRECT_TO_URL',
    redirect_url: 'http://www.example.com',
    redirect_http_code: 302,
    admin_state_up: false,
    tags: ['b'],
    provisioning_status: 'PENDING_UPDATE',
  });
  t.not(r.body.l7policy.updated_at, null);
  t.equal(await provisioning(h, `/v2/lbaas/listeners/${listener.id}`, 'listener'), 'PENDING_UPDATE');
  r = await h.req('PUT', `${POLICIES}/${p.id}`, { l7policy: { name: 'x' } });
  t.equal(r.status, 409, 'update is gated');
  t.equal(fault(r), `Load Balancer ${lb.id} is immutable and cannot be updated.`);
  await h.activate(lb.id);
  r = await h.req('GET', `${POLICIES}/${p.id}`);
  t.match(
    r.body.l7policy,
    { provisioning_status: 'ACTIVE', operating_status: 'OFFLINE' },
    'disabled: OFFLINE',
  );

  r = await h.req('DELETE', `${POLICIES}/${p.id}`);
  t.equal(r.status, 204);
  t.equal(r.raw.body, '');
  t.equal(await provisioning(h, `${POLICIES}/${p.id}`, 'l7policy'), 'PENDING_DELETE');
  t.equal(await provisioning(h, `/v2/lbaas/listeners/${listener.id}`, 'listener'), 'PENDING_UPDATE');
  t.equal((await h.req('DELETE', `${POLICIES}/${p.id}`)).status, 409, 'delete is gated');
  await h.activate(lb.id);
  r = await h.req('GET', `${POLICIES}/${p.id}`);
  t.equal(r.status, 404);
  t.equal(fault(r), `L7 Policy ${p.id} not found.`);
  r = await h.req('GET', `/v2/lbaas/listeners/${listener.id}`);
  t.same(r.body.listener.l7policies, []);

  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    r = await h.req(
      method,
      `${POLICIES}/${MISSING}`,
      method === 'PUT' ? { l7policy: { name: 'x' } } : undefined,
    );
    t.equal(r.status, 404, method);
    t.equal(fault(r), `L7 Policy ${MISSING} not found.`);
  }
});

t.test('actions and their redirect attributes at create', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, listener, pool } = await fixture(h);
  const url = 'http://www.example.com';
  const cases: [Record<string, unknown>, Record<string, unknown>][] = [
    [{}, { action: 'REJECT', redirect_http_code: null }],
    [
      { action: 'REDIRECT_TO_URL', redirect_url: url },
      { redirect_url: url, redirect_http_code: 302 },
    ],
    [
      { action: 'REDIRECT_TO_URL', redirect_url: 'https://a.example.com/x?y#z', redirect_http_code: 301 },
      { redirect_http_code: 301 },
    ],
    [
      { action: 'REDIRECT_PREFIX', redirect_prefix: 'https://example.com', redirect_http_code: 308 },
      { redirect_prefix: 'https://example.com', redirect_url: null, redirect_http_code: 308 },
    ],
    [{ action: 'REDIRECT_PREFIX', redirect_prefix: url }, { redirect_http_code: 302 }],
    [
      { action: 'REDIRECT_TO_POOL', redirect_pool_id: pool.id, redirect_http_code: 308 },
      { redirect_pool_id: pool.id, redirect_http_code: null, redirect_url: null },
    ],
    // Octavia's sanitizing: REJECT and a URL redirect drop a pool; a prefix given makes
    // a prefix redirect.
    [
      { action: 'REJECT', redirect_pool_id: pool.id },
      { action: 'REJECT', redirect_pool_id: null },
    ],
    [
      { action: 'REDIRECT_TO_URL', redirect_url: url, redirect_pool_id: pool.id },
      { action: 'REDIRECT_TO_URL', redirect_pool_id: null },
    ],
    [
      { action: 'REJECT', redirect_prefix: url },
      { action: 'REDIRECT_PREFIX', redirect_prefix: url, redirect_http_code: 302 },
    ],
    [
      { action: 'REDIRECT_TO_POOL', redirect_pool_id: pool.id, admin_state_up: null, position: null },
      { admin_state_up: false },
    ],
  ];
  for (const [body, expected] of cases) {
    const r = await postPolicy(h, listener.id, body);
    t.equal(r.status, 201, JSON.stringify(body));
    t.match(r.body.l7policy, expected, JSON.stringify(body));
    await h.activate(lb.id);
  }
  t.same(
    (await positions(h, listener.id)).map(([, p]) => p),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    'appended in order',
  );
});

t.test('validation errors of a create', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, listener, pool } = await fixture(h);
  const other = await activeLb(h);
  const otherPool = await poolRow(h, other.id);
  const tcpPool = await poolRow(h, lb.id, 'TCP');
  const cases: [Record<string, unknown>, number, string | RegExp][] = [
    [{ action: undefined }, 400, invalid('action', 'None', 'Mandatory field missing.')],
    [{ listener_id: undefined }, 400, invalid('listener_id', 'None', 'Mandatory field missing.')],
    [{ action: null }, 400, 'Invalid L7 Policy action specified: None'],
    [
      { action: 'bad action' },
      400,
      /^Invalid input for field\/attribute action\. Value: 'bad action'\. Value should be one of: /,
    ],
    [{ listener_id: null }, 404, 'Listener None not found.'],
    [{ listener_id: MISSING }, 404, `Listener ${MISSING} not found.`],
    [{ listener_id: 'not-a-uuid' }, 400, /listener_id/],
    [{ action: 'REDIRECT_TO_URL' }, 400, 'Invalid L7 Policy arguments: redirect_url must not be None'],
    [
      { action: 'REDIRECT_TO_URL', redirect_url: null },
      400,
      'Invalid L7 Policy arguments: redirect_url must not be None',
    ],
    [
      { action: 'REDIRECT_TO_POOL' },
      400,
      'Invalid L7 Policy arguments: redirect_pool_id or redirect_pool must not be None',
    ],
    [{ action: 'REDIRECT_PREFIX' }, 400, 'Invalid L7 Policy arguments: redirect_prefix must not be None'],
    [
      { action: 'REDIRECT_TO_POOL', redirect_pool_id: pool.id, redirect_prefix: 'http://a.example.com' },
      400,
      'Invalid L7 Policy arguments: Cannot specify redirect_pool_id and redirect_url or redirect_prefix at the same time',
    ],
    [
      { action: 'REDIRECT_TO_URL', redirect_url: 'bad url' },
      400,
      invalid('redirect_url', 'bad url', 'Value must be a valid URL string'),
    ],
  ];
  for (const badUrl of [
    'www.example.com',
    'ftp://example.com',
    'HTTP://example.com',
    'http://',
    'http://a|b',
    'http://a/\nb',
  ]) {
    cases.push([
      { action: 'REDIRECT_TO_URL', redirect_url: badUrl },
      400,
      invalid('redirect_url', badUrl, 'Value must be a valid URL string'),
    ]);
  }
  cases.push(
    [
      { action: 'REDIRECT_PREFIX', redirect_prefix: 'example' },
      400,
      invalid('redirect_prefix', 'example', 'Value must be a valid URL string'),
    ],
    [
      { action: 'REDIRECT_TO_URL', redirect_url: 'http://a.example.com', redirect_http_code: 1 },
      400,
      /^Invalid input for field\/attribute redirect_http_code\. Value: '1'\. Value should be one of: 301, 302, 303, 307, 308/,
    ],
    [
      { action: 'REDIRECT_TO_URL', redirect_url: 'http://a.example.com', redirect_http_code: '' },
      400,
      /redirect_http_code/,
    ],
    [
      { action: 'REDIRECT_TO_URL', redirect_url: 'http://a.example.com', redirect_http_code: 'HTTPCODE' },
      400,
      /redirect_http_code/,
    ],
    [{ position: 0 }, 400, invalid('position', '0', 'Value should be greater or equal to 1')],
    [
      { position: 2147483648 },
      400,
      invalid('position', '2147483648', 'Value should be lower or equal to 2147483647'),
    ],
    [{ position: 'first' }, 400, /position/],
    [{ name: 'x'.repeat(256) }, 400, /name/],
    [{ description: 'x'.repeat(256) }, 400, /description/],
    [{ tags: ['x'.repeat(256)] }, 400, /tags|0/],
    [{ admin_state_up: 'yes' }, 400, /admin_state_up/],
    [{ surprise: 1 }, 400, 'Unknown attribute for argument l7policy: surprise'],
    [{ redirect_pool_id: MISSING }, 404, `Pool ${MISSING} not found.`],
    [{ action: 'REDIRECT_TO_POOL', redirect_pool_id: MISSING }, 404, `Pool ${MISSING} not found.`],
    [{ action: 'REDIRECT_TO_POOL', redirect_pool_id: otherPool.id }, 404, `Pool ${otherPool.id} not found.`],
    [
      { action: 'REDIRECT_TO_POOL', redirect_pool_id: tcpPool.id },
      400,
      "Validation failure: The pool protocol 'TCP' is invalid while the listener protocol is 'HTTP'.",
    ],
  );
  for (const [body, status, message] of cases) {
    const r = await postPolicy(h, listener.id, body);
    t.equal(r.status, status, JSON.stringify(body));
    t.match(fault(r), message, JSON.stringify(body));
  }
  let r = await h.req('POST', POLICIES, { listener_id: listener.id, action: 'REJECT' });
  t.equal(r.status, 400, 'the body must be under "l7policy"');
  t.equal((await h.req('GET', POLICIES)).body.l7policies.length, 0, 'nothing was created');
  t.equal(await provisioning(h, `/v2/lbaas/loadbalancers/${lb.id}`, 'loadbalancer'), 'ACTIVE');
  t.equal(await provisioning(h, `/v2/lbaas/listeners/${listener.id}`, 'listener'), 'ACTIVE');

  const tcp = await activeListener(h, lb.id);
  r = await postPolicy(h, tcp.id);
  t.equal(r.status, 501, 'the amphora provider refuses L7 policies on TCP listeners');
  t.equal(
    fault(r),
    "Provider 'amphora' does not support a requested option: TCP protocol listeners do not support L7 policies",
  );
  t.equal(await provisioning(h, `/v2/lbaas/loadbalancers/${lb.id}`, 'loadbalancer'), 'ACTIVE', 'rolled back');
  const prometheus = await listenerRow(h, lb.id, 'PROMETHEUS');
  r = await postPolicy(h, prometheus.id);
  t.equal(r.status, 400);
  t.equal(fault(r), 'Protocol PROMETHEUS listeners cannot have child objects.');
});

t.test('the redirect pool must speak what the listener sends', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const valid: Record<string, string[]> = {
    HTTP: ['HTTP', 'PROXY', 'PROXYV2'],
    TERMINATED_HTTPS: ['HTTP', 'PROXY', 'PROXYV2'],
  };
  const invalidPools: Record<string, string[]> = {
    HTTP: ['HTTPS', 'TCP', 'UDP', 'SCTP'],
    TERMINATED_HTTPS: ['HTTPS', 'TCP', 'UDP', 'SCTP'],
  };
  for (const listenerProtocol of Object.keys(valid)) {
    const l = await listenerRow(h, lb.id, listenerProtocol);
    for (const protocol of valid[listenerProtocol]!) {
      const p = await poolRow(h, lb.id, protocol);
      const r = await postPolicy(h, l.id, { action: 'REDIRECT_TO_POOL', redirect_pool_id: p.id });
      t.equal(r.status, 201, `${listenerProtocol} -> ${protocol}`);
      await h.activate(lb.id);
      const put = await h.req('PUT', `${POLICIES}/${r.body.l7policy.id}`, {
        l7policy: { redirect_pool_id: p.id },
      });
      t.equal(put.status, 200, `update ${listenerProtocol} -> ${protocol}`);
      await h.activate(lb.id);
    }
    const reject = await activePolicy(h, lb.id, l.id);
    for (const protocol of invalidPools[listenerProtocol]!) {
      const p = await poolRow(h, lb.id, protocol);
      const message = `Validation failure: The pool protocol '${protocol}' is invalid while the listener protocol is '${listenerProtocol}'.`;
      let r = await postPolicy(h, l.id, { action: 'REDIRECT_TO_POOL', redirect_pool_id: p.id });
      t.equal(r.status, 400);
      t.equal(fault(r), message);
      r = await h.req('PUT', `${POLICIES}/${reject.id}`, { l7policy: { redirect_pool_id: p.id } });
      t.equal(r.status, 400);
      t.equal(fault(r), message);
    }
  }
});

t.test('updates: actions, redirect attributes, Octavia quirks and errors', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, listener, pool } = await fixture(h);
  const p = await activePolicy(h, lb.id, listener.id);
  const put = (body: Record<string, unknown>) => h.req('PUT', `${POLICIES}/${p.id}`, { l7policy: body });
  const steps: [Record<string, unknown>, Record<string, unknown>][] = [
    [
      { action: 'REDIRECT_TO_URL', redirect_url: 'http://www.example.com', redirect_http_code: 308 },
      { action: 'REDIRECT_TO_URL', redirect_http_code: 308 },
    ],
    [{ redirect_http_code: 301 }, { action: 'REDIRECT_TO_URL', redirect_http_code: 301 }],
    [{ redirect_http_code: null }, { redirect_http_code: null }],
    // A new URL without a code falls back to 302, as in Octavia.
    [
      { redirect_url: 'http://new.example.com' },
      { redirect_url: 'http://new.example.com', redirect_http_code: 302 },
    ],
    [
      { redirect_pool_id: pool.id },
      { action: 'REDIRECT_TO_POOL', redirect_pool_id: pool.id, redirect_url: null, redirect_http_code: null },
    ],
    [
      { redirect_prefix: 'https://example.com' },
      {
        action: 'REDIRECT_PREFIX',
        redirect_prefix: 'https://example.com',
        redirect_pool_id: null,
        redirect_http_code: 302,
      },
    ],
    [
      { action: 'REJECT' },
      {
        action: 'REJECT',
        redirect_prefix: null,
        redirect_url: null,
        redirect_pool_id: null,
        redirect_http_code: null,
      },
    ],
    [
      { name: null, tags: null, admin_state_up: null },
      { name: '', tags: [], admin_state_up: false },
    ],
    [
      { admin_state_up: true, name: 'n' },
      { admin_state_up: true, name: 'n', action: 'REJECT' },
    ],
  ];
  for (const [body, expected] of steps) {
    const r = await put(body);
    t.equal(r.status, 200, JSON.stringify(body));
    t.match(r.body.l7policy, { ...expected, provisioning_status: 'PENDING_UPDATE' }, JSON.stringify(body));
    await h.activate(lb.id);
  }
  const cases: [Record<string, unknown>, number, string | RegExp][] = [
    [{}, 400, 'Invalid L7 Policy arguments: Invalid update options'],
    [{ action: null }, 400, 'Invalid L7 Policy action specified: None'],
    [{ action: 'bad action' }, 400, /^Invalid input for field\/attribute action/],
    [{ action: 'REDIRECT_TO_URL' }, 400, 'Invalid L7 Policy arguments: redirect_url must not be None'],
    [{ listener_id: listener.id }, 400, 'Unknown attribute for argument l7policy: listener_id'],
    [
      { redirect_url: 'bad-url' },
      400,
      invalid('redirect_url', 'bad-url', 'Value must be a valid URL string'),
    ],
    [{ redirect_http_code: '' }, 400, /redirect_http_code/],
    [{ position: 0 }, 400, invalid('position', '0', 'Value should be greater or equal to 1')],
    [{ redirect_pool_id: MISSING }, 404, `Pool ${MISSING} not found.`],
    [{ rules: [] }, 400, 'Unknown attribute for argument l7policy: rules'],
  ];
  for (const [body, status, message] of cases) {
    const r = await put(body);
    t.equal(r.status, status, JSON.stringify(body));
    t.match(fault(r), message, JSON.stringify(body));
  }
  t.equal(
    await provisioning(h, `/v2/lbaas/loadbalancers/${lb.id}`, 'loadbalancer'),
    'ACTIVE',
    'refusals change nothing',
  );
  t.equal(await provisioning(h, `${POLICIES}/${p.id}`, 'l7policy'), 'ACTIVE');
});

t.test('positions: insert, append, move and close up', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, listener } = await fixture(h);
  const a = await activePolicy(h, lb.id, listener.id, { name: 'a' });
  const b = await activePolicy(h, lb.id, listener.id, { name: 'b' });
  t.equal(a.position, 1);
  t.equal(b.position, 2);
  const c = await activePolicy(h, lb.id, listener.id, { name: 'c', position: 1 });
  t.equal(c.position, 1, 'inserted where asked');
  t.same(
    await positions(h, listener.id),
    [
      [c.id, 1],
      [a.id, 2],
      [b.id, 3],
    ],
    'the others moved down',
  );
  const d = await activePolicy(h, lb.id, listener.id, { name: 'd', position: 99 });
  t.equal(d.position, 4, 'past the end: appended');
  const e = await activePolicy(h, lb.id, listener.id, { name: 'e', position: 4 });
  t.same(await positions(h, listener.id), [
    [c.id, 1],
    [a.id, 2],
    [b.id, 3],
    [e.id, 4],
    [d.id, 5],
  ]);

  // A second listener numbers its own policies.
  const other = await listenerRow(h, lb.id);
  t.equal((await activePolicy(h, lb.id, other.id, { position: 3 })).position, 1);

  let r = await h.req('PUT', `${POLICIES}/${d.id}`, { l7policy: { position: 1 } });
  t.equal(r.body.l7policy.position, 1);
  await h.activate(lb.id);
  t.same(await positions(h, listener.id), [
    [d.id, 1],
    [c.id, 2],
    [a.id, 3],
    [b.id, 4],
    [e.id, 5],
  ]);
  r = await h.req('PUT', `${POLICIES}/${d.id}`, { l7policy: { position: 50 } });
  t.equal(r.body.l7policy.position, 5, 'moved past the end: last');
  await h.activate(lb.id);
  r = await h.req('PUT', `${POLICIES}/${a.id}`, { l7policy: { position: 2, name: 'a2' } });
  t.equal(r.body.l7policy.position, 2);
  await h.activate(lb.id);
  t.same(await positions(h, listener.id), [
    [c.id, 1],
    [a.id, 2],
    [b.id, 3],
    [e.id, 4],
    [d.id, 5],
  ]);
  r = await h.req('PUT', `${POLICIES}/${a.id}`, { l7policy: { position: null } });
  t.equal(r.body.l7policy.position, 2, 'null keeps the position');
  await h.activate(lb.id);

  await h.req('DELETE', `${POLICIES}/${c.id}`);
  t.same(
    (await positions(h, listener.id)).map(([, p]) => p),
    [1, 2, 3, 4, 5],
    'a policy being deleted keeps its place',
  );
  await h.activate(lb.id);
  t.same(
    await positions(h, listener.id),
    [
      [a.id, 1],
      [b.id, 2],
      [e.id, 3],
      [d.id, 4],
    ],
    'closed up once deleted',
  );
  r = await h.req('GET', `/v2/lbaas/listeners/${listener.id}`);
  t.same(
    r.body.listener.l7policies,
    [a, b, e, d].map((p) => ({ id: p.id })),
    'the listener lists them in order',
  );
});

t.test('list: pagination, sorting, filters, fields and tags', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, listener, pool } = await fixture(h);
  const other = await listenerRow(h, lb.id);
  const p1 = await activePolicy(h, lb.id, listener.id, { name: 'one', tags: ['t1', 't2'] });
  const p2 = await activePolicy(h, lb.id, listener.id, {
    name: 'two',
    action: 'REDIRECT_TO_POOL',
    redirect_pool_id: pool.id,
    tags: ['t2'],
  });
  const p3 = await activePolicy(h, lb.id, other.id, {
    name: 'three',
    action: 'REDIRECT_TO_URL',
    redirect_url: 'http://www.example.com',
    redirect_http_code: 307,
  });
  // Created within one second: distinct creation times make the default order certain.
  for (const [i, p] of [p1, p2, p3].entries()) {
    await h.db
      .updateTable('l7policy')
      .set({ created_at: `2026-01-01T00:00:0${i}` })
      .where('id', '=', p.id)
      .execute();
  }
  const names = async (query: string) => {
    const r = await h.req('GET', `${POLICIES}?${query}`);
    t.equal(r.status, 200, query);
    return r.body.l7policies.map((p: { name: string }) => p.name);
  };
  t.same(await names(''), ['one', 'two', 'three']);
  t.same(await names('sort=name:asc'), ['one', 'three', 'two']);
  t.same(await names('sort_key=name&sort_dir=desc'), ['two', 'three', 'one']);
  t.same(await names('sort=position:desc,name:asc'), ['two', 'one', 'three']);
  t.same(await names('action=REJECT'), ['one']);
  t.same(await names(`listener_id=${other.id}`), ['three']);
  t.same(await names(`redirect_pool_id=${pool.id}`), ['two']);
  t.same(await names('redirect_http_code=307'), ['three']);
  t.same(await names('position=2'), ['two']);
  t.same(await names('admin_state_up=true&name=one'), ['one']);
  t.same(await names('tags=t2'), ['one', 'two']);
  t.same(await names('tags=t1,t2'), ['one']);
  t.same(await names('tags-any=t1,t9'), ['one']);
  t.same(await names('not-tags=t2'), ['three']);
  t.same(await names('not-tags-any=t1'), ['two', 'three']);

  let r = await h.req('GET', `${POLICIES}?limit=2`);
  t.same(
    r.body.l7policies.map((p: { id: string }) => p.id),
    [p1.id, p2.id],
  );
  t.equal(r.body.l7policies_links.length, 1);
  t.equal(r.body.l7policies_links[0].rel, 'next');
  t.match(r.body.l7policies_links[0].href, `marker=${p2.id}`);
  r = await h.req('GET', `${POLICIES}?limit=2&marker=${p2.id}`);
  t.same(
    r.body.l7policies.map((p: { id: string }) => p.id),
    [p3.id],
  );
  t.same(
    r.body.l7policies_links.map((l: { rel: string }) => l.rel),
    ['previous'],
  );
  r = await h.req('GET', `${POLICIES}?fields=id,position`);
  t.same(r.body.l7policies[0], { id: p1.id, position: 1 });
  r = await h.req('GET', `${POLICIES}?rules=x`);
  t.equal(r.status, 400);
  t.equal(fault(r), 'One or more arguments are either duplicate or invalid');
  r = await h.req('GET', `${POLICIES}?sort=rules`);
  t.equal(r.status, 400);
  t.equal(fault(r), "Supplied sort key 'rules' is not valid.");
  r = await h.req('GET', `${POLICIES}?marker=${MISSING}`);
  t.equal(r.status, 400);
  t.equal(fault(r), `Supplied pagination marker '${MISSING}' is not valid.`);
});

t.test('projects', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const p1 = { 'x-project-id': 'p1' };
  const p2 = { 'x-project-id': 'p2' };
  const reader = { 'x-project-id': 'p1', 'x-roles': 'load-balancer_observer' }; // Octavia: plain 'reader' reads nothing
  const lb = await activeLb(h, {}, p1);
  const listener = await listenerRow(h, lb.id);
  let r = await postPolicy(h, listener.id, {}, p2);
  t.equal(r.status, 403);
  t.equal(fault(r), 'Policy does not allow this request to be performed.');
  t.equal((await postPolicy(h, listener.id, {}, reader)).status, 403, 'a reader may not create');
  r = await postPolicy(h, listener.id, { project_id: 'p2' }, p1);
  t.equal(r.status, 201);
  t.equal(r.body.l7policy.project_id, 'p1', 'the policy belongs to the project of its load balancer');
  const id = r.body.l7policy.id;
  await h.activate(lb.id);
  t.equal((await h.req('GET', `${POLICIES}/${id}`, undefined, p2)).status, 403);
  t.equal((await h.req('GET', `${POLICIES}/${id}`, undefined, reader)).status, 200);
  t.equal((await h.req('GET', POLICIES, undefined, p2)).body.l7policies.length, 0);
  t.equal((await h.req('GET', POLICIES, undefined, p1)).body.l7policies.length, 1);
  t.equal((await h.req('GET', `${POLICIES}?project_id=p2`, undefined, p1)).status, 403);
  t.equal(
    (await h.req('GET', `${POLICIES}?project_id=p1`)).body.l7policies.length,
    1,
    'the operator filters',
  );
  t.equal((await h.req('GET', `${POLICIES}?project_id=p2`)).body.l7policies.length, 0);
  t.equal((await h.req('PUT', `${POLICIES}/${id}`, { l7policy: { name: 'x' } }, p2)).status, 403);
  t.equal((await h.req('PUT', `${POLICIES}/${id}`, { l7policy: { name: 'x' } }, reader)).status, 403);
  t.equal((await h.req('DELETE', `${POLICIES}/${id}`, undefined, p2)).status, 403);
  t.equal((await h.req('DELETE', `${POLICIES}/${id}`, undefined, p1)).status, 204);
});

t.test('quota', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, listener } = await fixture(h);
  let r = await h.req('PUT', `/v2/lbaas/quotas/${lb.project_id}`, { quota: { l7policy: 1, l7rule: 1 } });
  t.equal(r.status, 202);
  await activePolicy(h, lb.id, listener.id);
  r = await postPolicy(h, listener.id);
  t.equal(r.status, 403);
  t.equal(fault(r), 'Quota has been met for resources: L7 Policy');
  t.equal(await provisioning(h, `/v2/lbaas/loadbalancers/${lb.id}`, 'loadbalancer'), 'ACTIVE');
  await h.req('PUT', `/v2/lbaas/quotas/${lb.project_id}`, { quota: { l7policy: -1 } });
  const rule = { type: 'PATH', compare_type: 'STARTS_WITH', value: '/a' };
  r = await postPolicy(h, listener.id, { rules: [rule, rule] });
  t.equal(r.status, 403, 'inline rules count against the rule quota');
  t.equal(fault(r), 'Quota has been met for resources: L7 Rule');
});

t.test('rules given at create', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, listener } = await fixture(h);
  const rules = [
    { type: 'PATH', compare_type: 'STARTS_WITH', value: '/api' },
    { type: 'HEADER', compare_type: 'EQUAL_TO', key: 'X-Env', value: 'prod', invert: true, tags: ['r'] },
  ];
  let r = await postPolicy(h, listener.id, { rules });
  t.equal(r.status, 201);
  const p = r.body.l7policy;
  t.equal(p.rules.length, 2);
  r = await h.req('GET', `${POLICIES}/${p.id}/rules?sort=type:desc`);
  t.match(r.body.rules, [
    { type: 'PATH', value: '/api', invert: false, provisioning_status: 'PENDING_CREATE' },
    { type: 'HEADER', key: 'X-Env', invert: true, tags: ['r'] },
  ]);
  await h.activate(lb.id);
  r = await h.req('GET', `${POLICIES}/${p.id}/rules`);
  t.match(r.body.rules, [
    { provisioning_status: 'ACTIVE', operating_status: 'ONLINE' },
    { provisioning_status: 'ACTIVE', operating_status: 'ONLINE' },
  ]);
  const cases: [unknown[], number, string | RegExp][] = [
    [
      [{ type: 'HEADER', compare_type: 'EQUAL_TO', value: 'x' }],
      400,
      'Error parsing L7Rule: Invalid L7 Rule: L7 rule type requires a key',
    ],
    [[{ type: 'PATH', compare_type: 'EQUAL_TO' }], 400, invalid('value', 'None', 'Mandatory field missing.')],
    [[{ type: 'PATH', compare_type: 'EQUAL_TO', value: 'x', surprise: 1 }], 400, /surprise/],
    [Array(51).fill(rules[0]), 409, /^Too many rules on L7 policy /],
  ];
  for (const [inline, status, message] of cases) {
    r = await postPolicy(h, listener.id, { rules: inline });
    t.equal(r.status, status);
    t.match(fault(r), message);
  }
  t.equal((await h.req('GET', POLICIES)).body.l7policies.length, 1, 'nothing else was created');
});

t.test('cascades, the status tree, pools in use and the worker graph', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, listener, pool } = await fixture(h);
  const rule = { type: 'PATH', compare_type: 'STARTS_WITH', value: '/api' };
  const withRule = await activePolicy(h, lb.id, listener.id, {
    action: 'REDIRECT_TO_POOL',
    redirect_pool_id: pool.id,
    rules: [rule],
  });
  const ruleId = (await h.req('GET', `${POLICIES}/${withRule.id}`)).body.l7policy.rules[0].id;
  const unused = await poolRow(h, lb.id);
  await activePolicy(h, lb.id, listener.id, { action: 'REDIRECT_TO_POOL', redirect_pool_id: unused.id });

  let r = await h.req('GET', `/v2/lbaas/pools/${pool.id}`);
  t.same(r.body.pool.listeners, [{ id: listener.id }], 'a policy with rules makes its listener use the pool');
  r = await h.req('GET', `/v2/lbaas/pools/${unused.id}`);
  t.same(r.body.pool.listeners, [], 'a policy without rules does not');
  r = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}/status`);
  t.same(
    r.body.statuses.loadbalancer.listeners[0].pools.map((p: { id: string }) => p.id),
    [pool.id],
    'the status tree shows the redirect pool under the listener',
  );

  // A change of the redirect pool marks the listener that uses it through L7.
  r = await h.req('PUT', `/v2/lbaas/pools/${pool.id}`, { pool: { name: 'x' } });
  t.equal(r.status, 200);
  t.equal(await provisioning(h, `/v2/lbaas/listeners/${listener.id}`, 'listener'), 'PENDING_UPDATE');
  await h.activate(lb.id);

  r = await h.req('DELETE', `/v2/lbaas/pools/${pool.id}`);
  t.equal(r.status, 409);
  t.equal(fault(r), `Pool ${pool.id} is in use by L7 policy ${withRule.id}`);

  const graph = await loadLoadBalancerGraph(h.db, lb.id);
  t.same(
    graph?.l7policies?.map((g) => [g.policy.id, g.rules.map((x) => x.id)]),
    [
      [withRule.id, [ruleId]],
      [(await positions(h, listener.id))[1]![0], []],
    ],
    'the worker graph carries the policies and their rules',
  );
  const pending = (await postPolicy(h, listener.id)).body.l7policy.id;
  await markGraphError(h.db, lb.id);
  r = await h.req('GET', `${POLICIES}?sort=position`);
  t.same(
    r.body.l7policies.map((p: { id: string; provisioning_status: string }) => [p.id, p.provisioning_status]),
    [
      [withRule.id, 'ACTIVE'],
      [r.body.l7policies[1].id, 'ACTIVE'],
      [pending, 'ERROR'],
    ],
    'a failed sync marks the pending policy',
  );
  await h.activate(lb.id);

  r = await h.req('DELETE', `/v2/lbaas/listeners/${listener.id}`);
  t.equal(r.status, 204);
  t.equal(
    await provisioning(h, `${POLICIES}/${withRule.id}`, 'l7policy'),
    'PENDING_DELETE',
    'the listener takes its policies',
  );
  t.equal(
    await provisioning(h, `${POLICIES}/${withRule.id}/rules/${ruleId}`, 'rule'),
    'PENDING_DELETE',
    'and their rules',
  );
  await h.activate(lb.id);
  t.equal((await h.req('GET', `${POLICIES}/${withRule.id}`)).status, 404);
  t.equal((await h.req('GET', POLICIES)).body.l7policies.length, 0);
  t.equal((await h.req('DELETE', `/v2/lbaas/pools/${pool.id}`)).status, 204, 'the pool is free again');
  await h.activate(lb.id);

  // Load balancer cascade.
  const l2 = await listenerRow(h, lb.id);
  const p2 = await activePolicy(h, lb.id, l2.id, { rules: [rule] });
  r = await h.req('DELETE', `/v2/lbaas/loadbalancers/${lb.id}?cascade=true`);
  t.equal(r.status, 204);
  t.equal(
    await provisioning(h, `${POLICIES}/${p2.id}`, 'l7policy'),
    'PENDING_DELETE',
    'cascade marks policies',
  );
  r = await h.req('GET', `${POLICIES}/${p2.id}/rules`);
  t.equal(r.body.rules[0].provisioning_status, 'PENDING_DELETE', 'and rules');
  r = await h.req('DELETE', `${POLICIES}/${p2.id}`);
  t.equal(r.status, 409, 'a load balancer being deleted');
  t.equal(fault(r), `Load Balancer ${lb.id} is immutable and cannot be updated.`);
});

t.test('a pool used by a listener as default pool and through L7 is listed once', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, listener, pool } = await fixture(h);
  let r = await h.req('PUT', `/v2/lbaas/listeners/${listener.id}`, {
    listener: { default_pool_id: pool.id },
  });
  t.equal(r.status, 200);
  await h.activate(lb.id);
  await activePolicy(h, lb.id, listener.id, {
    redirect_pool_id: pool.id,
    rules: [{ type: 'PATH', compare_type: 'STARTS_WITH', value: '/' }],
  });
  r = await h.req('GET', `/v2/lbaas/pools/${pool.id}`);
  t.same(r.body.pool.listeners, [{ id: listener.id }]);
  r = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}/status`);
  t.same(
    r.body.statuses.loadbalancer.listeners[0].pools.map((p: { id: string }) => p.id),
    [pool.id],
  );
});
