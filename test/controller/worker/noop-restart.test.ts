// A restarted controller with the no-op drivers: its networks and subnets come back
// from the port table, and its load balancers are rebuilt (as after any restart).
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { listAmphorae } from '../../../controller/db/amphora-repo.js';
import { isActive, noopConfig, startNoop } from './noop-harness.js';

t.test('subnets keep their network and family; load balancers come back ACTIVE', async (t) => {
  const config = noopConfig();
  config.database = { driver: 'sqlite', path: `${config.stateDir}/velox.db` };
  const network = randomUUID();
  const v6subnet = randomUUID();

  const first = await startNoop({ ...config });
  // close() removes the state folder: keep it for the second run by closing the controller only.
  const created = await first.api('POST', '/loadbalancers', {
    loadbalancer: { vip_network_id: network, vip_subnet_id: v6subnet, vip_address: '2001:db8:5::5' },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  const lbId = created.body.loadbalancer.id as string;
  await first.waitFor(`/loadbalancers/${lbId}`, 'loadbalancer', isActive);
  const [before] = await listAmphorae(first.ctl.db, { loadBalancerId: lbId });
  await first.ctl.close();

  const second = await startNoop(config);
  t.teardown(() => second.close());
  const subnet = await second.ctl.app.inject({ method: 'GET', url: `/v2.0/subnets/${v6subnet}` });
  t.equal(subnet.statusCode, 200);
  t.equal(subnet.json().subnet.network_id, network, 'the subnet is on its network again');
  t.equal(subnet.json().subnet.ip_version, 6);
  const net = await second.ctl.app.inject({ method: 'GET', url: `/v2.0/networks/${network}` });
  t.ok(net.json().network.subnets.includes(v6subnet));

  const lb = await second.waitFor(`/loadbalancers/${lbId}`, 'loadbalancer', isActive);
  t.equal(lb!.vip_address, '2001:db8:5::5');
  const after = await listAmphorae(second.ctl.db, { loadBalancerId: lbId });
  t.equal(after.length, 1);
  t.not(after[0]!.id, before!.id, 'a rebuilt amphora');
  t.ok(second.amphora.lastConfig(after[0]!.id), 'served its config');
});
