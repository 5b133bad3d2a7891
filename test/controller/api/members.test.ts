// /v2/lbaas/pools/{pool_id}/members: status codes and error bodies.
import t from 'tap';
import { PRIVATE_SUBNET, activeLb, activePool, fault, harness, subnetId } from './helpers.js';

const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';

t.test('create, show, list, update, delete', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const p = await activePool(h, { loadbalancer_id: lb.id });
  const base = `/v2/lbaas/pools/${p.id}/members`;
  let r = await h.req('POST', base, {
    member: { address: '172.30.2.20', protocol_port: 8080, subnet_id: subnetId(h, PRIVATE_SUBNET) },
  });
  t.equal(r.status, 201);
  const m = r.body.member;
  t.match(m, {
    address: '172.30.2.20',
    protocol_port: 8080,
    weight: 1,
    backup: false,
    subnet_id: subnetId(h, PRIVATE_SUBNET),
    monitor_address: null,
    monitor_port: null,
    provisioning_status: 'PENDING_CREATE',
    operating_status: 'NO_MONITOR',
    admin_state_up: true,
    name: '',
    tags: [],
  });
  r = await h.req('POST', base, { member: { address: '172.30.2.21', protocol_port: 8080 } });
  t.equal(r.status, 409);
  t.equal(fault(r), `Pool ${p.id} is immutable and cannot be updated.`, 'the pool is pending');
  await h.activate(lb.id);
  r = await h.req('POST', base, { member: { address: '172.30.2.20', protocol_port: 8080 } });
  t.equal(r.status, 409);
  t.equal(fault(r), 'Another member on this pool is already using ip 172.30.2.20 on protocol_port 8080');

  r = await h.req('GET', `${base}/${m.id}`);
  t.equal(r.status, 200);
  t.equal(r.body.member.provisioning_status, 'ACTIVE');
  r = await h.req('GET', base);
  t.equal(r.body.members.length, 1);
  t.same(r.body.members_links, []);

  r = await h.req('PUT', `${base}/${m.id}`, { member: { weight: 0, backup: true, monitor_port: 9000 } });
  t.equal(r.status, 200);
  t.match(r.body.member, {
    weight: 0,
    backup: true,
    monitor_port: 9000,
    provisioning_status: 'PENDING_UPDATE',
  });
  await h.activate(lb.id);
  r = await h.req('PUT', `${base}/${m.id}`, { member: { weight: null, backup: null } });
  t.match(r.body.member, { weight: 1, backup: false }, 'null resets to the default');
  await h.activate(lb.id);
  r = await h.req('PUT', `${base}/${m.id}`, { member: { address: '1.1.1.1' } });
  t.equal(r.status, 400);
  t.equal(fault(r), 'Unknown attribute for argument member: address');

  r = await h.req('DELETE', `${base}/${m.id}`);
  t.equal(r.status, 204);
  r = await h.req('GET', `${base}/${m.id}`);
  t.equal(r.body.member.provisioning_status, 'PENDING_DELETE');
  await h.activate(lb.id);
  r = await h.req('GET', `${base}/${m.id}`);
  t.equal(r.status, 404);
  t.equal(fault(r), `Member ${m.id} not found.`);
});

t.test('validation errors and 404s', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const p = await activePool(h, { loadbalancer_id: lb.id });
  const other = await activePool(h, { loadbalancer_id: lb.id });
  const post = (m: Record<string, unknown>) =>
    h.req('POST', `/v2/lbaas/pools/${p.id}/members`, {
      member: { address: '10.0.0.1', protocol_port: 80, ...m },
    });
  const cases: [Record<string, unknown>, number, string | RegExp][] = [
    [
      { address: 'not-an-ip' },
      400,
      "Invalid input for field/attribute address. Value: 'not-an-ip'. Value should be IPv4 or IPv6 format",
    ],
    [{ address: '169.254.169.254' }, 400, '169.254.169.254 is not a valid option for member address'],
    [{ weight: 257 }, 400, /weight/],
    [{ weight: -1 }, 400, /weight/],
    [{ protocol_port: 0 }, 400, /protocol_port/],
    [{ subnet_id: MISSING }, 400, `Subnet ${MISSING} not found.`],
    [{ monitor_address: 'x' }, 400, /monitor_address/],
    [{ surprise: true }, 400, 'Unknown attribute for argument member: surprise'],
  ];
  for (const [body, status, message] of cases) {
    const r = await post(body);
    t.equal(r.status, status, JSON.stringify(body));
    t.match(fault(r), message);
  }
  let r = await h.req('GET', `/v2/lbaas/pools/${MISSING}/members`);
  t.equal(r.status, 404);
  t.equal(fault(r), `Pool ${MISSING} not found.`);
  const m = await post({ address: '2001:db8::1' });
  t.equal(m.status, 201, 'IPv6 members are valid addresses');
  r = await h.req('GET', `/v2/lbaas/pools/${other.id}/members/${m.body.member.id}`);
  t.equal(r.status, 404, 'a member is only found under its own pool');
});
