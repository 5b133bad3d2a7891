// POST /v2/lbaas/loadbalancers with listeners and pools (Octavia's single-call graph
// create): the full response, pools referenced by name, one transaction and one job,
// the quotas of the whole graph, and every refusal leaving no row behind.
import t from 'tap';
import {
  PRIVATE_SUBNET,
  PUBLIC_SUBNET,
  activeLb,
  activePool,
  fault,
  harness,
  subnetId,
  type Harness,
} from './helpers.js';

const TABLES = [
  'load_balancer',
  'listener',
  'pool',
  'member',
  'health_monitor',
  'l7policy',
  'l7rule',
  'port',
  'job',
] as const;

/** How many rows each table of the graph (and the VIP ports and jobs) holds. */
async function rowCounts(h: Harness): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const r = await h.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(r.n);
  }
  return out;
}

function createLb(h: Harness, graph: Record<string, unknown>) {
  return h.req('POST', '/v2/lbaas/loadbalancers', {
    loadbalancer: { name: 'graph', vip_subnet_id: subnetId(h, PUBLIC_SUBNET), ...graph },
  });
}

/** Rows created in one second have no order between them: compare them sorted. */
const by =
  <T>(key: keyof T) =>
  (rows: T[]): T[] =>
    [...rows].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
const byAddress = by<{ address: string }>('address');

const member = (address: string, port = 80, extra: Record<string, unknown> = {}) => ({
  address,
  protocol_port: port,
  ...extra,
});

/** Two TCP listeners sharing a top-level pool by name, a UDP listener with its pool defined in place. */
function l4Graph(h: Harness) {
  const privateSubnet = subnetId(h, PRIVATE_SUBNET);
  return {
    listeners: [
      { name: 'tcp80', protocol: 'TCP', protocol_port: 80, default_pool: { name: 'web' } },
      {
        name: 'udp53',
        protocol: 'UDP',
        protocol_port: 53,
        default_pool: {
          name: 'dns',
          protocol: 'UDP',
          lb_algorithm: 'SOURCE_IP',
          session_persistence: { type: 'SOURCE_IP' },
          healthmonitor: { type: 'UDP-CONNECT', delay: 5, timeout: 3, max_retries: 2 },
          members: [member('172.30.2.53', 53, { subnet_id: privateSubnet })],
        },
      },
      { name: 'tcp8080', protocol: 'TCP', protocol_port: 8080, default_pool: { name: 'web' } },
    ],
    pools: [
      {
        name: 'web',
        protocol: 'TCP',
        lb_algorithm: 'ROUND_ROBIN',
        healthmonitor: { type: 'TCP', delay: 2, timeout: 1, max_retries: 3, name: 'hm-web' },
        members: [
          member('172.30.2.21', 80, { subnet_id: privateSubnet, weight: 5 }),
          member('172.30.2.22', 80, { subnet_id: privateSubnet, backup: true }),
        ],
      },
      { name: 'spare', protocol: 'TCP', lb_algorithm: 'LEAST_CONNECTIONS', members: [member('172.30.2.30')] },
    ],
  };
}

