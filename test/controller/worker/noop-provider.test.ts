// The `noop_driver` provider: listed only when providers.enableNoop is set; a load
// balancer on it settles ACTIVE through the worker without any amphora (Octavia's
// no-op provider never reaches one), and is refused where the provider is not enabled.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { buildApp } from '../../../controller/api/app.js';
import { controllerConfig } from '../../../controller/config.js';
import { listAmphorae } from '../../../controller/db/amphora-repo.js';
import { openDatabase } from '../../../controller/db/database.js';
import { NoopNetworkDriver } from '../../../controller/drivers/network/noop.js';
import { isActive, startNoop, type NoopController } from './noop-harness.js';

let h: NoopController;
t.before(async () => {
  h = await startNoop();
});
t.teardown(() => h?.close());

const names = (body: { providers: { name: string }[] }) => body.providers.map((p) => p.name);

t.test('the provider list: amphora (the default), its aliases and noop_driver when enabled', async (t) => {
  const r = await h.api('GET', '/providers');
  t.equal(r.status, 200);
  t.same(names(r.body as never), ['amphora', 'octavia', 'velox', 'noop_driver']);
  t.equal(r.body.providers[3].description, 'The No-Op driver.');

  const config = controllerConfig({ database: { driver: 'sqlite', path: ':memory:' } }, '');
  t.equal(config.providers.enableNoop, false, 'off by default');
  const db = await openDatabase(config);
  const app = await buildApp({ config, db, network: new NoopNetworkDriver(db) });
  t.teardown(async () => {
    await app.close();
    await db.destroy();
  });
  const off = await app.inject({ method: 'GET', url: '/v2/lbaas/providers' });
  t.same(names(off.json()), ['amphora', 'octavia', 'velox']);
  const refused = await app.inject({
    method: 'POST',
    url: '/v2/lbaas/loadbalancers',
    headers: { 'x-project-id': 'p1' },
    payload: { loadbalancer: { vip_subnet_id: randomUUID(), provider: 'noop_driver' } },
  });
  t.equal(refused.statusCode, 400);
  t.equal(refused.json().faultstring, "Provider 'noop_driver' is not enabled.");
});

t.test('a noop_driver load balancer settles without an amphora', async (t) => {
  const r = await h.api('POST', '/loadbalancers', {
    loadbalancer: { vip_subnet_id: randomUUID(), provider: 'noop_driver' },
  });
  t.equal(r.status, 201, JSON.stringify(r.body));
  t.equal(r.body.loadbalancer.provider, 'noop_driver');
  const lbId = r.body.loadbalancer.id as string;
  const settled = () => h.waitFor(`/loadbalancers/${lbId}`, 'loadbalancer', isActive);
  const lb = await settled();
  t.equal(lb!.operating_status, 'OFFLINE');
  t.same(await listAmphorae(h.ctl.db, { loadBalancerId: lbId }), [], 'no amphora');

  const l = await h.api('POST', '/listeners', {
    listener: { loadbalancer_id: lbId, protocol: 'TCP', protocol_port: 80 },
  });
  t.equal(l.status, 201);
  await settled();
  await h.waitFor(`/listeners/${l.body.listener.id}`, 'listener', isActive);
  const p = await h.api('POST', '/pools', {
    pool: { listener_id: l.body.listener.id, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' },
  });
  await settled();
  const m = await h.api('POST', `/pools/${p.body.pool.id}/members`, {
    member: { address: '10.0.0.9', protocol_port: 80, subnet_id: randomUUID() },
  });
  t.equal(m.status, 201);
  await settled();
  await h.waitFor(`/pools/${p.body.pool.id}/members/${m.body.member.id}`, 'member', isActive);

  t.equal((await h.api('PUT', `/loadbalancers/${lbId}/failover`)).status, 202);
  await settled();
  t.same(await listAmphorae(h.ctl.db, { loadBalancerId: lbId }), [], 'failover built nothing');

  const ports = await h.ctl.db.selectFrom('port').select('device_id').execute();
  t.same(ports.filter((x) => x.device_id === lbId).length, 1, 'only the VIP port');
  t.equal((await h.api('DELETE', `/loadbalancers/${lbId}?cascade=true`)).status, 204);
  await h.waitFor(`/loadbalancers/${lbId}`, 'loadbalancer', 'gone');
  const left = await h.ctl.db.selectFrom('port').select('id').where('device_id', '=', lbId).execute();
  t.same(left, [], 'the VIP port is released');
});
