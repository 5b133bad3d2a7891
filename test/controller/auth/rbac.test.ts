// Octavia 2023.1's default policies, persona by persona, against every resource kind
// (load balancer, listener, pool, member, health monitor, L7 policy and rule, quota,
// amphora, flavor and availability zone admin APIs, providers), in noauth mode with
// X-Project-Id / X-Roles. Every persona belongs to project A; project B's objects must
// stay invisible (403 on show, absent from lists) to everybody but the global readers.
import t from 'tap';
import {
  PRIVATE_SUBNET,
  PUBLIC_SUBNET,
  fault,
  harness,
  subnetId,
  type Harness,
  type Res,
} from '../api/helpers.js';

const A = 'project-a';
const B = 'project-b';
const FORBIDDEN = 'Policy does not allow this request to be performed.';
const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';

type Persona =
  | 'lb_member'
  | 'lb_observer'
  | 'global_observer'
  | 'lb_admin'
  | 'quota_admin'
  | 'reader'
  | 'member'
  | 'project_admin'
  | 'devstack';

/** Headers of each persona; all of them in project A. */
const PERSONAS: Record<Persona, Record<string, string>> = {
  lb_member: { 'x-project-id': A, 'x-roles': 'load-balancer_member' },
  lb_observer: { 'x-project-id': A, 'x-roles': 'load-balancer_observer' },
  global_observer: { 'x-project-id': A, 'x-roles': 'load-balancer_global_observer' },
  lb_admin: { 'x-project-id': A, 'x-roles': 'load-balancer_admin' },
  quota_admin: { 'x-project-id': A, 'x-roles': 'load-balancer_quota_admin' },
  // Keystone expands implied roles into the token: admin → member → reader.
  reader: { 'x-project-id': A, 'x-roles': 'reader' },
  member: { 'x-project-id': A, 'x-roles': 'member,reader' },
  project_admin: { 'x-project-id': A, 'x-roles': 'admin,member,reader' },
  // noauth without X-Roles: the devstack user (load-balancer_member of its project).
  devstack: { 'x-project-id': A },
};
const ALL = Object.keys(PERSONAS) as Persona[];

/** Octavia's rules, as sets of personas. */
const READ_OWN: Persona[] = [
  'lb_member',
  'lb_observer',
  'global_observer',
  'lb_admin',
  'project_admin',
  'devstack',
];
const READ_ANY: Persona[] = ['global_observer', 'lb_admin', 'project_admin'];
const WRITE_OWN: Persona[] = ['lb_member', 'lb_admin', 'project_admin', 'devstack'];
const ADMIN: Persona[] = ['lb_admin', 'project_admin'];
const QUOTA_READ_ANY: Persona[] = [...READ_ANY, 'quota_admin'];
const QUOTA_WRITE: Persona[] = [...ADMIN, 'quota_admin'];

interface Graph {
  lb: string;
  listener: string;
  pool: string;
  member: string;
  hm: string;
  policy: string;
  rule: string;
}

/** `show` path, list path and list key of each project-owned kind. */
function kinds(g: Graph) {
  return [
    {
      kind: 'load balancer',
      show: `/v2/lbaas/loadbalancers/${g.lb}`,
      list: '/v2/lbaas/loadbalancers',
      key: 'loadbalancers',
      id: g.lb,
    },
    {
      kind: 'listener',
      show: `/v2/lbaas/listeners/${g.listener}`,
      list: '/v2/lbaas/listeners',
      key: 'listeners',
      id: g.listener,
    },
    { kind: 'pool', show: `/v2/lbaas/pools/${g.pool}`, list: '/v2/lbaas/pools', key: 'pools', id: g.pool },
    {
      kind: 'member',
      show: `/v2/lbaas/pools/${g.pool}/members/${g.member}`,
      list: `/v2/lbaas/pools/${g.pool}/members`,
      key: 'members',
      id: g.member,
    },
    {
      kind: 'health monitor',
      show: `/v2/lbaas/healthmonitors/${g.hm}`,
      list: '/v2/lbaas/healthmonitors',
      key: 'healthmonitors',
      id: g.hm,
    },
    {
      kind: 'L7 policy',
      show: `/v2/lbaas/l7policies/${g.policy}`,
      list: '/v2/lbaas/l7policies',
      key: 'l7policies',
      id: g.policy,
    },
    {
      kind: 'L7 rule',
      show: `/v2/lbaas/l7policies/${g.policy}/rules/${g.rule}`,
      list: `/v2/lbaas/l7policies/${g.policy}/rules`,
      key: 'rules',
      id: g.rule,
    },
  ];
}