t.test('the whole graph in one call: 201 with every object whole, in the order given', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const r = await createLb(h, l4Graph(h));
  t.equal(r.status, 201, r.status === 201 ? 'created' : JSON.stringify(r.body));
  const lb = r.body.loadbalancer;
  t.match(lb, { name: 'graph', provisioning_status: 'PENDING_CREATE', operating_status: 'OFFLINE' });

  t.same(
    lb.pools.map((p: { name: string }) => p.name),
    ['web', 'spare', 'dns'],
    'top-level pools first, then those defined under listeners',
  );
  const [web, spare, dns] = lb.pools;
  t.same(
    lb.listeners.map((l: { name: string }) => l.name),
    ['tcp80', 'udp53', 'tcp8080'],
  );
  const [tcp80, udp53, tcp8080] = lb.listeners;

  for (const l of lb.listeners) {
    t.notOk('loadbalancers' in l, `${l.name}: a full listener has no loadbalancers`);
    t.same(l.l7policies, []);
    t.match(l, { provisioning_status: 'PENDING_CREATE', operating_status: 'OFFLINE', project_id: 'admin' });
  }
  t.equal(tcp80.default_pool_id, web.id, 'a pool referenced by name');
  t.equal(tcp8080.default_pool_id, web.id, 'two listeners may share a pool');
  t.equal(udp53.default_pool_id, dns.id, 'a pool defined under its listener');
  t.match(tcp80, {
    protocol: 'TCP',
    protocol_port: 80,
    connection_limit: -1,
    timeout_client_data: 50000,
    allowed_cidrs: null,
  });

  for (const p of lb.pools) {
    t.notOk('loadbalancers' in p, `${p.name}: no loadbalancers`);
    t.notOk('healthmonitor_id' in p, `${p.name}: the monitor is whole, not an id`);
    t.match(p, { provisioning_status: 'PENDING_CREATE', operating_status: 'OFFLINE' });
  }
  t.same(new Set(web.listeners.map((l: { id: string }) => l.id)), new Set([tcp80.id, tcp8080.id]));
  t.same(spare.listeners, []);
  t.match(web.healthmonitor, {
    name: 'hm-web',
    type: 'TCP',
    delay: 2,
    timeout: 1,
    max_retries: 3,
    max_retries_down: 3,
    http_method: null,
    provisioning_status: 'PENDING_CREATE',
    operating_status: 'OFFLINE',
  });
  t.notOk('pools' in web.healthmonitor, 'the nested monitor has no pools');
  t.equal(spare.healthmonitor, null);
  t.match(dns, {
    protocol: 'UDP',
    lb_algorithm: 'SOURCE_IP',
    session_persistence: { type: 'SOURCE_IP', cookie_name: null },
    healthmonitor: { type: 'UDP-CONNECT', delay: 5 },
  });
  // The response keeps the request's order; later reads order by creation time, then id.
  t.match(web.members, [
    { address: '172.30.2.21', weight: 5, backup: false, operating_status: 'OFFLINE' },
    { address: '172.30.2.22', weight: 1, backup: true, operating_status: 'OFFLINE' },
  ]);
  t.match(spare.members, [{ address: '172.30.2.30', operating_status: 'NO_MONITOR' }], 'unmonitored');
  t.equal(spare.members[0].provisioning_status, 'PENDING_CREATE');

  t.same(await rowCounts(h), {
    load_balancer: 1,
    listener: 3,
    pool: 3,
    member: 4,
    health_monitor: 2,
    l7policy: 0,
    l7rule: 0,
    port: 1,
    job: 1,
  });
  t.match(await h.db.selectFrom('job').selectAll().execute(), [
    { kind: 'create_lb', load_balancer_id: lb.id, state: 'pending' },
  ]);

  // Reads afterwards show the usual id references.
  const show = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}`);
  t.equal(show.status, 200);
  t.same(
    new Set(show.body.loadbalancer.listeners.map((l: { id: string }) => l.id)),
    new Set([tcp80.id, udp53.id, tcp8080.id]),
  );
  t.equal(show.body.loadbalancer.pools.length, 3);
  const pool = await h.req('GET', `/v2/lbaas/pools/${web.id}`);
  t.equal(pool.body.pool.healthmonitor_id, web.healthmonitor.id);
  t.same(pool.body.pool.loadbalancers, [{ id: lb.id }]);

  // Nothing may change until the worker is done.
  const early = await h.req('POST', '/v2/lbaas/listeners', {
    listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 81 },
  });
  t.equal(early.status, 409);

  await h.activate(lb.id);
  const status = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}/status`);
  t.equal(status.status, 200);
  const tree = status.body.statuses.loadbalancer;
  t.equal(tree.provisioning_status, 'ACTIVE');
  const byName = new Map(tree.listeners.map((l: { name: string }) => [l.name, l]));
  t.match(byName.get('tcp80'), {
    provisioning_status: 'ACTIVE',
    pools: [
      {
        id: web.id,
        provisioning_status: 'ACTIVE',
        health_monitor: { type: 'TCP', provisioning_status: 'ACTIVE' },
      },
    ],
  });
  t.match(
    byAddress((byName.get('tcp80') as { pools: { members: { address: string }[] }[] }).pools[0]!.members),
    [
      { address: '172.30.2.21', provisioning_status: 'ACTIVE' },
      { address: '172.30.2.22', provisioning_status: 'ACTIVE' },
    ],
  );
  t.match(byName.get('udp53'), { pools: [{ id: dns.id, members: [{ address: '172.30.2.53' }] }] });
  const after = await h.req('GET', `/v2/lbaas/pools/${spare.id}/members/${spare.members[0].id}`);
  t.equal(after.body.member.provisioning_status, 'ACTIVE');
});

