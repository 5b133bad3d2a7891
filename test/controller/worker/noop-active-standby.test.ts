// ACTIVE_STANDBY through the real API and worker over the no-op drivers: two amphorae
// with Octavia's VRRP attributes, the vrrp section of each config, and the failover of
// the BACKUP (no handover), of the MASTER (ReleaseMastership first), of a dead MASTER
// (no handover: the survivor took over) and of the load balancer (BACKUP, then MASTER).
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { controllerConfig } from '../../../controller/config.js';
import { enqueueAmphoraFailover } from '../../../controller/db/amphora-ops-repo.js';
import { getAmphora, listAmphorae } from '../../../controller/db/amphora-repo.js';
import { recordHeartbeat } from '../../../controller/health/server.js';
import type { AmphoraConfig } from '../../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import { isActive, noopConfig, startNoop, type NoopController, type Obj } from './noop-harness.js';

let h: NoopController;
t.before(async () => {
  h = await startNoop();
});
t.teardown(() => h?.close());

const admin = { 'x-project-id': 'p1', 'x-roles': 'admin' };

async function octavia(method: 'GET' | 'PUT', url: string): Promise<{ status: number; body: Obj }> {
  const r = await h.ctl.app.inject({ method, url: `/v2/octavia${url}`, headers: admin });
  return { status: r.statusCode, body: (r.body ? JSON.parse(r.body) : {}) as Obj };
}

let flavorId: string | undefined;
async function haFlavor(): Promise<string> {
  if (flavorId) return flavorId;
  const fp = await h.api('POST', '/flavorprofiles', {
    flavorprofile: {
      name: 'ha',
      provider_name: 'velox',
      flavor_data: '{"loadbalancer_topology": "ACTIVE_STANDBY"}',
    },
  });
  if (fp.status !== 201) throw new Error(JSON.stringify(fp.body));
  const f = await h.api('POST', '/flavors', {
    flavor: { name: 'ha', flavor_profile_id: fp.body.flavorprofile.id },
  });
  if (f.status !== 201) throw new Error(JSON.stringify(f.body));
  return (flavorId = f.body.flavor.id as string);
}

/** An ACTIVE_STANDBY load balancer with a TCP listener, a pool and a member on another network. */
async function haLb(): Promise<{ lb: Obj; memberSubnet: string }> {
  const memberSubnet = randomUUID();
  const r = await h.api('POST', '/loadbalancers', {
    loadbalancer: {
      vip_subnet_id: randomUUID(),
      flavor_id: await haFlavor(),
      listeners: [
        {
          protocol: 'TCP',
          protocol_port: 80,
          default_pool: {
            name: 'pool',
            protocol: 'TCP',
            lb_algorithm: 'ROUND_ROBIN',
            members: [{ address: '198.19.7.7', protocol_port: 8080, subnet_id: memberSubnet }],
          },
        },
      ],
    },
  });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  const lb = (await h.waitFor(`/loadbalancers/${r.body.loadbalancer.id}`, 'loadbalancer', isActive))!;
  return { lb, memberSubnet };
}

async function amphoraeOf(lbId: string): Promise<Obj[]> {
  const r = await octavia('GET', `/amphorae?loadbalancer_id=${lbId}`);
  return (r.body.amphorae as Obj[]).sort((a, b) => (a.role as string).localeCompare(b.role as string));
}

async function byRole(lbId: string): Promise<{ master: Obj; backup: Obj }> {
  const amps = await amphoraeOf(lbId);
  const master = amps.find((a) => a.role === 'MASTER');
  const backup = amps.find((a) => a.role === 'BACKUP');
  if (amps.length !== 2 || !master || !backup) throw new Error(`roles: ${JSON.stringify(amps)}`);
  return { master, backup };
}

function cfg(id: string): AmphoraConfig {
  const c = h.amphora.lastConfig(id);
  if (!c) throw new Error(`no config for ${id}`);
  return c;
}

