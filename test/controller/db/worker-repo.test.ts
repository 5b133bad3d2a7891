// The worker's repository API: job claims with leases, the graph, status settling,
// deletion; and the local network driver's IPAM.
import t from 'tap';
import { harness, activeLb, activeListener, activePool, PUBLIC_SUBNET, subnetId } from '../api/helpers.js';
import {
  claimJob,
  deleteLoadBalancerRows,
  finishJob,
  loadLoadBalancerGraph,
  markGraphActive,
  markGraphError,
  renewLease,
  setOperatingStatuses,
} from '../../../controller/db/worker-repo.js';
import {
  createAmphora,
  deleteAmphora,
  getAmphora,
  listAmphorae,
  updateAmphora,
} from '../../../controller/db/amphora-repo.js';

t.test('claimJob: oldest first, one running job per load balancer, expired leases reclaimed', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const a = await h.req('POST', '/v2/lbaas/loadbalancers', {
    loadbalancer: { vip_subnet_id: subnetId(h, PUBLIC_SUBNET) },
  });
  const b = await h.req('POST', '/v2/lbaas/loadbalancers', {
    loadbalancer: { vip_subnet_id: subnetId(h, PUBLIC_SUBNET) },
  });
  const first = await claimJob(h.db, 'w1', 60_000);
  t.match(first, {
    kind: 'create_lb',
    load_balancer_id: a.body.loadbalancer.id,
    state: 'running',
    lease_owner: 'w1',
    attempts: 1,
  });
  // A second job for the same load balancer waits while the first runs.
  await h.db
    .insertInto('job')
    .values({
      kind: 'sync_lb',
      load_balancer_id: a.body.loadbalancer.id,
      state: 'pending',
      attempts: 0,
      created_at: 'x',
    })
    .execute();
  const second = await claimJob(h.db, 'w2', 60_000);
  t.equal(second?.load_balancer_id, b.body.loadbalancer.id, 'the other load balancer is served meanwhile');
  t.equal(await claimJob(h.db, 'w2', 60_000), undefined, 'nothing else is claimable');
  t.ok(await renewLease(h.db, first!.id, 'w1', 60_000));
  t.notOk(await renewLease(h.db, first!.id, 'w2', 60_000), 'only the owner renews');
  await finishJob(h.db, first!.id);
  const third = await claimJob(h.db, 'w1', 60_000);
  t.match(third, { kind: 'sync_lb', load_balancer_id: a.body.loadbalancer.id });
  await finishJob(h.db, third!.id, 'boom');
  t.match(await h.db.selectFrom('job').selectAll().where('id', '=', third!.id).executeTakeFirst(), {
    state: 'failed',
    error: 'boom',
  });
  // An expired lease makes the job claimable again.
  await h.db
    .updateTable('job')
    .set({ lease_until: '2000-01-01T00:00:00.000Z' })
    .where('id', '=', second!.id)
    .execute();
  const again = await claimJob(h.db, 'w3', 60_000);
  t.match(again, { id: second!.id, lease_owner: 'w3', attempts: 2 });
});