/** A PUT changing nothing that matters, per kind, for the write checks. */
function updates(g: Graph): { kind: string; path: string; body: unknown }[] {
  return [
    {
      kind: 'load balancer',
      path: `/v2/lbaas/loadbalancers/${g.lb}`,
      body: { loadbalancer: { description: 'x' } },
    },
    { kind: 'listener', path: `/v2/lbaas/listeners/${g.listener}`, body: { listener: { description: 'x' } } },
    { kind: 'pool', path: `/v2/lbaas/pools/${g.pool}`, body: { pool: { description: 'x' } } },
    {
      kind: 'member',
      path: `/v2/lbaas/pools/${g.pool}/members/${g.member}`,
      body: { member: { name: 'x' } },
    },
    {
      kind: 'health monitor',
      path: `/v2/lbaas/healthmonitors/${g.hm}`,
      body: { healthmonitor: { name: 'x' } },
    },
    { kind: 'L7 policy', path: `/v2/lbaas/l7policies/${g.policy}`, body: { l7policy: { description: 'x' } } },
    {
      kind: 'L7 rule',
      path: `/v2/lbaas/l7policies/${g.policy}/rules/${g.rule}`,
      body: { rule: { value: '/x' } },
    },
  ];
}

async function created(h: Harness, path: string, body: unknown, key: string, lbId?: string): Promise<string> {
  const r = await h.req('POST', path, body);
  if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  const id = (r.body[key] as { id: string }).id;
  await h.activate(lbId ?? id);
  return id;
}

