// /v2/lbaas/l7policies/{l7policy_id}/rules: status codes, error bodies, what each
// rule type and compare type accepts, the policy and load balancer gates, list
// features, projects, quotas and the 50-rule limit.
import t from 'tap';
import { activeLb, fault, harness, type Harness } from './helpers.js';
import { MISSING, POLICIES, activePolicy, listenerRow, provisioning } from './l7-helpers.js';

const invalid = (field: string, value: string, reason: string) =>
  `Invalid input for field/attribute ${field}. Value: '${value}'. ${reason}`;
const parsing = (msg: string) => `Error parsing L7Rule: ${msg}`;
const rule = (msg: string) => parsing(`Invalid L7 Rule: ${msg}`);
const PATH_RULE = { type: 'PATH', compare_type: 'STARTS_WITH', value: '/api' };

/** An ACTIVE load balancer, HTTP listener and REJECT policy. */
async function fixture(h: Harness, headers?: Record<string, string>) {
  const lb = await activeLb(h, {}, headers);
  const listener = await listenerRow(h, lb.id);
  const policy = await activePolicy(h, lb.id, listener.id);
  return { lb, listener, policy, rules: `${POLICIES}/${policy.id}/rules` };
}

t.test('create, show, list, update, delete', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, listener, policy, rules } = await fixture(h);

  let r = await h.req('POST', rules, { rule: { ...PATH_RULE, tags: ['a'] } });
  t.equal(r.status, 201);
  const rl = r.body.rule;
  t.same(Object.keys(rl).sort(), [
    'admin_state_up',
    'compare_type',
    'created_at',
    'id',
    'invert',
    'key',
    'operating_status',
    'project_id',
    'provisioning_status',
    'tags',
    'tenant_id',
    'type',
    'updated_at',
    'value',
  ]);
  t.match(rl, {
    type: 'PATH',
    compare_type: 'STARTS_WITH',
    key: null,
    value: '/api',
    invert: false,
    admin_state_up: true,
    project_id: lb.project_id,
    tenant_id: lb.project_id,
    provisioning_status: 'PENDING_CREATE',
    operating_status: 'OFFLINE',
    tags: ['a'],
    updated_at: null,
  });
  t.equal(
    await provisioning(h, `${POLICIES}/${policy.id}`, 'l7policy'),
    'PENDING_UPDATE',
    'the policy is marked',
  );
  t.equal(await provisioning(h, `/v2/lbaas/listeners/${listener.id}`, 'listener'), 'PENDING_UPDATE');
  t.equal(await provisioning(h, `/v2/lbaas/loadbalancers/${lb.id}`, 'loadbalancer'), 'PENDING_UPDATE');
  r = await h.req('GET', `${POLICIES}/${policy.id}`);
  t.same(r.body.l7policy.rules, [{ id: rl.id }], 'the policy shows its rules');

  r = await h.req('POST', rules, { rule: PATH_RULE });
  t.equal(r.status, 409);
  t.equal(fault(r), `L7Policy ${policy.id} is immutable and cannot be updated.`, 'the policy is pending');
  await h.activate(lb.id);
  t.match((await h.req('GET', `${POLICIES}/${policy.id}`)).body.l7policy, {
    provisioning_status: 'ACTIVE',
    operating_status: 'ONLINE',
  });

  r = await h.req('GET', `${rules}/${rl.id}`);
  t.equal(r.status, 200);
  t.match(r.body.rule, { provisioning_status: 'ACTIVE', operating_status: 'ONLINE' });
  r = await h.req('GET', `/v2.0/lbaas/l7policies/${policy.id}/rules/${rl.id}?fields=id,value`);
  t.same(r.body.rule, { id: rl.id, value: '/api' }, 'the /v2.0 alias and fields=');
  r = await h.req('GET', rules);
  t.equal(r.body.rules.length, 1);
  t.same(r.body.rules_links, []);

  r = await h.req('PUT', `${rules}/${rl.id}`, {
    rule: { type: 'HOST_NAME', compare_type: 'ENDS_WITH', value: '.example.com', invert: true, tags: ['b'] },
  });
  t.equal(r.status, 200);
  t.match(r.body.rule, {
    type: 'HOST_NAME',
    compare_type: 'ENDS_WITH',
    value: '.example.com',
    invert: true,
    tags: ['b'],
    provisioning_status: 'PENDING_UPDATE',
  });
  t.not(r.body.rule.updated_at, null);
  t.equal(await provisioning(h, `${POLICIES}/${policy.id}`, 'l7policy'), 'PENDING_UPDATE');
  await h.activate(lb.id);
  r = await h.req('PUT', `${rules}/${rl.id}`, { rule: { invert: null, admin_state_up: false } });
  t.match(r.body.rule, { invert: false, admin_state_up: false }, 'invert null is False');
  await h.activate(lb.id);
  t.match((await h.req('GET', `${rules}/${rl.id}`)).body.rule, { operating_status: 'OFFLINE' }, 'disabled');
  r = await h.req('PUT', `${rules}/${rl.id}`, { rule: { admin_state_up: null, tags: null } });
  t.match(r.body.rule, { admin_state_up: false, tags: [] }, 'admin_state_up null is False');
  await h.activate(lb.id);

  r = await h.req('DELETE', `${rules}/${rl.id}`);
  t.equal(r.status, 204);
  t.equal(r.raw.body, '');
  t.equal(await provisioning(h, `${rules}/${rl.id}`, 'rule'), 'PENDING_DELETE');
  t.equal(await provisioning(h, `${POLICIES}/${policy.id}`, 'l7policy'), 'PENDING_UPDATE');
  t.equal((await h.req('DELETE', `${rules}/${rl.id}`)).status, 409, 'delete is gated');
  await h.activate(lb.id);
  r = await h.req('GET', `${rules}/${rl.id}`);
  t.equal(r.status, 404);
  t.equal(fault(r), `L7 Rule ${rl.id} not found.`);
  t.same((await h.req('GET', `${POLICIES}/${policy.id}`)).body.l7policy.rules, []);

  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    const body = method === 'PUT' ? { rule: { value: 'x' } } : undefined;
    r = await h.req(method, `${rules}/${MISSING}`, body);
    t.equal(r.status, 404, method);
    t.equal(fault(r), `L7 Rule ${MISSING} not found.`);
    r = await h.req(method, `${POLICIES}/${MISSING}/rules/${MISSING}`, body);
    t.equal(r.status, 404, `${method}, unknown policy`);
    t.equal(fault(r), `L7Policy ${MISSING} not found.`);
  }
  for (const method of ['GET', 'POST'] as const) {
    r = await h.req(
      method,
      `${POLICIES}/${MISSING}/rules`,
      method === 'POST' ? { rule: PATH_RULE } : undefined,
    );
    t.equal(r.status, 404, `${method} collection, unknown policy`);
    t.equal(fault(r), `L7Policy ${MISSING} not found.`);
  }
});