t.test('graph, markGraphActive, markGraphError, setOperatingStatuses, deleteLoadBalancerRows', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const l = await activeListener(h, lb.id);
  const p = await activePool(h, { listener_id: l.id });
  const m = await h.req('POST', `/v2/lbaas/pools/${p.id}/members`, {
    member: { address: '10.0.0.1', protocol_port: 80 },
  });
  const graph = await loadLoadBalancerGraph(h.db, lb.id);
  t.equal(graph?.listeners.length, 1);
  t.equal(graph?.pools[0]?.members[0]?.provisioning_status, 'PENDING_CREATE', 'pending rows included');
  t.equal(await loadLoadBalancerGraph(h.db, 'nope'), undefined);

  await markGraphError(h.db, lb.id);
  t.equal((await loadLoadBalancerGraph(h.db, lb.id))?.loadBalancer.provisioning_status, 'ERROR');
  t.equal((await loadLoadBalancerGraph(h.db, lb.id))?.pools[0]?.members[0]?.provisioning_status, 'ERROR');
  t.equal((await loadLoadBalancerGraph(h.db, lb.id))?.listeners[0]?.provisioning_status, 'ERROR');

  await markGraphActive(h.db, lb.id);
  await setOperatingStatuses(h.db, {
    loadBalancer: { id: lb.id, status: 'ONLINE' },
    listeners: { [l.id]: 'ONLINE' },
    pools: { [p.id]: 'DEGRADED' },
    members: { [m.body.member.id]: 'ERROR' },
  });
  const g = (await loadLoadBalancerGraph(h.db, lb.id))!;
  t.equal(g.loadBalancer.operating_status, 'ONLINE');
  t.equal(g.listeners[0]!.operating_status, 'ONLINE');
  t.equal(g.pools[0]!.pool.operating_status, 'DEGRADED');
  t.equal(g.pools[0]!.members[0]!.operating_status, 'ERROR');
  t.equal(g.pools[0]!.members[0]!.provisioning_status, 'ACTIVE');

  await h.req('DELETE', `/v2/lbaas/loadbalancers/${lb.id}?cascade=true`);
  await deleteLoadBalancerRows(h.db, lb.id);
  t.equal(await loadLoadBalancerGraph(h.db, lb.id), undefined);
  t.same(await h.db.selectFrom('member').select('id').execute(), []);
  t.same(await h.network.listPorts({ deviceId: lb.id }), [], 'the VIP port is released');
});

t.test('amphora CRUD', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const a = await createAmphora(h.db, {
    id: 'amp1',
    status: 'BOOTING',
    role: 'STANDALONE',
    load_balancer_id: 'lb1',
  });
  t.match(a, { id: 'amp1', member_ips: '{}', desired_version: 0, applied_version: 0, lb_network_ip: null });
  t.ok(await updateAmphora(h.db, 'amp1', { status: 'ALLOCATED', lb_network_ip: '172.30.0.10' }));
  t.match(await getAmphora(h.db, 'amp1'), { status: 'ALLOCATED', lb_network_ip: '172.30.0.10' });
  t.equal((await listAmphorae(h.db, { loadBalancerId: 'lb1' })).length, 1);
  t.equal((await listAmphorae(h.db, { status: 'READY' })).length, 0);
  t.ok(await deleteAmphora(h.db, 'amp1'));
  t.notOk(await updateAmphora(h.db, 'amp1', { status: 'ERROR' }));
});

t.test('local network driver IPAM', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const mgmt = h.network.findSubnet('lb-mgmt-subnet')!;
  t.equal(h.network.findSubnet(mgmt.id), mgmt, 'by id or by name');
  t.equal(h.network.subnetOfAddress('172.30.2.77')?.name, 'private-subnet');
  t.equal(h.network.subnetOfAddress('8.8.8.8'), undefined);
  const req = {
    subnetId: mgmt.id,
    name: 'a',
    deviceOwner: 'compute:amphora',
    deviceId: 'amp1',
    projectId: 'service',
  };
  const p1 = await h.network.allocatePort(req);
  const p2 = await h.network.allocatePort({ ...req, deviceId: 'amp2' });
  t.same([p1.ip_address, p2.ip_address], ['172.30.0.10', '172.30.0.11'], 'lowest free addresses');
  t.equal(await h.network.releasePorts('amp1'), 1);
  const p3 = await h.network.allocatePort({ ...req, deviceId: 'amp3' });
  t.equal(p3.ip_address, '172.30.0.10', 'a released address is reused');
  await t.rejects(h.network.allocatePort({ ...req, fixedIp: '172.30.0.11' }), {
    code: 'IpAddressAlreadyAllocated',
  });
  await t.rejects(h.network.allocatePort({ ...req, subnetId: 'nope' }), { code: 'InvalidSubresource' });
  t.equal((await h.network.getPort(p2.id))?.device_id, 'amp2');
  // Inside a transaction, as the API allocates a VIP together with its load balancer.
  await h.db.transaction().execute(async (trx) => {
    const p = await h.network.allocatePort({ ...req, deviceId: 'amp4' }, trx);
    t.equal(p.ip_address, '172.30.0.12');
  });
});