function callsSince(n: number) {
  return h.amphora.calls.slice(n);
}

t.test('create: two amphorae, MASTER and BACKUP, with Octavia’s VRRP attributes', async (t) => {
  const { lb } = await haLb();
  t.equal(lb.flavor_id, await haFlavor());
  const db = h.ctl.db;
  const row = await db
    .selectFrom('load_balancer')
    .select('topology')
    .where('id', '=', lb.id)
    .executeTakeFirst();
  t.equal(row?.topology, 'ACTIVE_STANDBY', 'the topology is stored');
  const { master, backup } = await byRole(lb.id);
  for (const a of [master, backup]) {
    t.equal(a.status, 'ALLOCATED');
    t.equal(a.loadbalancer_id, lb.id);
    t.equal(a.ha_ip, lb.vip_address, 'ha_ip is the VIP');
    t.equal(a.ha_port_id, lb.vip_port_id, 'ha_port_id is the VIP port');
    t.equal(a.vrrp_interface, 'vip0');
    const port = await db.selectFrom('port').selectAll().where('id', '=', a.vrrp_port_id).executeTakeFirst();
    t.equal(port?.ip_address, a.vrrp_ip, 'vrrp_port_id holds vrrp_ip');
    t.equal(port?.subnet_id, lb.vip_subnet_id, 'on the VIP subnet');
    t.equal(port?.device_id, a.id, 'owned by the amphora');
  }
  t.not(master.vrrp_ip, backup.vrrp_ip, 'a VRRP address each');
  t.not(master.lb_network_ip, backup.lb_network_ip);
  t.equal(master.vrrp_id, backup.vrrp_id, 'one group');
  t.ok(master.vrrp_id >= 1 && master.vrrp_id <= 255);
  t.equal(master.vrrp_priority, 100);
  t.equal(backup.vrrp_priority, 90);
  t.same(
    (await h.ctl.compute.listAmphorae()).filter((id) => id === master.id || id === backup.id).sort(),
    [master.id, backup.id].sort(),
    'two computes',
  );
  const snat = await db.selectFrom('port').selectAll().where('device_id', '=', lb.id).execute();
  t.ok(
    snat.some((p) => p.name.startsWith('octavia-lb-snat-')),
    'SNAT ports belong to the load balancer',
  );
});