t.test('a rule is reached through its own policy only', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, listener, rules } = await fixture(h);
  const other = await activePolicy(h, lb.id, listener.id);
  const rl = (await h.req('POST', rules, { rule: PATH_RULE })).body.rule;
  await h.activate(lb.id);
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    const r = await h.req(
      method,
      `${POLICIES}/${other.id}/rules/${rl.id}`,
      method === 'PUT' ? { rule: { value: '/x' } } : undefined,
    );
    t.equal(r.status, 404, method);
    t.equal(fault(r), `L7 Rule ${rl.id} not found.`);
  }
});

t.test('what each rule type and compare type accepts', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, rules } = await fixture(h);
  const accepted: Record<string, unknown>[] = [
    { type: 'HOST_NAME', compare_type: 'EQUAL_TO', value: 'www.example.com' },
    { type: 'HOST_NAME', compare_type: 'REGEX', value: '^(www|api)\\.example\\.com$' },
    { type: 'PATH', compare_type: 'CONTAINS', value: '"/a b"' },
    { type: 'PATH', compare_type: 'REGEX', value: '(?P<v>v[0-9]+)/(?P=v)' },
    { type: 'PATH', compare_type: 'REGEX', value: '(?i)^/API' },
    { type: 'FILE_TYPE', compare_type: 'EQUAL_TO', value: 'png' },
    { type: 'FILE_TYPE', compare_type: 'REGEX', value: 'png|jpe?g' },
    { type: 'HEADER', compare_type: 'STARTS_WITH', key: 'X-Forwarded-For', value: '10.' },
    { type: 'HEADER', compare_type: 'REGEX', key: 'User-Agent', value: '.*curl.*' },
    { type: 'COOKIE', compare_type: 'EQUAL_TO', key: 'session', value: 'abc=def,x' },
    { type: 'PATH', compare_type: 'EQUAL_TO', value: 'a\'b"c' },
    { type: 'SSL_CONN_HAS_CERT', compare_type: 'EQUAL_TO', value: 'tRuE' },
    { type: 'SSL_VERIFY_RESULT', compare_type: 'EQUAL_TO', value: '0' },
    { type: 'SSL_DN_FIELD', compare_type: 'STARTS_WITH', key: 'st-1', value: 'ST-FIELD1-PREFIX' },
    { type: 'PATH', compare_type: 'ENDS_WITH', value: '/x', invert: true, admin_state_up: false },
  ];
  for (const body of accepted) {
    const r = await h.req('POST', rules, { rule: body });
    t.equal(r.status, 201, JSON.stringify(body));
    t.match(r.body.rule, { ...body, admin_state_up: body['admin_state_up'] ?? true }, JSON.stringify(body));
    await h.activate(lb.id);
  }
});