t.test('a load balancer alone still answers the full shape, with no children', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  for (const graph of [{}, { listeners: [], pools: [] }, { listeners: null, pools: null }]) {
    const r = await createLb(h, graph);
    t.equal(r.status, 201, JSON.stringify(graph));
    t.same([r.body.loadbalancer.listeners, r.body.loadbalancer.pools], [[], []]);
  }
});

/** Every limit back to the configured default. */
const DEFAULTS = {
  load_balancer: null,
  listener: null,
  pool: null,
  health_monitor: null,
  member: null,
  l7policy: null,
  l7rule: null,
};

t.test('quotas count the whole graph: 403 with Octavia message, nothing created', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const cases: [Record<string, number>, string][] = [
    [{ load_balancer: 0 }, 'Load Balancer'],
    [{ pool: 2 }, 'Pool'],
    [{ health_monitor: 1 }, 'Health Monitor'],
    [{ member: 3 }, 'Member'],
    [{ listener: 2 }, 'Listener'],
  ];
  const setQuota = async (quota: Record<string, number>) =>
    t.equal((await h.req('PUT', '/v2/lbaas/quotas/admin', { quota: { ...DEFAULTS, ...quota } })).status, 202);
  for (const [quota, resource] of cases) {
    await setQuota(quota);
    const before = await rowCounts(h);
    const r = await createLb(h, l4Graph(h));
    t.equal(r.status, 403, `${resource}: ${JSON.stringify(r.body)}`);
    t.equal(fault(r), `Quota has been met for resources: ${resource}`);
    t.same(await rowCounts(h), before, `${resource}: no row left`);
  }
  // Objects already there count too: one listener left under a quota of four.
  await setQuota({});
  const lb = await activeLb(h);
  await h.req('POST', '/v2/lbaas/listeners', {
    listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 1 },
  });
  await h.activate(lb.id);
  await setQuota({ listener: 3 });
  const before = await rowCounts(h);
  const r = await createLb(h, l4Graph(h));
  t.equal(r.status, 403);
  t.equal(fault(r), 'Quota has been met for resources: Listener');
  t.same(await rowCounts(h), before);
  await setQuota({ listener: 4 });
  t.equal((await createLb(h, l4Graph(h))).status, 201, 'exactly at the limit is allowed');
});

