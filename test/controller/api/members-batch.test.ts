// PUT /v2/lbaas/pools/{pool_id}/members: replacing a pool's members at once
// (Octavia's batch member update): created, updated and deleted members, additive_only,
// a no-op, validation, the status gate, quotas and projects.
import t from 'tap';
import { PRIVATE_SUBNET, activeLb, activePool, fault, harness, subnetId, type Harness } from './helpers.js';

const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';

type Member = { id: string; address: string; protocol_port: number; provisioning_status: string } & Record<
  string,
  unknown
>;

async function members(h: Harness, poolId: string): Promise<Member[]> {
  const r = await h.req('GET', `/v2/lbaas/pools/${poolId}/members?sort=address`);
  return r.body.members;
}

function statuses(list: Member[]): [string, string][] {
  return list.map((m) => [m.address, m.provisioning_status]);
}

async function jobs(h: Harness): Promise<string[]> {
  return (await h.db.selectFrom('job').select('kind').orderBy('id').execute()).map((j) => j.kind);
}

/** A pool with members .1 to .4 on port 80, all ACTIVE. */
async function fixture(h: Harness, headers?: Record<string, string>) {
  const lb = await activeLb(h, {}, headers);
  const pool = await activePool(h, { loadbalancer_id: lb.id });
  const base = `/v2/lbaas/pools/${pool.id}/members`;
  for (const n of [1, 2, 3, 4]) {
    const r = await h.req('POST', base, {
      member: { address: `192.0.2.${n}`, protocol_port: 80, name: `m${n}` },
    });
    if (r.status !== 201) throw new Error(`member: ${JSON.stringify(r.body)}`);
    await h.activate(lb.id);
  }
  return { lb, pool, base };
}

const m = (n: number, extra: Record<string, unknown> = {}) => ({
  address: `192.0.2.${n}`,
  protocol_port: 80,
  ...extra,
});

t.test('members are created, updated and deleted to match the request', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, pool, base } = await fixture(h);
  const before = await members(h, pool.id);
  const jobsBefore = (await jobs(h)).length;
  const r = await h.req('PUT', base, { members: [m(1, { weight: 5 }), m(2), m(5, { tags: ['new'] }), m(6)] });
  t.equal(r.status, 202);
  t.equal(r.raw.body, '', 'no body');
  const after = await members(h, pool.id);
  t.same(statuses(after), [
    ['192.0.2.1', 'PENDING_UPDATE'],
    ['192.0.2.2', 'PENDING_UPDATE'],
    ['192.0.2.3', 'PENDING_DELETE'],
    ['192.0.2.4', 'PENDING_DELETE'],
    ['192.0.2.5', 'PENDING_CREATE'],
    ['192.0.2.6', 'PENDING_CREATE'],
  ]);
  t.equal(after[0]!.id, before[0]!.id, 'a matching member keeps its id');
  t.match(after[0], { weight: 5, name: 'm1' }, 'updated; the name is kept when not given');
  t.match(after[4], {
    tags: ['new'],
    weight: 1,
    backup: false,
    admin_state_up: true,
    operating_status: 'NO_MONITOR',
  });
  t.equal((await h.req('GET', `/v2/lbaas/pools/${pool.id}`)).body.pool.provisioning_status, 'PENDING_UPDATE');
  t.equal(
    (await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}`)).body.loadbalancer.provisioning_status,
    'PENDING_UPDATE',
  );
  t.same((await jobs(h)).slice(jobsBefore), ['sync_lb'], 'one sync job');

  await h.activate(lb.id);
  t.same(statuses(await members(h, pool.id)), [
    ['192.0.2.1', 'ACTIVE'],
    ['192.0.2.2', 'ACTIVE'],
    ['192.0.2.5', 'ACTIVE'],
    ['192.0.2.6', 'ACTIVE'],
  ]);
});

t.test('an updated member takes the defaults of what it does not give', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, base } = await fixture(h);
  const id = (await h.req('GET', base)).body.members.find((x: Member) => x.address === '192.0.2.1').id;
  let r = await h.req('PUT', `${base}/${id}`, {
    member: {
      weight: 7,
      backup: true,
      monitor_port: 9000,
      monitor_address: '192.0.2.99',
      admin_state_up: false,
      tags: ['t'],
    },
  });
  t.equal(r.status, 200);
  await h.activate(lb.id);
  r = await h.req('PUT', base, { members: [m(1)] });
  t.equal(r.status, 202);
  r = await h.req('GET', `${base}/${id}`);
  t.match(r.body.member, {
    weight: 1,
    backup: false,
    monitor_port: null,
    monitor_address: null,
    admin_state_up: true,
    tags: ['t'],
    name: 'm1',
  });
  await h.activate(lb.id);
  r = await h.req('PUT', base, { members: [m(1, { name: null, tags: [], admin_state_up: null })] });
  t.equal(r.status, 202);
  t.match((await h.req('GET', `${base}/${id}`)).body.member, { name: '', tags: [], admin_state_up: false });
});

t.test('additive_only keeps the members not mentioned', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, pool, base } = await fixture(h);
  for (const value of ['True', 'true', '1']) {
    const r = await h.req('PUT', `${base}?additive_only=${value}`, { members: [m(1), m(2), m(5)] });
    t.equal(r.status, 202, value);
    t.same(statuses(await members(h, pool.id)), [
      ['192.0.2.1', 'PENDING_UPDATE'],
      ['192.0.2.2', 'PENDING_UPDATE'],
      ['192.0.2.3', 'ACTIVE'],
      ['192.0.2.4', 'ACTIVE'],
      ['192.0.2.5', value === 'True' ? 'PENDING_CREATE' : 'PENDING_UPDATE'],
    ]);
    await h.activate(lb.id);
  }
  const r = await h.req('PUT', `${base}?additive_only=false`, { members: [] });
  t.equal(r.status, 202);
  t.same(
    statuses(await members(h, pool.id)).map(([, s]) => s),
    ['PENDING_DELETE', 'PENDING_DELETE', 'PENDING_DELETE', 'PENDING_DELETE', 'PENDING_DELETE'],
    'an empty list without additive_only deletes every member',
  );
  await h.activate(lb.id);
  t.same(await members(h, pool.id), []);
});

t.test('a batch that changes nothing', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const pool = await activePool(h, { loadbalancer_id: lb.id });
  const base = `/v2/lbaas/pools/${pool.id}/members`;
  const jobsBefore = await jobs(h);
  let r = await h.req('PUT', base, { members: [] });
  t.equal(r.status, 202);
  t.same(await jobs(h), jobsBefore, 'no job');
  t.equal(
    (await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}`)).body.loadbalancer.provisioning_status,
    'ACTIVE',
  );
  t.equal((await h.req('GET', `/v2/lbaas/pools/${pool.id}`)).body.pool.provisioning_status, 'ACTIVE');
  await h.req('PUT', `/v2/lbaas/loadbalancers/${lb.id}`, { loadbalancer: { name: 'busy' } });
  r = await h.req('PUT', base, { members: [] });
  t.equal(r.status, 409, 'the status gate comes first, as in Octavia');
  t.equal(fault(r), `Load Balancer ${lb.id} is immutable and cannot be updated.`);
});

