// The real API and worker over the no-op compute, network and amphora drivers: VIPs on
// subnets, networks and ports nobody configured, every object through PENDING_* to
// ACTIVE and away, failover and cascade delete, with no namespace built.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { listAmphorae } from '../../../controller/db/amphora-repo.js';
import { isActive, startNoop, type NoopController, type Obj } from './noop-harness.js';

let h: NoopController;
t.before(async () => {
  h = await startNoop();
});
t.teardown(() => h?.close());

async function activeLb(body: Obj): Promise<Obj> {
  const r = await h.api('POST', '/loadbalancers', { loadbalancer: body });
  if (r.status !== 201) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`);
  return (await h.waitFor(`/loadbalancers/${r.body.loadbalancer.id}`, 'loadbalancer', isActive))!;
}

async function portsOf(deviceId: string) {
  return h.ctl.db.selectFrom('port').selectAll().where('device_id', '=', deviceId).execute();
}

t.test('a VIP on any subnet id: PENDING_CREATE, then ACTIVE through the worker, OFFLINE', async (t) => {
  const subnet = randomUUID();
  const r = await h.api('POST', '/loadbalancers', { loadbalancer: { name: 'a', vip_subnet_id: subnet } });
  t.equal(r.status, 201, JSON.stringify(r.body));
  t.equal(r.body.loadbalancer.provisioning_status, 'PENDING_CREATE');
  t.equal(r.body.loadbalancer.vip_subnet_id, subnet);
  t.match(r.body.loadbalancer.vip_address, /^198\.19\.\d+\.\d+$/, 'an address of the no-op IPv4 range');
  t.equal(r.body.loadbalancer.provider, 'amphora', 'the default provider');
  const lb = await h.waitFor(`/loadbalancers/${r.body.loadbalancer.id}`, 'loadbalancer', isActive);
  // Nothing measures operating status: it stays OFFLINE, as Octavia's no-op shows it,
  // and never goes to ERROR for want of heartbeats (staleAfterMs is 200 ms here).
  await sleep(800);
  const later = await h.api('GET', `/loadbalancers/${lb!.id}`);
  t.equal(later.body.loadbalancer.operating_status, 'OFFLINE');

  const [amp, ...more] = await listAmphorae(h.ctl.db, { loadBalancerId: lb!.id });
  t.equal(more.length, 0);
  t.equal(amp!.status, 'ALLOCATED');
  t.equal(amp!.compute_id, `noop-${amp!.id}`);
  t.match(amp!.lb_network_ip, /^198\.18\./, 'management address from the no-op management subnet');
  t.equal(amp!.applied_version, 1);
  t.same(await h.ctl.compute.listAmphorae(), [amp!.id]);
  const config = h.amphora.lastConfig(amp!.id);
  t.equal(String(config?.version), '1', 'the worker pushed its config to the no-op agent');
  t.equal(config?.amphora_id, amp!.id);
});

t.test('vip_network_id alone, with a subnet, and with an address of either family', async (t) => {
  const network = randomUUID();
  const a = await activeLb({ vip_network_id: network });
  t.equal(a.vip_network_id, network);
  const subnetA = h.ctl.db.selectFrom('port').select('subnet_id').where('id', '=', a.vip_port_id);
  t.equal((await subnetA.executeTakeFirst())?.subnet_id, a.vip_subnet_id);

  const subnet = randomUUID();
  const b = await activeLb({ vip_network_id: network, vip_subnet_id: subnet });
  t.equal(b.vip_network_id, network);
  t.equal(b.vip_subnet_id, subnet);

  const c = await activeLb({ vip_network_id: network, vip_address: '2001:db8::77' });
  t.equal(c.vip_address, '2001:db8::77');
  t.not(c.vip_subnet_id, a.vip_subnet_id, 'the network’s IPv6 subnet');

  const v6subnet = randomUUID();
  const d = await activeLb({ vip_subnet_id: v6subnet, vip_address: 'fd00:abcd::0010' });
  t.equal(d.vip_address, 'fd00:abcd::10', 'any address, canonical spelling');
  const sub = await h.ctl.app.inject({ method: 'GET', url: `/v2.0/subnets/${v6subnet}` });
  t.equal(JSON.parse(sub.body).subnet.ip_version, 6, 'the subnet took the family of its first address');

  const e = await activeLb({ vip_subnet_id: randomUUID(), vip_address: '203.0.113.9' });
  t.equal(e.vip_address, '203.0.113.9');

  // As Octavia's no-op: no IPAM on a requested address (API suites give every VIP one).
  const same = await activeLb({ vip_subnet_id: e.vip_subnet_id, vip_address: '203.0.113.9' });
  t.equal(same.vip_address, '203.0.113.9', 'the same address twice on one subnet');
  t.not(same.vip_port_id, e.vip_port_id);
  t.equal((await h.api('DELETE', `/loadbalancers/${same.id}`)).status, 204);
  await h.waitFor(`/loadbalancers/${same.id}`, 'loadbalancer', 'gone');
  t.equal((await portsOf(e.id)).length, 1, 'the first holder keeps its port');
});

t.test('vip_port_id: the VIP takes the port; a port in use is refused', async (t) => {
  const port = randomUUID();
  const lb = await activeLb({ vip_port_id: port });
  t.equal(lb.vip_port_id, port);
  t.match(lb.vip_address, /^198\.19\./);
  t.same(
    (await portsOf(lb.id)).map((p) => p.id),
    [port],
  );
  const again = await h.api('POST', '/loadbalancers', { loadbalancer: { vip_port_id: port } });
  t.equal(again.status, 400);
  t.equal(again.body.faultstring, `Validation failure: Port ${port} already has a compute device attached.`);
});

t.test('malformed ids get Octavia’s 400', async (t) => {
  for (const [field, value] of [
    ['vip_subnet_id', 'not-a-uuid'],
    ['vip_network_id', '1234'],
    ['vip_port_id', 'abc'],
  ] as const) {
    const r = await h.api('POST', '/loadbalancers', { loadbalancer: { [field]: value } });
    t.equal(r.status, 400, `${field}=${value}`);
    t.same(r.body, {
      faultcode: 'Client',
      faultstring: `Invalid input for field/attribute ${field}. Value: '${value}'. Value should be UUID format`,
      debuginfo: null,
    });
  }
  const lb = await activeLb({ vip_subnet_id: randomUUID() });
  const listener = await h.api('POST', '/listeners', {
    listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 80 },
  });
  await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  const pool = await h.api('POST', '/pools', {
    pool: { listener_id: listener.body.listener.id, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' },
  });
  await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  const m = await h.api('POST', `/pools/${pool.body.pool.id}/members`, {
    member: { address: '10.1.1.1', protocol_port: 80, subnet_id: 'nope' },
  });
  t.equal(m.status, 400);
  t.equal(
    m.body.faultstring,
    "Invalid input for field/attribute subnet_id. Value: 'nope'. Value should be UUID format",
  );
  t.equal(
    (
      await h.api('POST', '/loadbalancers', {
        loadbalancer: { vip_subnet_id: randomUUID(), vip_address: '1.2.3' },
      })
    ).status,
    400,
    'a malformed vip_address',
  );
});

t.test('listener, pool, member and health monitor: create, update, delete through the worker', async (t) => {
  const lb = await activeLb({ vip_subnet_id: randomUUID() });
  const settled = () => h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  const [amp] = await listAmphorae(h.ctl.db, { loadBalancerId: lb.id });
  const applied = () => h.amphora.lastConfig(amp!.id)!;

  const l = await h.api('POST', '/listeners', {
    listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 8080 },
  });
  t.equal(l.status, 201);
  t.equal(l.body.listener.provisioning_status, 'PENDING_CREATE');
  const listenerId = l.body.listener.id as string;
  await settled();
  t.equal((await h.waitFor(`/listeners/${listenerId}`, 'listener', isActive))!.provisioning_status, 'ACTIVE');
  t.same(
    applied().listeners!.map((x) => x.protocol_port),
    [8080],
  );

  const p = await h.api('POST', '/pools', {
    pool: { listener_id: listenerId, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' },
  });
  t.equal(p.status, 201);
  const poolId = p.body.pool.id as string;
  await settled();
  await h.waitFor(`/pools/${poolId}`, 'pool', isActive);

  const memberSubnet = randomUUID();
  const m = await h.api('POST', `/pools/${poolId}/members`, {
    member: { address: '10.20.30.40', protocol_port: 80, subnet_id: memberSubnet },
  });
  t.equal(m.status, 201, JSON.stringify(m.body));
  const memberId = m.body.member.id as string;
  await settled();
  const member = await h.waitFor(`/pools/${poolId}/members/${memberId}`, 'member', isActive);
  t.equal(member!.subnet_id, memberSubnet);
  t.equal(member!.operating_status, 'NO_MONITOR', 'as the API set it');
  t.same(
    applied().pools!.flatMap((x) => x.members!.map((mm) => mm.address)),
    ['10.20.30.40'],
  );

  const hm = await h.api('POST', '/healthmonitors', {
    healthmonitor: { pool_id: poolId, type: 'TCP', delay: 5, timeout: 3, max_retries: 3 },
  });
  t.equal(hm.status, 201, JSON.stringify(hm.body));
  const hmId = hm.body.healthmonitor.id as string;
  await settled();
  await h.waitFor(`/healthmonitors/${hmId}`, 'healthmonitor', isActive);

  for (const [url, key] of [
    [`/listeners/${listenerId}`, 'listener'],
    [`/pools/${poolId}`, 'pool'],
    [`/pools/${poolId}/members/${memberId}`, 'member'],
    [`/healthmonitors/${hmId}`, 'healthmonitor'],
  ] as const) {
    const u = await h.api('PUT', url, { [key]: { name: `renamed-${key}` } });
    t.equal(u.status, 200, `update ${key}: ${JSON.stringify(u.body)}`);
    t.equal(u.body[key].provisioning_status, 'PENDING_UPDATE');
    await settled();
    const after = await h.waitFor(url, key, isActive);
    t.equal(after!.name, `renamed-${key}`);
  }

  for (const [url, key] of [
    [`/healthmonitors/${hmId}`, 'healthmonitor'],
    [`/pools/${poolId}/members/${memberId}`, 'member'],
    [`/pools/${poolId}`, 'pool'],
    [`/listeners/${listenerId}`, 'listener'],
  ] as const) {
    const d = await h.api('DELETE', url);
    t.equal(d.status, 204, `delete ${key}`);
    await h.waitFor(url, key, 'gone');
    await settled();
  }
  t.same(applied().listeners, [], 'the last config has nothing left');
  t.ok(Number(applied().version) > 10, 'one config per change');
});

t.test('failover builds a new no-op amphora and serves it the config', async (t) => {
  const lb = await activeLb({ vip_subnet_id: randomUUID() });
  await h.api('POST', '/listeners', {
    listener: { loadbalancer_id: lb.id, protocol: 'UDP', protocol_port: 53 },
  });
  await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  const [before] = await listAmphorae(h.ctl.db, { loadBalancerId: lb.id });

  const f = await h.api('PUT', `/loadbalancers/${lb.id}/failover`);
  t.equal(f.status, 202);
  await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  const after = await listAmphorae(h.ctl.db, { loadBalancerId: lb.id });
  t.equal(after.length, 1);
  t.not(after[0]!.id, before!.id, 'a new amphora');
  t.equal(await portsOf(before!.id).then((p) => p.length), 0, 'the old amphora’s ports are released');
  t.equal(h.amphora.lastConfig(before!.id), undefined, 'the old amphora is forgotten');
  t.same(
    h.amphora.lastConfig(after[0]!.id)!.listeners!.map((l) => l.protocol),
    ['UDP'],
  );
  t.notOk((await h.ctl.compute.listAmphorae()).includes(before!.id));

  const amp = await h.ctl.app.inject({
    method: 'PUT',
    url: `/v2/octavia/amphorae/${after[0]!.id}/failover`,
    headers: { 'x-project-id': 'p1', 'x-roles': 'admin' },
  });
  t.equal(amp.statusCode, 202, amp.body);
  await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  const third = await listAmphorae(h.ctl.db, { loadBalancerId: lb.id });
  t.equal(third.length, 1);
  t.not(third[0]!.id, after[0]!.id, 'amphora failover replaced it too');
});

t.test('cascade delete removes the graph, the amphora and every port', async (t) => {
  const lb = await activeLb({ vip_network_id: randomUUID() });
  const settled = () => h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  const l = await h.api('POST', '/listeners', {
    listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 443 },
  });
  await settled();
  const p = await h.api('POST', '/pools', {
    pool: { listener_id: l.body.listener.id, protocol: 'TCP', lb_algorithm: 'SOURCE_IP' },
  });
  await settled();
  await h.api('POST', `/pools/${p.body.pool.id}/members`, {
    member: { address: '192.0.2.50', protocol_port: 443, subnet_id: randomUUID() },
  });
  await settled();
  const [amp] = await listAmphorae(h.ctl.db, { loadBalancerId: lb.id });

  t.equal((await h.api('DELETE', `/loadbalancers/${lb.id}`)).status, 400, 'children without cascade');
  const d = await h.api('DELETE', `/loadbalancers/${lb.id}?cascade=true`);
  t.equal(d.status, 204);
  await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', 'gone');
  t.equal((await h.api('GET', `/listeners/${l.body.listener.id}`)).status, 404);
  t.equal((await h.api('GET', `/pools/${p.body.pool.id}`)).status, 404);
  t.same(await listAmphorae(h.ctl.db, { loadBalancerId: lb.id }), []);
  t.same(await portsOf(lb.id), [], 'the VIP port');
  t.same(await portsOf(amp!.id), [], 'the amphora ports');
  t.notOk((await h.ctl.compute.listAmphorae()).includes(amp!.id));
});