t.test('validation errors of a create', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, policy, rules } = await fixture(h);
  const notEqual = (type: string) => rule(`L7rule type ${type} only supports the EQUAL_TO compare type.`);
  const cases: [Record<string, unknown>, string | RegExp][] = [
    [{ type: undefined }, invalid('type', 'None', 'Mandatory field missing.')],
    [{ compare_type: undefined }, invalid('compare_type', 'None', 'Mandatory field missing.')],
    [{ value: undefined }, invalid('value', 'None', 'Mandatory field missing.')],
    [{ type: 'BODY' }, /^Invalid input for field\/attribute type\. Value: 'BODY'\. Value should be one of: /],
    [{ compare_type: 'LIKE' }, /^Invalid input for field\/attribute compare_type\. Value: 'LIKE'/],
    [{ value: null }, rule('L7 rule type requires a value')],
    [{ value: '' }, rule('L7 rule type requires a value')],
    [{ type: null }, rule('invalid rule type')],
    [{ compare_type: null }, rule('invalid comparison type for rule type')],
    [{ value: 'a b' }, parsing('Invalid characters in comparison value')],
    [{ value: '/é' }, parsing('Invalid characters in comparison value')],
    [{ value: 'a\nb' }, invalid('value', 'a\nb', 'Value should match the pattern ^[^\\r\\n]*$')],
    [
      { value: 'x'.repeat(256) },
      invalid('value', 'x'.repeat(256), 'Value should have a maximum character requirement of 255'),
    ],
    [{ key: 'k\r' }, invalid('key', 'k\r', 'Value should match the pattern ^[^\\r\\n]*$')],
    [
      { compare_type: 'REGEX', value: 'bad string\\' },
      parsing('Unable to parse regular expression: \\ at end of pattern'),
    ],
    [
      { compare_type: 'REGEX', value: '[z-a]' },
      /^Error parsing L7Rule: Unable to parse regular expression: /,
    ],
    [
      { compare_type: 'REGEX', value: 'a\tb' },
      parsing('Unable to parse regular expression: contains control characters'),
    ],
    [
      { type: 'FILE_TYPE', compare_type: 'STARTS_WITH', value: 'png' },
      rule('invalid comparison type for rule type'),
    ],
    [
      { type: 'FILE_TYPE', compare_type: 'CONTAINS', value: 'png' },
      rule('invalid comparison type for rule type'),
    ],
    [{ type: 'HEADER', compare_type: 'CONTAINS', value: 'some-string' }, rule('L7 rule type requires a key')],
    [{ type: 'HEADER', compare_type: 'CONTAINS', key: '', value: 'v' }, rule('L7 rule type requires a key')],
    [
      { type: 'HEADER', compare_type: 'CONTAINS', key: 'bad key', value: 'v' },
      parsing('Invalid characters in key'),
    ],
    [
      { type: 'HEADER', compare_type: 'EQUAL_TO', key: 'X', value: 'un quoted' },
      parsing('Invalid characters in header value'),
    ],
    [
      { type: 'HEADER', compare_type: 'REGEX', key: 'X', value: '(' },
      /^Error parsing L7Rule: Unable to parse regular expression: /,
    ],
    [{ type: 'COOKIE', compare_type: 'EQUAL_TO', value: 'v' }, rule('L7 rule type requires a key')],
    [
      { type: 'COOKIE', compare_type: 'EQUAL_TO', key: 'bad cookie name', value: 'some-string' },
      parsing('Invalid characters in key'),
    ],
    [
      { type: 'COOKIE', compare_type: 'EQUAL_TO', key: 'c', value: 'a"b' },
      parsing('Invalid characters in cookie value'),
    ],
    [
      { type: 'COOKIE', compare_type: 'EQUAL_TO', key: 'c', value: 'a;b' },
      parsing('Invalid characters in cookie value'),
    ],
    [
      { type: 'SSL_CONN_HAS_CERT', compare_type: 'EQUAL_TO', key: 'no-need-key', value: 'true' },
      rule('L7rule type SSL_CONN_HAS_CERT does not use the "key" field.'),
    ],
    [
      { type: 'SSL_CONN_HAS_CERT', compare_type: 'EQUAL_TO', value: 'not-true-string' },
      rule('L7rule value not-true-string is not a boolean True string.'),
    ],
    [
      { type: 'SSL_CONN_HAS_CERT', compare_type: 'STARTS_WITH', value: 'tRUe' },
      notEqual('SSL_CONN_HAS_CERT'),
    ],
    [
      { type: 'SSL_VERIFY_RESULT', compare_type: 'EQUAL_TO', key: 'no-need-key', value: 'true' },
      rule('L7rule type SSL_VERIFY_RESULT does not use the "key" field.'),
    ],
    [
      { type: 'SSL_VERIFY_RESULT', compare_type: 'EQUAL_TO', value: 'true' },
      rule('L7rule type SSL_VERIFY_RESULT needs a int value, which is >= 0'),
    ],
    [
      { type: 'SSL_VERIFY_RESULT', compare_type: 'EQUAL_TO', value: '-1' },
      rule('L7rule type SSL_VERIFY_RESULT needs a int value, which is >= 0'),
    ],
    [{ type: 'SSL_VERIFY_RESULT', compare_type: 'STARTS_WITH', value: '0' }, notEqual('SSL_VERIFY_RESULT')],
    [
      { type: 'SSL_DN_FIELD', compare_type: 'REGEX', value: 'bad regex\\' },
      /^Error parsing L7Rule: Unable to parse regular expression: /,
    ],
    [
      { type: 'SSL_DN_FIELD', compare_type: 'REGEX', value: '^.test*$' },
      rule('L7rule type SSL_DN_FIELD needs to specify a key and a value.'),
    ],
    [
      { type: 'SSL_DN_FIELD', compare_type: 'REGEX', key: 'NOT_SUPPORTED_DN_FIELD', value: '^.test*$' },
      rule('Invalid L7rule distinguished name field.'),
    ],
    [{ invert: 'yes' }, /invert/],
    [{ tags: ['x'.repeat(256)] }, /tags|0/],
    [{ name: 'r' }, 'Unknown attribute for argument rule: name'],
  ];
  for (const [body, message] of cases) {
    const r = await h.req('POST', rules, { rule: { ...PATH_RULE, ...body } });
    t.equal(r.status, 400, JSON.stringify(body));
    t.match(fault(r), message, JSON.stringify(body));
  }
  t.equal((await h.req('GET', rules)).body.rules.length, 0, 'nothing was created');
  t.equal(await provisioning(h, `/v2/lbaas/loadbalancers/${lb.id}`, 'loadbalancer'), 'ACTIVE');
  t.equal(await provisioning(h, `${POLICIES}/${policy.id}`, 'l7policy'), 'ACTIVE');
});

