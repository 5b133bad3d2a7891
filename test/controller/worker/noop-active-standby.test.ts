// ACTIVE_STANDBY through the real API and worker with the no-op drivers: two amphorae
// with Octavia's VRRP fields, the vrrp section each agent is sent, and the failover
// semantics (BACKUP rebuilt without touching the MASTER; the MASTER hands the VIP over
// with ReleaseMastership before it is rebuilt). The no-op amphora driver keeps a VRRP
// state per amphora as keepalived would (nopreempt, the peer takes over on release).
import t from 'tap';
import { listAmphorae } from '../../../controller/db/amphora-repo.js';
import { readAmphoraConfig } from '../../../src/config/proto-json.js';
import { validateAmphoraConfig } from '../../../src/config/validate.js';
import { isActive, noopConfig, startNoop, type NoopController, type Obj } from './noop-harness.js';

const SUBNET = '7a6c3a1e-0a3b-4c6e-9d4e-1f2a3b4c5d6e';

async function activeStandby(): Promise<NoopController> {
  const base = noopConfig();
  return startNoop({
    ...base,
    controllerWorker: { ...base.controllerWorker, loadbalancerTopology: 'ACTIVE_STANDBY' },
  });
}

async function admin(
  h: NoopController,
  method: 'GET' | 'PUT',
  url: string,
): Promise<{ status: number; body: Obj }> {
  const res = await h.ctl.app.inject({ method, url, headers: { 'x-project-id': 'p1', 'x-roles': 'admin' } });
  return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : {}) as Obj };
}

async function createLb(h: NoopController): Promise<Obj> {
  const r = await h.api('POST', '/loadbalancers', { loadbalancer: { name: 'ha', vip_subnet_id: SUBNET } });
  if (r.status !== 201) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`);
  const lb = r.body.loadbalancer as Obj;
  await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  return lb;
}

async function amphoraeOf(h: NoopController, lbId: string): Promise<Obj[]> {
  const r = await admin(h, 'GET', `/v2/octavia/amphorae?loadbalancer_id=${lbId}`);
  return (r.body.amphorae as Obj[]).filter((a) => a.status !== 'DELETED');
}

t.test('an ACTIVE_STANDBY load balancer gets a MASTER and a BACKUP with the VRRP fields', async (t) => {
  const h = await activeStandby();
  t.teardown(() => h.close());
  const lb = await createLb(h);
  const amps = await amphoraeOf(h, lb.id as string);
  t.equal(amps.length, 2, 'two amphorae');
  t.same(amps.map((a) => a.role).sort(), ['BACKUP', 'MASTER']);
  const master = amps.find((a) => a.role === 'MASTER')!;
  const backup = amps.find((a) => a.role === 'BACKUP')!;
  for (const a of amps) {
    t.equal(a.ha_ip, lb.vip_address, 'ha_ip is the VIP');
    t.equal(a.ha_port_id, lb.vip_port_id, 'ha_port_id is the VIP port');
    t.ok(a.vrrp_ip && a.vrrp_ip !== lb.vip_address, 'an own VRRP address');
    t.ok(a.vrrp_port_id, 'a VRRP port');
    t.ok(a.vrrp_interface, 'a VRRP interface');
    t.type(a.vrrp_id, 'number');
  }
  t.not(master.vrrp_ip, backup.vrrp_ip);
  t.equal(master.vrrp_id, backup.vrrp_id, 'one virtual router');
  t.ok(master.vrrp_priority > backup.vrrp_priority, 'the MASTER has the higher priority');

  // Each agent is told its peer, and the VIP only as a floating address.
  const mc = h.amphora.lastConfig(master.id as string)!;
  const bc = h.amphora.lastConfig(backup.id as string)!;
  t.equal(mc.vrrp?.initial_role, 'MASTER');
  t.equal(bc.vrrp?.initial_role, 'BACKUP');
  t.same(mc.vrrp?.peer_ips, [backup.vrrp_ip]);
  t.same(bc.vrrp?.peer_ips, [master.vrrp_ip]);
  t.equal(mc.vrrp?.vrrp_ip, master.vrrp_ip);
  t.ok(
    mc.vrrp?.floating?.some((f: { address?: string }) => f.address?.split('/')[0] === lb.vip_address),
    'the VIP moves with mastership',
  );
  t.equal(mc.vrrp?.flow_sync?.peer_amphora_id, backup.id);
  t.equal(bc.vrrp?.flow_sync?.peer_amphora_id, master.id);
  t.same(mc.listeners, bc.listeners, 'both carry the same listeners');
  // The contract: what the controller sends is what the agent accepts (its own validation).
  for (const cfg of [mc, bc])
    t.doesNotThrow(
      () => validateAmphoraConfig(readAmphoraConfig(JSON.parse(JSON.stringify(cfg)))),
      'the agent accepts it',
    );
});

t.test('failing over the BACKUP never touches the MASTER; the MASTER hands the VIP over first', async (t) => {
  const h = await activeStandby();
  t.teardown(() => h.close());
  const lb = await createLb(h);
  let amps = await amphoraeOf(h, lb.id as string);
  const master = amps.find((a) => a.role === 'MASTER')!;
  const backup = amps.find((a) => a.role === 'BACKUP')!;

  h.amphora.calls.length = 0;
  let r = await admin(h, 'PUT', `/v2/octavia/amphorae/${backup.id}/failover`);
  t.equal(r.status, 202);
  await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  amps = await amphoraeOf(h, lb.id as string);
  t.equal(amps.length, 2);
  t.ok(
    amps.some((a) => a.id === master.id),
    'the MASTER is kept',
  );
  t.notOk(
    amps.some((a) => a.id === backup.id),
    'the BACKUP was replaced',
  );
  t.notOk(
    h.amphora.calls.some((c) => c.method === 'releaseMastership'),
    'no mastership released for a BACKUP failover',
  );
  t.equal(h.amphora.vrrpState(master.id as string), 'MASTER', 'the MASTER still holds the VIP');

  h.amphora.calls.length = 0;
  r = await admin(h, 'PUT', `/v2/octavia/amphorae/${master.id}/failover`);
  t.equal(r.status, 202);
  await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  const released = h.amphora.calls.filter((c) => c.method === 'releaseMastership');
  t.same(
    released.map((c) => c.amphoraId),
    [master.id],
    'the MASTER released the VIP before it was rebuilt',
  );
  amps = await amphoraeOf(h, lb.id as string);
  t.equal(amps.length, 2);
  t.notOk(
    amps.some((a) => a.id === master.id),
    'the old MASTER was replaced',
  );
  const rows = (await listAmphorae(h.ctl.db, { status: 'ALLOCATED' })).filter(
    (a) => a.load_balancer_id === lb.id,
  );
  t.equal(rows.length, 2, 'two allocated amphorae again');
  t.equal(rows.filter((a) => h.amphora.vrrpState(a.id) === 'MASTER').length, 1, 'exactly one holds the VIP');
});

t.test('failover of a load balancer that is not ACTIVE is a 409', async (t) => {
  const h = await activeStandby();
  t.teardown(() => h.close());
  const lb = await createLb(h);
  const first = await admin(h, 'PUT', `/v2/lbaas/loadbalancers/${lb.id}/failover`);
  t.equal(first.status, 202);
  const second = await admin(h, 'PUT', `/v2/lbaas/loadbalancers/${lb.id}/failover`);
  t.equal(second.status, 409, 'PENDING_UPDATE is immutable');
  t.equal(second.body.faultcode, 'Client');
  await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  t.equal((await amphoraeOf(h, lb.id as string)).length, 2, 'both rebuilt, two again');
});