t.test('config: each amphora gets the same services and its own vrrp section', async (t) => {
  const { lb, memberSubnet } = await haLb();
  const { master, backup } = await byRole(lb.id);
  const m = cfg(master.id);
  const b = cfg(backup.id);
  t.same(m.listeners, b.listeners, 'the same listeners');
  t.same(m.pools, b.pools, 'the same pools');
  t.equal(m.listeners?.[0]?.vip_address, lb.vip_address);
  const vip0 = (c: AmphoraConfig) => c.interfaces?.find((i) => i.name === 'vip0');
  t.same(
    vip0(m)?.addresses,
    [`${master.vrrp_ip}/16`],
    'the VIP interface carries the amphora’s own address only',
  );
  t.same(vip0(b)?.addresses, [`${backup.vrrp_ip}/16`]);
  const db = h.ctl.db;
  const snatPorts = await db.selectFrom('port').selectAll().where('device_id', '=', lb.id).execute();
  const snatIp = snatPorts.find((p) => p.subnet_id === memberSubnet)?.ip_address;
  t.ok(snatIp, 'a SNAT port on the member subnet');
  const ownAddresses = (c: AmphoraConfig) => c.interfaces!.flatMap((i) => i.addresses ?? []);
  for (const c of [m, b]) {
    t.notOk(
      ownAddresses(c).some((a) => a.startsWith(`${lb.vip_address}/`)),
      'no VIP on an interface',
    );
    t.notOk(
      ownAddresses(c).some((a) => a.startsWith(`${snatIp}/`)),
      'no SNAT address on an interface',
    );
  }
  const timers = h.ctl.config.controllerWorker;
  const expected = (self: Obj, peer: Obj, role: string, priority: number) => ({
    initial_role: role,
    vrrp_id: self.vrrp_id,
    priority,
    interface: 'vip0',
    vrrp_ip: self.vrrp_ip,
    peer_ips: [peer.vrrp_ip],
    advert_int: timers.vrrpAdvertInt,
    check_interval: timers.vrrpCheckInterval,
    fail_count: timers.vrrpFailCount,
    success_count: timers.vrrpSuccessCount,
    garp_refresh_interval: timers.vrrpGarpRefreshInterval,
    flow_sync: { peer: `${peer.lb_network_ip}:${h.ctl.config.agent.port}`, peer_amphora_id: peer.id },
  });
  t.match(m.vrrp, expected(master, backup, 'MASTER', 100), 'MASTER');
  t.match(b.vrrp, expected(backup, master, 'BACKUP', 90), 'BACKUP');
  t.equal(m.vrrp?.auth_pass, b.vrrp?.auth_pass, 'one password');
  t.match(m.vrrp?.auth_pass, /^[A-Za-z0-9]{8}$/);
  t.same(m.vrrp?.floating, b.vrrp?.floating, 'the same floating addresses');
  const floating = m.vrrp!.floating!;
  t.same(floating[0], { interface: 'vip0', address: `${lb.vip_address}/16`, snat: false }, 'the VIP first');
  // (No-op subnets share one range: the SNAT address may spell like the VIP.)
  const snat = floating.find((f) => f.snat && f.address === `${snatIp}/16`);
  t.ok(snat, 'the SNAT address of the member subnet floats too');
  t.match(snat?.interface, /^mem\d+$/);
  const memNic = m.interfaces!.find((i) => i.name === snat?.interface);
  t.equal(memNic?.role, 'MEMBER', 'on the member NIC of that network');
  t.equal(h.amphora.vrrpState(master.id), 'MASTER');
  t.equal(h.amphora.vrrpState(backup.id), 'BACKUP');
});

t.test('failover of the BACKUP: no handover, a new BACKUP joins, both get config', async (t) => {
  const { lb } = await haLb();
  const before = await byRole(lb.id);
  const n = h.amphora.calls.length;
  const r = await octavia('PUT', `/amphorae/${before.backup.id}/failover`);
  t.equal(r.status, 202);
  await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  const after = await byRole(lb.id);
  t.equal(after.master.id, before.master.id, 'the MASTER stays');
  t.not(after.backup.id, before.backup.id, 'a new BACKUP');
  t.notOk(await getAmphora(h.ctl.db, before.backup.id), 'the old BACKUP is gone');
  const calls = callsSince(n);
  t.notOk(
    calls.some((c) => c.method === 'releaseMastership'),
    'traffic is not touched',
  );
  t.ok(calls.some((c) => c.method === 'apply' && c.amphoraId === after.backup.id));
  t.ok(
    calls.some((c) => c.method === 'apply' && c.amphoraId === after.master.id),
    'the MASTER learns its new peer',
  );
  t.same(cfg(after.master.id).vrrp?.peer_ips, [after.backup.vrrp_ip]);
  t.equal(cfg(after.backup.id).vrrp?.initial_role, 'BACKUP');
  t.equal(h.amphora.vrrpState(after.master.id), 'MASTER', 'the MASTER never left');
});