t.test('an update keeps the rule valid', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, rules } = await fixture(h);
  const rl = (await h.req('POST', rules, { rule: PATH_RULE })).body.rule;
  await h.activate(lb.id);
  const put = (body: Record<string, unknown>) => h.req('PUT', `${rules}/${rl.id}`, { rule: body });
  const cases: [Record<string, unknown>, string | RegExp][] = [
    [
      { compare_type: 'REGEX', value: 'bad string\\' },
      /^Error parsing L7Rule: Unable to parse regular expression: /,
    ],
    [{ type: 'HEADER' }, rule('L7 rule type requires a key')],
    [{ type: 'FILE_TYPE' }, rule('invalid comparison type for rule type')],
    [{ value: null }, rule('L7 rule type requires a value')],
    [{ type: null }, rule('invalid rule type')],
    [
      { type: 'SSL_CONN_HAS_CERT', compare_type: 'EQUAL_TO', value: 'true', key: 'k' },
      rule('L7rule type SSL_CONN_HAS_CERT does not use the "key" field.'),
    ],
    [
      { type: 'SSL_VERIFY_RESULT', compare_type: 'EQUAL_TO' },
      rule('L7rule type SSL_VERIFY_RESULT needs a int value, which is >= 0'),
    ],
    [
      { type: 'SSL_DN_FIELD', compare_type: 'EQUAL_TO', key: '1x' },
      rule('Invalid L7rule distinguished name field.'),
    ],
    [{ value: 'a\nb' }, invalid('value', 'a\nb', 'Value should match the pattern ^[^\\r\\n]*$')],
    [{ l7policy_id: MISSING }, 'Unknown attribute for argument rule: l7policy_id'],
    [{ project_id: 'p' }, 'Unknown attribute for argument rule: project_id'],
  ];
  for (const [body, message] of cases) {
    const r = await put(body);
    t.equal(r.status, 400, JSON.stringify(body));
    t.match(fault(r), message, JSON.stringify(body));
  }
  t.equal(await provisioning(h, `${rules}/${rl.id}`, 'rule'), 'ACTIVE', 'refusals change nothing');
  const valid: Record<string, unknown>[] = [
    { type: 'HEADER', key: 'X-A', compare_type: 'EQUAL_TO', value: '"a b"' },
    { key: null, type: 'SSL_CONN_HAS_CERT', value: 'TRUE' },
    { type: 'SSL_VERIFY_RESULT', value: '10' },
    { type: 'SSL_DN_FIELD', key: 'CN', compare_type: 'REGEX', value: '^.*\\.example\\.com$' },
    { type: 'COOKIE', key: 'sid', compare_type: 'CONTAINS', value: 'x' },
  ];
  for (const body of valid) {
    const r = await put(body);
    t.equal(r.status, 200, JSON.stringify(body));
    t.match(r.body.rule, body, JSON.stringify(body));
    await h.activate(lb.id);
  }
});