t.test('the pool and its load balancer must be ACTIVE', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, pool, base } = await fixture(h);
  await h.req('PUT', `/v2/lbaas/pools/${pool.id}`, { pool: { name: 'busy' } });
  let r = await h.req('PUT', base, { members: [m(9)] });
  t.equal(r.status, 409);
  t.equal(fault(r), `Pool ${pool.id} is immutable and cannot be updated.`);
  await h.activate(lb.id);
  const other = await activePool(h, { loadbalancer_id: lb.id });
  await h.req('PUT', `/v2/lbaas/pools/${other.id}`, { pool: { name: 'busy' } });
  r = await h.req('PUT', base, { members: [m(9)] });
  t.equal(r.status, 409);
  t.equal(fault(r), `Load Balancer ${lb.id} is immutable and cannot be updated.`);
  t.equal((await members(h, pool.id)).length, 4, 'nothing changed');
});

t.test('validation', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, pool, base } = await fixture(h);
  const cases: [unknown, number, string | RegExp][] = [
    [
      { members: [m(1), { address: '169.254.169.254', protocol_port: 80 }] },
      400,
      '169.254.169.254 is not a valid option for member address',
    ],
    [
      { members: [{ address: 'ten', protocol_port: 80 }] },
      400,
      "Invalid input for field/attribute address. Value: 'ten'. Value should be IPv4 or IPv6 format",
    ],
    [
      { members: [m(9, { monitor_address: 'x' })] },
      400,
      "Invalid input for field/attribute monitor_address. Value: 'x'. Value should be IPv4 or IPv6 format",
    ],
    [{ members: [m(9, { subnet_id: MISSING })] }, 400, `Subnet ${MISSING} not found.`],
    [
      { members: [{ address: '192.0.2.9' }] },
      400,
      "Invalid input for field/attribute protocol_port. Value: 'None'. Mandatory field missing.",
    ],
    [{ members: [m(9, { protocol_port: 0 })] }, 400, /protocol_port/],
    [{ members: [m(9, { weight: 257 })] }, 400, /weight/],
    [{ members: [m(9, { surprise: 1 })] }, 400, /surprise/],
    [{}, 400, "Invalid input for field/attribute members. Value: 'None'. Mandatory field missing."],
    [{ members: [], extra: 1 }, 400, /extra/],
    [
      { members: [m(9), m(9)] },
      409,
      'Another member on this pool is already using ip 192.0.2.9 on protocol_port 80',
    ],
  ];
  for (const [body, status, message] of cases) {
    const r = await h.req('PUT', base, body);
    t.equal(r.status, status, JSON.stringify(body));
    t.match(fault(r), message, JSON.stringify(body));
  }
  t.same(
    statuses(await members(h, pool.id)).map(([, s]) => s),
    ['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE'],
    'refusals change nothing',
  );
  t.equal(
    (await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}`)).body.loadbalancer.provisioning_status,
    'ACTIVE',
  );
  // A known subnet is accepted for new members; the reserved address of a member
  // that exists already is not checked again (Octavia checks new members only).
  const r = await h.req('PUT', base, { members: [m(1), m(9, { subnet_id: subnetId(h, PRIVATE_SUBNET) })] });
  t.equal(r.status, 202);
  t.match((await members(h, pool.id)).at(-1), {
    address: '192.0.2.9',
    subnet_id: subnetId(h, PRIVATE_SUBNET),
  });
  t.equal((await h.req('PUT', `/v2/lbaas/pools/${MISSING}/members`, { members: [] })).status, 404);
  t.equal(
    fault(await h.req('PUT', `/v2/lbaas/pools/${MISSING}/members`, { members: [] })),
    `Pool ${MISSING} not found.`,
  );
});

t.test('a pool with a health monitor: new members are OFFLINE', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const pool = await activePool(h, { loadbalancer_id: lb.id });
  const hm = await h.req('POST', '/v2/lbaas/healthmonitors', {
    healthmonitor: { pool_id: pool.id, type: 'TCP', delay: 1, timeout: 1, max_retries: 1 },
  });
  t.equal(hm.status, 201);
  await h.activate(lb.id);
  const base = `/v2/lbaas/pools/${pool.id}/members`;
  t.equal((await h.req('PUT', base, { members: [m(1)] })).status, 202);
  t.equal((await members(h, pool.id))[0]!.operating_status, 'OFFLINE');
  await h.activate(lb.id);
  const r = await h.req('POST', base, { member: m(2) });
  t.equal(r.body.member.operating_status, 'OFFLINE', 'and so is one created alone');
});

t.test('quota counts the members added', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { lb, pool, base } = await fixture(h);
  t.equal((await h.req('PUT', `/v2/lbaas/quotas/${lb.project_id}`, { quota: { member: 5 } })).status, 202);
  let r = await h.req('PUT', base, { members: [m(1), m(2), m(3), m(4), m(5), m(6)] });
  t.equal(r.status, 403, '4 + 2 > 5');
  t.equal(fault(r), 'Quota has been met for resources: Member');
  r = await h.req('PUT', `${base}?additive_only=true`, { members: [m(5), m(6)] });
  t.equal(r.status, 403, 'additive: 4 + 2 > 5');
  r = await h.req('PUT', base, { members: [m(1), m(2), m(5), m(6), m(7)] });
  t.equal(r.status, 202, 'replacing two and adding one: 4 - 2 + 3 = 5');
  t.equal((await members(h, pool.id)).length, 7);
  await h.activate(lb.id);
  r = await h.req('PUT', base, { members: [m(1), m(2), m(5), m(6), m(8)] });
  t.equal(r.status, 202, 'swapping one for another: 5 - 1 + 1 = 5');
  r = await h.req('PUT', `${base}?additive_only=true`, { members: [m(9)] });
  t.equal(r.status, 409, 'pending');
  await h.activate(lb.id);
  r = await h.req('PUT', base, { members: [m(1), m(2)] });
  t.equal(r.status, 202, 'removing needs no quota');
});

t.test('projects', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const p1 = { 'x-project-id': 'p1' };
  const { pool, base } = await fixture(h, p1);
  let r = await h.req('PUT', base, { members: [m(9)] }, { 'x-project-id': 'p2' });
  t.equal(r.status, 403);
  t.equal(fault(r), 'Policy does not allow this request to be performed.');
  r = await h.req('PUT', base, { members: [m(9)] }, { 'x-project-id': 'p1', 'x-roles': 'reader' });
  t.equal(r.status, 403, 'a reader may not change members');
  r = await h.req('PUT', base, { members: [m(9, { project_id: 'p2' })] }, p1);
  t.equal(r.status, 202);
  t.equal((await members(h, pool.id)).find((x) => x.address === '192.0.2.9')!['project_id'], 'p1');
});