/** The operator builds one object of every kind in `project`. */
async function graph(h: Harness, project: string): Promise<Graph> {
  const lb = await created(
    h,
    '/v2/lbaas/loadbalancers',
    { loadbalancer: { vip_subnet_id: subnetId(h, PUBLIC_SUBNET), project_id: project } },
    'loadbalancer',
  );
  const listener = await created(
    h,
    '/v2/lbaas/listeners',
    { listener: { loadbalancer_id: lb, protocol: 'HTTP', protocol_port: 80 } },
    'listener',
    lb,
  );
  const pool = await created(
    h,
    '/v2/lbaas/pools',
    { pool: { loadbalancer_id: lb, protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN' } },
    'pool',
    lb,
  );
  const member = await created(
    h,
    `/v2/lbaas/pools/${pool}/members`,
    { member: { address: '172.30.2.20', protocol_port: 8080, subnet_id: subnetId(h, PRIVATE_SUBNET) } },
    'member',
    lb,
  );
  const hm = await created(
    h,
    '/v2/lbaas/healthmonitors',
    { healthmonitor: { pool_id: pool, type: 'HTTP', delay: 5, timeout: 3, max_retries: 2 } },
    'healthmonitor',
    lb,
  );
  const policy = await created(
    h,
    '/v2/lbaas/l7policies',
    { l7policy: { listener_id: listener, action: 'REJECT' } },
    'l7policy',
    lb,
  );
  const rule = await created(
    h,
    `/v2/lbaas/l7policies/${policy}/rules`,
    { rule: { type: 'PATH', compare_type: 'STARTS_WITH', value: '/api' } },
    'rule',
    lb,
  );
  return { lb, listener, pool, member, hm, policy, rule };
}

function ids(r: Res, key: string): string[] {
  return ((r.body as Record<string, { id: string }[]>)[key] ?? []).map((o) => o.id);
}

async function setup(t: { teardown(fn: () => unknown): void }) {
  const h = await harness();
  t.teardown(() => h.close());
  return { h, a: await graph(h, A), b: await graph(h, B) };
}

t.test('reads: own project, the other project, lists', async (t) => {
  const { h, a, b } = await setup(t);
  const own = kinds(a);
  const other = kinds(b);
  for (const p of ALL) {
    const headers = PERSONAS[p];
    for (const [i, k] of own.entries()) {
      const o = other[i]!;
      const mayOwn = READ_OWN.includes(p);
      const mayAny = READ_ANY.includes(p);
      let r = await h.req('GET', k.show, undefined, headers);
      t.equal(r.status, mayOwn ? 200 : 403, `${p} shows its own ${k.kind}`);
      if (!mayOwn) t.equal(fault(r), FORBIDDEN);
      r = await h.req('GET', o.show, undefined, headers);
      t.equal(r.status, mayAny ? 200 : 403, `${p} shows project B's ${k.kind}`);
      if (!mayAny) t.equal(fault(r), FORBIDDEN, `${p}: Octavia's 403 body for B's ${k.kind}`);

      // Lists: one's own only, or everything for a global reader; nothing at all for the rest.
      r = await h.req('GET', k.list, undefined, headers);
      t.equal(r.status, mayOwn ? 200 : 403, `${p} lists ${k.kind}s`);
      if (r.status === 200) {
        t.ok(ids(r, k.key).includes(k.id), `${p} sees its own ${k.kind} in the list`);
        if (k.list === o.list) {
          t.equal(ids(r, k.key).includes(o.id), mayAny, `${p} sees B's ${k.kind} in the list: ${mayAny}`);
        }
      }
      if (k.list !== o.list) {
        // A child list (members, rules) of B's parent is B's: as the show.
        r = await h.req('GET', o.list, undefined, headers);
        t.equal(r.status, mayAny ? 200 : 403, `${p} lists B's ${k.kind}s under B's parent`);
      } else {
        r = await h.req('GET', `${k.list}?project_id=${B}`, undefined, headers);
        t.equal(r.status, mayAny ? 200 : 403, `${p} filters ${k.kind}s by project B`);
        if (r.status === 200) t.same(ids(r, k.key), [o.id], `${p} gets only B's ${k.kind}s`);
      }
    }
    // Status tree and statistics follow the load balancer's read rule.
    for (const path of [`/v2/lbaas/loadbalancers/${b.lb}/status`, `/v2/lbaas/loadbalancers/${b.lb}/stats`]) {
      const r = await h.req('GET', path, undefined, headers);
      t.equal(r.status, READ_ANY.includes(p) ? 200 : 403, `${p} GET ${path.split('/').pop()} of B`);
    }
    // Octavia finds the object before it asks the policy: an unknown id is 404 for anybody.
    const r = await h.req('GET', `/v2/lbaas/loadbalancers/${MISSING}`, undefined, headers);
    t.equal(r.status, 404, `${p}: unknown id is 404`);
  }
});

t.test(
  'writes: own project allowed only to members and admins, the other project only to admins',
  async (t) => {
    const { h, a, b } = await setup(t);
    for (const p of ALL) {
      const headers = PERSONAS[p];
      for (const [graphName, g, allowed] of [
        ['own', a, WRITE_OWN],
        ['B', b, ADMIN],
      ] as const) {
        for (const u of updates(g)) {
          const r = await h.req('PUT', u.path, u.body, headers);
          const may = allowed.includes(p);
          t.equal(r.status, may ? 200 : 403, `${p} updates ${graphName} ${u.kind}`);
          if (!may) t.equal(fault(r), FORBIDDEN);
          if (r.status === 200) await h.activate(g.lb);
        }
      }
      // Deletes of B's objects: never for a non-admin (admins are not asked, to keep B).
      if (!ADMIN.includes(p)) {
        for (const path of [
          `/v2/lbaas/loadbalancers/${b.lb}?cascade=true`,
          `/v2/lbaas/pools/${b.pool}/members/${b.member}`,
        ]) {
          const r = await h.req('DELETE', path, undefined, headers);
          t.equal(r.status, 403, `${p} may not delete ${path}`);
        }
      }
    }
    // What remained of B after all that: untouched by anybody but the admins.
    const r = await h.req('GET', `/v2/lbaas/loadbalancers/${b.lb}`);
    t.equal(r.body.loadbalancer.provisioning_status, 'ACTIVE');
  },
);

t.test('create: in one own project only, unless admin', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const body = (project?: string) => ({
    loadbalancer: { vip_subnet_id: subnetId(h, PUBLIC_SUBNET), ...(project ? { project_id: project } : {}) },
  });
  for (const p of ALL) {
    const headers = PERSONAS[p];
    let r = await h.req('POST', '/v2/lbaas/loadbalancers', body(), headers);
    t.equal(r.status, WRITE_OWN.includes(p) ? 201 : 403, `${p} creates in its own project`);
    if (r.status === 201) t.equal(r.body.loadbalancer.project_id, A, 'the new object is the caller project');
    r = await h.req('POST', '/v2/lbaas/loadbalancers', body(B), headers);
    t.equal(r.status, ADMIN.includes(p) ? 201 : 403, `${p} creates in project B`);
    if (r.status === 201) t.equal(r.body.loadbalancer.project_id, B);
  }
});

t.test('quotas', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  for (const p of ALL) {
    const headers = PERSONAS[p];
    let r = await h.req('GET', `/v2/lbaas/quotas/${A}`, undefined, headers);
    t.equal(r.status, READ_OWN.includes(p) || p === 'quota_admin' ? 200 : 403, `${p} reads its quota`);
    r = await h.req('GET', `/v2/lbaas/quotas/${B}`, undefined, headers);
    t.equal(r.status, QUOTA_READ_ANY.includes(p) ? 200 : 403, `${p} reads B's quota`);
    for (const project of [A, B]) {
      r = await h.req('PUT', `/v2/lbaas/quotas/${project}`, { quota: { pool: 7 } }, headers);
      t.equal(r.status, QUOTA_WRITE.includes(p) ? 202 : 403, `${p} sets the quota of ${project}`);
      r = await h.req('DELETE', `/v2/lbaas/quotas/${project}`, undefined, headers);
      t.equal(r.status, QUOTA_WRITE.includes(p) ? 202 : 403, `${p} resets the quota of ${project}`);
    }
  }
});