t.test('every refusal leaves no row behind', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const other = await activeLb(h, { name: 'other' });
  const foreignPool = await activePool(h, { loadbalancer_id: other.id, name: 'foreign' });
  const tcp = { protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' };
  const cases: [string, Record<string, unknown>, number, string | RegExp][] = [
    [
      'unnamed nested pool',
      { listeners: [{ protocol: 'TCP', protocol_port: 80, default_pool: tcp }] },
      400,
      'Validation failure: Pools must be named when creating a fully populated loadbalancer.',
    ],
    [
      'unnamed redirect pool',
      {
        listeners: [
          {
            protocol: 'TCP',
            protocol_port: 80,
            l7policies: [{ action: 'REDIRECT_TO_POOL', redirect_pool: { protocol: 'TCP' } }],
          },
        ],
      },
      400,
      'Validation failure: Pools must be named when creating a fully populated loadbalancer.',
    ],
    [
      'two pools of one name',
      {
        listeners: [{ protocol: 'TCP', protocol_port: 80, default_pool: { name: 'a', ...tcp } }],
        pools: [{ name: 'a', ...tcp }],
      },
      400,
      'Validation failure: Pool names must be unique when creating a fully populated loadbalancer.',
    ],
    [
      'a reference to no pool',
      { listeners: [{ protocol: 'TCP', protocol_port: 80, default_pool: { name: 'nope' } }] },
      400,
      "Validation failure: Pool 'nope' was referenced but no full definition was found.",
    ],
    [
      'a pool without its algorithm',
      { pools: [{ name: 'p', protocol: 'TCP' }] },
      400,
      "Validation failure: Pool definition for 'p' missing required attribute: lb_algorithm",
    ],
    [
      'a UDP listener on a TCP pool',
      {
        listeners: [{ protocol: 'UDP', protocol_port: 53, default_pool: { name: 'p' } }],
        pools: [{ name: 'p', ...tcp }],
      },
      400,
      "Validation failure: The pool protocol 'TCP' is invalid while the listener protocol is 'UDP'.",
    ],
    [
      'a default_pool_id of another load balancer',
      { listeners: [{ protocol: 'TCP', protocol_port: 80, default_pool_id: foreignPool.id }] },
      404,
      `Pool ${foreignPool.id} not found.`,
    ],
    [
      'two listeners on one protocol and port',
      {
        listeners: [
          { protocol: 'TCP', protocol_port: 80 },
          { protocol: 'TCP', protocol_port: 80 },
        ],
      },
      409,
      'Another Listener on this Load Balancer is already using protocol TCP and protocol_port 80',
    ],
    [
      'a reserved member address',
      { pools: [{ name: 'p', ...tcp, members: [member('10.0.0.1'), member('169.254.169.254')] }] },
      400,
      '169.254.169.254 is not a valid option for member address',
    ],
    [
      'one member twice',
      { pools: [{ name: 'p', ...tcp, members: [member('10.0.0.1'), member('10.0.0.1')] }] },
      409,
      'Another member on this pool is already using ip 10.0.0.1 on protocol_port 80',
    ],
    [
      'a PING monitor on a UDP pool',
      {
        pools: [
          {
            name: 'p',
            protocol: 'UDP',
            lb_algorithm: 'ROUND_ROBIN',
            healthmonitor: { type: 'PING', delay: 5, timeout: 3, max_retries: 2 },
          },
        ],
      },
      400,
      'Validation failure: The associated pool protocol is UDP, so only a UDP-CONNECT/SCTP/TCP/HTTP health monitor is supported.',
    ],
    [
      'a monitor value out of range',
      {
        pools: [{ name: 'p', ...tcp, healthmonitor: { type: 'TCP', delay: 5, timeout: 3, max_retries: 11 } }],
      },
      400,
      "Invalid input for field/attribute max_retries. Value: '11'. Value should be lower or equal to 10",
    ],
    [
      'an HTTP attribute on a TCP monitor',
      {
        pools: [
          {
            name: 'p',
            ...tcp,
            healthmonitor: { type: 'TCP', delay: 5, timeout: 3, max_retries: 2, url_path: '/' },
          },
        ],
      },
      400,
      'url_path is not a valid option for health monitors of type TCP',
    ],
    [
      'an L7 policy on a TCP listener',
      {
        listeners: [
          {
            protocol: 'TCP',
            protocol_port: 80,
            l7policies: [
              { action: 'REJECT', rules: [{ type: 'PATH', compare_type: 'EQUAL_TO', value: '/x' }] },
            ],
          },
        ],
      },
      501,
      "Provider 'amphora' does not support a requested option: TCP protocol listeners do not support L7 policies",
    ],
    [
      'an L7 rule that is not valid',
      {
        listeners: [
          {
            protocol: 'TCP',
            protocol_port: 80,
            l7policies: [
              { action: 'REJECT', rules: [{ type: 'HEADER', compare_type: 'EQUAL_TO', value: 'x' }] },
            ],
          },
        ],
      },
      400,
      'Error parsing L7Rule: Invalid L7 Rule: L7 rule type requires a key',
    ],
    [
      'a session persistence the pool cannot keep',
      { pools: [{ name: 'p', ...tcp, session_persistence: { type: 'SOURCE_IP', persistence_timeout: 5 } }] },
      400,
      /persistence_timeout and persistence_granularity is only for UDP/,
    ],
    [
      'an unknown attribute deep inside',
      { pools: [{ name: 'p', ...tcp, members: [{ ...member('10.0.0.1'), colour: 'blue' }] }] },
      400,
      /Unknown attribute for argument .*: colour/,
    ],
    [
      'a listener given a project',
      { listeners: [{ protocol: 'TCP', protocol_port: 80, project_id: 'x' }] },
      400,
      /Unknown attribute for argument .*: project_id/,
    ],
    [
      'a policy given a redirect_pool_id (the graph names pools)',
      {
        listeners: [
          {
            protocol: 'TCP',
            protocol_port: 80,
            l7policies: [{ action: 'REDIRECT_TO_POOL', redirect_pool_id: foreignPool.id }],
          },
        ],
      },
      400,
      /Unknown attribute for argument .*: redirect_pool_id/,
    ],
  ];
  for (const [what, graph, status, message] of cases) {
    const before = await rowCounts(h);
    const r = await createLb(h, graph);
    t.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
    if (typeof message === 'string') t.equal(fault(r), message, what);
    else t.match(fault(r), message, what);
    t.same(await rowCounts(h), before, `${what}: no row left`);
  }
  // The VIP address of a refused create is free again.
  const r = await createLb(h, { vip_address: '172.30.1.50', pools: [{ name: 'p', protocol: 'TCP' }] });
  t.equal(r.status, 400);
  t.equal((await createLb(h, { vip_address: '172.30.1.50' })).status, 201);
});