t.test(
  'failover of the MASTER: it releases mastership, the BACKUP takes over, a new BACKUP joins',
  async (t) => {
    const { lb } = await haLb();
    const before = await byRole(lb.id);
    const n = h.amphora.calls.length;
    t.equal((await octavia('PUT', `/amphorae/${before.master.id}/failover`)).status, 202);
    await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
    const after = await byRole(lb.id);
    t.equal(after.master.id, before.backup.id, 'the old BACKUP is MASTER');
    t.not(after.backup.id, before.master.id, 'the old MASTER was rebuilt');
    t.notOk(await getAmphora(h.ctl.db, before.master.id));
    const calls = callsSince(n);
    t.same(
      calls[0],
      { amphoraId: before.master.id, method: 'releaseMastership' },
      'the handover comes first',
    );
    t.equal(calls.filter((c) => c.method === 'releaseMastership').length, 1);
    t.equal(h.amphora.vrrpState(after.master.id), 'MASTER');
    t.equal(h.amphora.vrrpState(after.backup.id), 'BACKUP');
    t.equal(cfg(after.master.id).vrrp?.initial_role, 'MASTER');
    t.equal(cfg(after.master.id).vrrp?.priority, 100);
    t.equal(after.master.vrrp_priority, 100, 'the survivor’s new priority');
    t.same(cfg(after.master.id).vrrp?.peer_ips, [after.backup.vrrp_ip]);
  },
);

t.test(
  'a dead MASTER (health manager): no handover, the survivor is MASTER, the dead one rebuilt',
  async (t) => {
    const { lb } = await haLb();
    const before = await byRole(lb.id);
    await h.ctl.compute.deleteAmphora(before.master.id); // the amphora dies
    t.equal(h.amphora.vrrpState(before.backup.id), 'MASTER', 'keepalived on the survivor took over');
    const n = h.amphora.calls.length;
    await enqueueAmphoraFailover(h.ctl.db, before.master.id, 'health: heartbeats stopped');
    h.ctl.worker.poke();
    await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
    const after = await byRole(lb.id);
    t.equal(after.master.id, before.backup.id);
    t.not(after.backup.id, before.master.id);
    t.notOk(
      callsSince(n).some((c) => c.method === 'releaseMastership' && c.amphoraId !== before.master.id),
      'nothing asked of the survivor',
    );
    const job = await h.ctl.db.selectFrom('job').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    t.same(
      [job.kind, job.amphora_id, job.reason, job.state],
      ['failover_amphora', before.master.id, 'health: heartbeats stopped', 'done'],
    );
  },
);

t.test('load balancer failover: the BACKUP first, then the MASTER with a handover', async (t) => {
  const { lb } = await haLb();
  const before = await byRole(lb.id);
  const n = h.amphora.calls.length;
  t.equal((await h.api('PUT', `/loadbalancers/${lb.id}/failover`)).status, 202);
  await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  const after = await byRole(lb.id);
  const old = new Set([before.master.id, before.backup.id]);
  t.notOk(old.has(after.master.id) || old.has(after.backup.id), 'both replaced');
  const calls = callsSince(n);
  const releases = calls.filter((c) => c.method === 'releaseMastership');
  t.same(releases, [{ amphoraId: before.master.id, method: 'releaseMastership' }], 'one planned handover');
  const firstApplyToNew = calls.findIndex((c) => c.method === 'apply' && !old.has(c.amphoraId));
  t.ok(
    firstApplyToNew < calls.indexOf(releases[0]!),
    'the BACKUP was replaced before the MASTER handed over',
  );
  t.equal(h.amphora.vrrpState(after.master.id), 'MASTER');
  t.equal(h.amphora.vrrpState(after.backup.id), 'BACKUP');
});