t.test('the policy and its load balancer must be ACTIVE', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, policy, rules } = await fixture(h);
  const rl = (await h.req('POST', rules, { rule: PATH_RULE })).body.rule;
  await h.activate(lb.id);
  await h.db
    .updateTable('l7policy')
    .set({ provisioning_status: 'ERROR' })
    .where('id', '=', policy.id)
    .execute();
  const attempts = [
    () => h.req('POST', rules, { rule: PATH_RULE }),
    () => h.req('PUT', `${rules}/${rl.id}`, { rule: { value: '/b' } }),
    () => h.req('DELETE', `${rules}/${rl.id}`),
  ];
  for (const attempt of attempts) {
    const r = await attempt();
    t.equal(r.status, 409);
    t.equal(fault(r), `L7Policy ${policy.id} is immutable and cannot be updated.`);
  }
  await h.activate(lb.id);
  // The load balancer pending for another reason: Octavia names the load balancer.
  await h.req('PUT', `/v2/lbaas/loadbalancers/${lb.id}`, { loadbalancer: { name: 'busy' } });
  for (const attempt of attempts) {
    const r = await attempt();
    t.equal(r.status, 409);
    t.equal(fault(r), `Load Balancer ${lb.id} is immutable and cannot be updated.`);
  }
  t.equal(
    await provisioning(h, `${POLICIES}/${policy.id}`, 'l7policy'),
    'ACTIVE',
    'a refusal leaves the policy',
  );
  await h.activate(lb.id);
  t.equal((await h.req('DELETE', `${rules}/${rl.id}`)).status, 204);
});

t.test('at most 50 rules per policy', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, policy, rules } = await fixture(h);
  for (let i = 0; i < 50; i++) {
    const r = await h.req('POST', rules, { rule: { ...PATH_RULE, value: `/p${i}` } });
    t.equal(r.status, 201);
    await h.activate(lb.id);
  }
  const r = await h.req('POST', rules, { rule: PATH_RULE });
  t.equal(r.status, 409);
  t.equal(fault(r), `Too many rules on L7 policy ${policy.id}`);
});