t.test('admin APIs: amphorae, failover, profiles, flavor/AZ writes, provider details', async (t) => {
  const { h, a } = await setup(t);
  const fp = await h.req('POST', '/v2/lbaas/flavorprofiles', {
    flavorprofile: { name: 'fp', provider_name: 'velox', flavor_data: '{"loadbalancer_topology": "SINGLE"}' },
  });
  t.equal(fp.status, 201);
  const azp = await h.req('POST', '/v2/lbaas/availabilityzoneprofiles', {
    availability_zone_profile: {
      name: 'azp',
      provider_name: 'velox',
      availability_zone_data: '{"compute_zone": "az1"}',
    },
  });
  t.equal(azp.status, 201);
  const fpId = fp.body.flavorprofile.id as string;
  const azpId = azp.body.availability_zone_profile.id as string;

  for (const p of ALL) {
    const headers = PERSONAS[p];
    const admin = ADMIN.includes(p);
    const reads = READ_OWN.includes(p);
    const check = async (
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      path: string,
      ok: number,
      allowed: boolean,
      body?: unknown,
    ) => {
      const r = await h.req(method, path, body, headers);
      t.equal(r.status, allowed ? ok : 403, `${p} ${method} ${path}`);
      if (!allowed) t.equal(fault(r), FORBIDDEN);
      return r;
    };
    await check('GET', '/v2/octavia/amphorae', 200, admin);
    await check('GET', '/v2/lbaas/flavorprofiles', 200, admin);
    await check('GET', `/v2/lbaas/flavorprofiles/${fpId}`, 200, admin);
    await check('GET', '/v2/lbaas/availabilityzoneprofiles', 200, admin);
    await check('GET', `/v2/lbaas/availabilityzoneprofiles/${azpId}`, 200, admin);
    await check('GET', '/v2/lbaas/providers/velox/flavor_capabilities', 200, admin);
    await check('GET', '/v2/lbaas/providers/velox/availability_zone_capabilities', 200, admin);
    // Flavors, zones and the provider list are read with load-balancer:read.
    await check('GET', '/v2/lbaas/providers', 200, reads);
    await check('GET', '/v2/lbaas/flavors', 200, reads);
    await check('GET', '/v2/lbaas/availabilityzones', 200, reads);
    const name = `f-${p}`;
    const flavor = await check('POST', '/v2/lbaas/flavors', 201, admin, {
      flavor: { name, flavor_profile_id: fpId },
    });
    const zone = await check('POST', '/v2/lbaas/availabilityzones', 201, admin, {
      availability_zone: { name, availability_zone_profile_id: azpId },
    });
    if (admin) {
      const id = flavor.body.flavor.id as string;
      await check('GET', `/v2/lbaas/flavors/${id}`, 200, true);
      await check('PUT', `/v2/lbaas/flavors/${id}`, 200, true, { flavor: { description: 'd' } });
      await check('DELETE', `/v2/lbaas/flavors/${id}`, 204, true);
      t.equal(zone.body.availability_zone.name, name);
      await check('DELETE', `/v2/lbaas/availabilityzones/${name}`, 204, true);
    }
    // Failover is admin-only even on one's own load balancer; non-admins are refused
    // before anything happens (admins are not asked, to keep the graph ACTIVE).
    if (!admin) await check('PUT', `/v2/lbaas/loadbalancers/${a.lb}/failover`, 202, false);
  }
  // Shown flavors and zones of an admin's making are readable by readers, not by plain roles.
  const f = await h.req('POST', '/v2/lbaas/flavors', { flavor: { name: 'shared', flavor_profile_id: fpId } });
  const z = await h.req('POST', '/v2/lbaas/availabilityzones', {
    availability_zone: { name: 'shared', availability_zone_profile_id: azpId },
  });
  for (const p of ALL) {
    const reads = READ_OWN.includes(p);
    let r = await h.req('GET', `/v2/lbaas/flavors/${f.body.flavor.id}`, undefined, PERSONAS[p]);
    t.equal(r.status, reads ? 200 : 403, `${p} shows a flavor`);
    r = await h.req(
      'GET',
      `/v2/lbaas/availabilityzones/${z.body.availability_zone.name}`,
      undefined,
      PERSONAS[p],
    );
    t.equal(r.status, reads ? 200 : 403, `${p} shows an availability zone`);
  }
});

t.test('the noauth operator (no X-Project-Id) is an admin of every project', async (t) => {
  const { h, a, b } = await setup(t);
  const r = await h.req('GET', '/v2/lbaas/loadbalancers');
  t.same(ids(r, 'loadbalancers').sort(), [a.lb, b.lb].sort());
  t.equal((await h.req('GET', '/v2/octavia/amphorae')).status, 200);
  t.equal((await h.req('GET', '/v2/lbaas/loadbalancers', undefined, { 'x-roles': '' })).status, 200);
});

t.test('an empty X-Roles gives no access at all', async (t) => {
  const { h, a } = await setup(t);
  const headers = { 'x-project-id': A, 'x-roles': '' };
  t.equal((await h.req('GET', `/v2/lbaas/loadbalancers/${a.lb}`, undefined, headers)).status, 403);
  t.equal((await h.req('GET', '/v2/lbaas/loadbalancers', undefined, headers)).status, 403);
});