// Needs HTTP listeners to be accepted by the API (the protocol work done alongside).
t.test('HTTP listener with L7 policies, rules and a redirect pool by name', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const http = { protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN' };
  const r = await createLb(h, {
    listeners: [
      {
        name: 'web',
        protocol: 'HTTP',
        protocol_port: 80,
        default_pool: { name: 'site', ...http, members: [member('172.30.2.40')] },
        l7policies: [
          {
            name: 'to-api',
            action: 'REDIRECT_TO_POOL',
            redirect_pool: { name: 'api' },
            rules: [
              { type: 'PATH', compare_type: 'STARTS_WITH', value: '/api' },
              { type: 'HEADER', compare_type: 'EQUAL_TO', key: 'X-Api', value: 'yes', invert: true },
            ],
          },
          {
            name: 'block',
            action: 'REJECT',
            position: 1,
            rules: [{ type: 'PATH', compare_type: 'EQUAL_TO', value: '/admin' }],
          },
          { name: 'moved', action: 'REDIRECT_TO_URL', redirect_url: 'https://example.com/' },
        ],
      },
    ],
    pools: [{ name: 'api', ...http, members: [member('172.30.2.41')] }],
  });
  t.equal(r.status, 201, r.status === 201 ? 'created' : JSON.stringify(r.body));
  const lb = r.body.loadbalancer;
  const [api, site] = lb.pools;
  t.same([api.name, site.name], ['api', 'site']);
  const [listener] = lb.listeners;
  t.equal(listener.default_pool_id, site.id);
  t.same(
    listener.l7policies.map((p: { name: string; position: number }) => [p.name, p.position]),
    [
      ['block', 1],
      ['to-api', 2],
      ['moved', 3],
    ],
    'position order, a position given placing the policy',
  );
  const [block, toApi, moved] = listener.l7policies;
  t.match(toApi, {
    action: 'REDIRECT_TO_POOL',
    redirect_pool_id: api.id,
    listener_id: listener.id,
    provisioning_status: 'PENDING_CREATE',
    operating_status: 'OFFLINE',
  });
  t.match(toApi.rules, [
    { type: 'PATH', compare_type: 'STARTS_WITH', value: '/api', key: null, invert: false },
    { type: 'HEADER', key: 'X-Api', value: 'yes', invert: true, provisioning_status: 'PENDING_CREATE' },
  ]);
  t.match(block, { action: 'REJECT', redirect_pool_id: null, rules: [{ value: '/admin' }] });
  t.match(moved, { action: 'REDIRECT_TO_URL', redirect_http_code: 302, rules: [] });
  t.same(
    api.listeners.map((l: { id: string }) => l.id),
    [listener.id],
    'a redirect target used by a policy with rules lists the listener',
  );
  t.match(await rowCounts(h), { l7policy: 3, l7rule: 3, pool: 2, member: 2, job: 1 });

  await h.activate(lb.id);
  const status = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}/status`);
  t.same(
    status.body.statuses.loadbalancer.listeners[0].pools.map((p: { id: string }) => p.id),
    [site.id, api.id],
    'the status tree lists the default pool, then the redirect pool',
  );
  const policy = await h.req('GET', `/v2/lbaas/l7policies/${toApi.id}`);
  t.match(policy.body.l7policy, { provisioning_status: 'ACTIVE', operating_status: 'ONLINE' });
  t.same(
    new Set(policy.body.l7policy.rules.map((x: { id: string }) => x.id)),
    new Set(toApi.rules.map((x: { id: string }) => x.id)),
  );

  const mismatch = await createLb(h, {
    listeners: [
      {
        protocol: 'HTTP',
        protocol_port: 81,
        l7policies: [{ action: 'REDIRECT_TO_POOL', redirect_pool: { name: 'u' } }],
      },
    ],
    pools: [{ name: 'u', protocol: 'UDP', lb_algorithm: 'ROUND_ROBIN' }],
  });
  t.equal(mismatch.status, 400);
  t.equal(
    fault(mismatch),
    "Validation failure: The pool protocol 'UDP' is invalid while the listener protocol is 'HTTP'.",
  );
});
