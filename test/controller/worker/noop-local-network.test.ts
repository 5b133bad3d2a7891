// No-op compute and amphora over the local network driver: VIPs and members come from
// the configured subnets (IPAM as with real amphorae), nothing is built on the host.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { stableUuid } from '../../../controller/config.js';
import { listAmphorae } from '../../../controller/db/amphora-repo.js';
import { LocalNetworkDriver } from '../../../controller/drivers/network/local.js';
import { isActive, noopConfig, startNoop } from './noop-harness.js';

t.test('configured subnets only; the worker runs without namespaces', async (t) => {
  const base = noopConfig();
  const h = await startNoop({ ...base, drivers: { compute: 'noop', network: 'local', amphora: 'noop' } });
  t.teardown(() => h.close());
  const public4 = stableUuid('subnet', 'public-subnet');

  const r = await h.api('POST', '/loadbalancers', { loadbalancer: { vip_subnet_id: public4 } });
  t.equal(r.status, 201, JSON.stringify(r.body));
  t.match(r.body.loadbalancer.vip_address, /^172\.30\.1\./);
  const lb = await h.waitFor(`/loadbalancers/${r.body.loadbalancer.id}`, 'loadbalancer', isActive);
  const [amp] = await listAmphorae(h.ctl.db, { loadBalancerId: lb!.id });
  t.match(amp!.lb_network_ip, /^172\.30\.0\./, 'a management address from the configured subnet');
  t.equal(amp!.compute_id, `noop-${amp!.id}`);

  const unknown = randomUUID();
  const refused = await h.api('POST', '/loadbalancers', { loadbalancer: { vip_subnet_id: unknown } });
  t.equal(refused.status, 400);
  t.equal(refused.body.faultstring, `Subnet ${unknown} not found.`);
  const port = await h.api('POST', '/loadbalancers', { loadbalancer: { vip_port_id: lb!.vip_port_id } });
  t.equal(port.status, 400);
  t.equal(
    port.body.faultstring,
    `Validation failure: Port ${lb!.vip_port_id} already has a compute device attached.`,
    'a local port always has a device, as before',
  );
  t.ok(new LocalNetworkDriver(h.ctl.db, base.network).findSubnet(public4));

  t.equal((await h.api('DELETE', `/loadbalancers/${lb!.id}`)).status, 204);
  await h.waitFor(`/loadbalancers/${lb!.id}`, 'loadbalancer', 'gone');
  t.same(await h.ctl.db.selectFrom('port').select('id').execute(), [], 'every port released');
});