t.test('list: pagination, sorting, filters, fields and tags', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, rules } = await fixture(h);
  const bodies = [
    { type: 'PATH', compare_type: 'STARTS_WITH', value: '/a', tags: ['t1'] },
    { type: 'HOST_NAME', compare_type: 'EQUAL_TO', value: 'b.example.com', invert: true, tags: ['t1', 't2'] },
    { type: 'HEADER', compare_type: 'CONTAINS', key: 'X-C', value: 'c' },
  ];
  const created: string[] = [];
  for (const [i, body] of bodies.entries()) {
    created.push((await h.req('POST', rules, { rule: body })).body.rule.id);
    await h.activate(lb.id);
    // Distinct creation times make the default order certain.
    await h.db
      .updateTable('l7rule')
      .set({ created_at: `2026-01-01T00:00:0${i}` })
      .where('id', '=', created[i]!)
      .execute();
  }
  const values = async (query: string) => {
    const r = await h.req('GET', `${rules}?${query}`);
    t.equal(r.status, 200, query);
    return r.body.rules.map((x: { value: string }) => x.value);
  };
  t.same(await values(''), ['/a', 'b.example.com', 'c']);
  t.same(await values('sort=type:asc'), ['c', 'b.example.com', '/a']);
  t.same(await values('sort_key=value&sort_dir=desc'), ['c', 'b.example.com', '/a']);
  t.same(await values('type=HEADER'), ['c']);
  t.same(await values('compare_type=EQUAL_TO'), ['b.example.com']);
  t.same(await values('invert=true'), ['b.example.com']);
  t.same(await values('invert=false'), ['/a', 'c']);
  t.same(await values('key=X-C'), ['c']);
  t.same(await values('tags=t1'), ['/a', 'b.example.com']);
  t.same(await values('tags-any=t2,t9'), ['b.example.com']);
  t.same(await values('not-tags=t1'), ['c']);
  t.same(await values('not-tags-any=t2'), ['/a', 'c']);
  let r = await h.req('GET', `${rules}?limit=1&marker=${created[0]}`);
  t.same(
    r.body.rules.map((x: { id: string }) => x.id),
    [created[1]],
  );
  t.same(r.body.rules_links.map((l: { rel: string }) => l.rel).sort(), ['next', 'previous']);
  r = await h.req('GET', `${rules}?fields=id&fields=type`);
  t.same(r.body.rules[0], { id: created[0], type: 'PATH' });
  r = await h.req('GET', `${rules}?name=x`);
  t.equal(r.status, 400, 'rules have no name');
  t.equal(fault(r), 'One or more arguments are either duplicate or invalid');
  r = await h.req('GET', `${rules}?invert=maybe`);
  t.equal(r.status, 400);
});

t.test('projects and quotas', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const p1 = { 'x-project-id': 'p1' };
  const p2 = { 'x-project-id': 'p2' };
  const global = { 'x-project-id': 'p3', 'x-roles': 'load-balancer_global_observer' };
  const { lb, rules } = await fixture(h, p1);
  let r = await h.req('POST', rules, { rule: PATH_RULE }, p2);
  t.equal(r.status, 403);
  t.equal(fault(r), 'Policy does not allow this request to be performed.');
  r = await h.req('POST', rules, { rule: { ...PATH_RULE, project_id: 'p2' } }, p1);
  t.equal(r.status, 201);
  t.equal(r.body.rule.project_id, 'p1', 'the rule belongs to the project of its load balancer');
  const id = r.body.rule.id;
  await h.activate(lb.id);
  t.equal((await h.req('GET', rules, undefined, p2)).status, 403);
  t.equal((await h.req('GET', `${rules}/${id}`, undefined, p2)).status, 403);
  t.equal((await h.req('GET', rules, undefined, global)).body.rules.length, 1, 'a global observer reads');
  t.equal((await h.req('POST', rules, { rule: PATH_RULE }, global)).status, 403, 'but does not write');
  t.equal((await h.req('PUT', `${rules}/${id}`, { rule: { value: '/x' } }, p2)).status, 403);
  t.equal((await h.req('DELETE', `${rules}/${id}`, undefined, p2)).status, 403);
  t.equal((await h.req('GET', `${rules}?project_id=p1`, undefined, p1)).body.rules.length, 1);

  r = await h.req('PUT', '/v2/lbaas/quotas/p1', { quota: { l7rule: 1 } });
  t.equal(r.status, 202);
  r = await h.req('POST', rules, { rule: PATH_RULE }, p1);
  t.equal(r.status, 403);
  t.equal(fault(r), 'Quota has been met for resources: L7 Rule');
  t.equal(await provisioning(h, `/v2/lbaas/loadbalancers/${lb.id}`, 'loadbalancer'), 'ACTIVE');
});