t.test('failover while the load balancer is PENDING_*: 409, nothing enqueued', async (t) => {
  const { lb } = await haLb();
  const { master } = await byRole(lb.id);
  const db = h.ctl.db;
  const jobs = async () => (await db.selectFrom('job').select('id').execute()).length;
  const n = await jobs();
  await db
    .updateTable('load_balancer')
    .set({ provisioning_status: 'PENDING_UPDATE' })
    .where('id', '=', lb.id)
    .execute();
  t.teardown(() =>
    db.updateTable('load_balancer').set({ provisioning_status: 'ACTIVE' }).where('id', '=', lb.id).execute(),
  );
  let r = await h.api('PUT', `/loadbalancers/${lb.id}/failover`);
  t.equal(r.status, 409);
  t.equal(r.body.faultstring, `Invalid state PENDING_UPDATE of loadbalancer resource ${lb.id}`);
  r = await octavia('PUT', `/amphorae/${master.id}/failover`);
  t.equal(r.status, 409);
  t.equal(r.body.faultstring, `Load Balancer ${lb.id} is immutable and cannot be updated.`);
  await t.rejects(enqueueAmphoraFailover(db, master.id, 'health'), {
    name: 'VeloxError',
    message: `Invalid state PENDING_UPDATE of loadbalancer resource ${lb.id}`,
  });
  await t.rejects(enqueueAmphoraFailover(db, randomUUID(), 'health'), {
    message: /^Amphora .* not found\.$/,
  });
  t.equal(await jobs(), n, 'no job');
});

t.test('heartbeats: role follows keepalived’s MASTER/BACKUP, not FAULT or ""', async (t) => {
  const { lb } = await haLb();
  const { master, backup } = await byRole(lb.id);
  const beat = (id: string, vrrp_state: string) =>
    recordHeartbeat(h.ctl.db, id, {
      amphora_id: id,
      applied_version: '1',
      sequence: '1',
      listeners: [],
      pools: [],
      members: [],
      vrrp_state,
    });
  await beat(backup.id, 'MASTER');
  t.equal((await getAmphora(h.ctl.db, backup.id))?.role, 'MASTER', 'observed mastership');
  await beat(master.id, 'FAULT');
  t.equal((await getAmphora(h.ctl.db, master.id))?.role, 'MASTER', 'FAULT is not a role');
  await beat(master.id, '');
  t.equal((await getAmphora(h.ctl.db, master.id))?.role, 'MASTER', 'no state: unchanged');
  await beat(master.id, 'BACKUP');
  t.equal((await getAmphora(h.ctl.db, master.id))?.role, 'BACKUP');
});

t.test('topology: SINGLE by default, the controller default otherwise, bad values refused', async (t) => {
  const single = await h.api('POST', '/loadbalancers', { loadbalancer: { vip_subnet_id: randomUUID() } });
  const lb = (await h.waitFor(`/loadbalancers/${single.body.loadbalancer.id}`, 'loadbalancer', isActive))!;
  const amps = await listAmphorae(h.ctl.db, { loadBalancerId: lb.id });
  t.same(
    amps.map((a) => [a.role, a.vrrp_id, a.vrrp_priority, a.vrrp_interface]),
    [['STANDALONE', null, null, null]],
  );
  t.notOk(cfg(amps[0]!.id).vrrp, 'no vrrp section');

  const config = noopConfig();
  const other = await startNoop({
    ...config,
    controllerWorker: { ...config.controllerWorker, loadbalancerTopology: 'ACTIVE_STANDBY' },
  });
  t.teardown(() => other.close());
  const r = await other.api('POST', '/loadbalancers', { loadbalancer: { vip_subnet_id: randomUUID() } });
  await other.waitFor(`/loadbalancers/${r.body.loadbalancer.id}`, 'loadbalancer', isActive);
  const two = await listAmphorae(other.ctl.db, { loadBalancerId: r.body.loadbalancer.id });
  t.same(two.map((a) => a.role).sort(), ['BACKUP', 'MASTER'], 'the controller default applies');

  t.throws(
    () => controllerConfig({ controllerWorker: { loadbalancerTopology: 'ACTIVE_ACTIVE' as never } }, ''),
    {
      message:
        'controllerWorker.loadbalancerTopology must be one of SINGLE, ACTIVE_STANDBY, not "ACTIVE_ACTIVE"',
    },
  );
  t.throws(() => controllerConfig({ controllerWorker: { vrrpAdvertInt: 0.5 } }, ''), {
    message: /^controllerWorker.vrrpAdvertInt must be a whole number from 1 to 255, not 0.5$/,
  });
});
