// An availability zone's management_network reaches the amphora: the worker puts the
// management port on it and the compute request's mgmt0 NIC on its bridge, on create
// and on failover. Runs the real API and worker with the no-op compute and amphora
// drivers over the local network driver (no namespace is made). The admin amphora
// API answers for a load balancer of the `amphora` provider as Octavia's does.
import t from 'tap';
import { controllerConfig } from '../../../controller/config.js';
import { listAmphorae } from '../../../controller/db/amphora-repo.js';
import { openDatabase } from '../../../controller/db/database.js';
import type { CreateAmphoraRequest } from '../../../controller/drivers/compute/types.js';
import { LocalNetworkDriver } from '../../../controller/drivers/network/local.js';
import {
  managementNetwork,
  managementSubnet,
  managementSubnetOf,
} from '../../../controller/drivers/network/management.js';
import { isActive, noopConfig, startNoop, type Obj } from './noop-harness.js';

t.test("a zone's management network carries its amphorae's management NIC", async (t) => {
  const base = noopConfig();
  const h = await startNoop({ ...base, drivers: { compute: 'noop', network: 'local', amphora: 'noop' } });
  t.teardown(() => h.close());
  const requests: CreateAmphoraRequest[] = [];
  const compute = h.ctl.compute;
  const create = compute.createAmphora.bind(compute);
  compute.createAmphora = (req) => {
    requests.push(req);
    return create(req);
  };
  const local = new LocalNetworkDriver(h.ctl.db, base.network);
  const mgmt = local.findNetwork('lb-mgmt-net')!;
  const admin = (method: 'GET' | 'PUT', url: string) =>
    h.ctl.app
      .inject({ method, url, headers: { 'x-project-id': 'p1', 'x-roles': 'admin' } })
      .then((r) => ({ status: r.statusCode, body: (r.body ? JSON.parse(r.body) : {}) as Obj }));

  const profile = await h.api('POST', '/availabilityzoneprofiles', {
    availability_zone_profile: {
      name: 'mgmt-zone',
      provider_name: 'amphora',
      availability_zone_data: JSON.stringify({ management_network: mgmt.id, compute_zone: 'nova' }),
    },
  });
  t.equal(profile.status, 201, JSON.stringify(profile.body));
  const zone = await h.api('POST', '/availabilityzones', {
    availability_zone: {
      name: 'z1',
      availability_zone_profile_id: profile.body.availability_zone_profile.id,
    },
  });
  t.equal(zone.status, 201);

  const r = await h.api('POST', '/loadbalancers', {
    loadbalancer: {
      vip_subnet_id: local.findSubnet('public-subnet')!.id,
      availability_zone: 'z1',
      provider: 'amphora',
    },
  });
  t.equal(r.status, 201, JSON.stringify(r.body));
  t.equal(r.body.loadbalancer.provider, 'amphora');
  const lb = (await h.waitFor(`/loadbalancers/${r.body.loadbalancer.id}`, 'loadbalancer', isActive))!;

  const checkAmphora = async (what: string) => {
    const [amp] = await listAmphorae(h.ctl.db, { loadBalancerId: lb.id });
    const ports = await local.listPorts({ deviceId: amp!.id });
    const mgmtPort = ports.find((p) => p.name === `octavia-lb-mgmt-${amp!.id}`);
    t.equal(mgmtPort?.network_id, mgmt.id, `${what}: the management port is on the zone's network`);
    t.equal(mgmtPort?.ip_address, amp!.lb_network_ip, `${what}: the amphora's management address`);
    const req = requests.find((q) => q.amphoraId === amp!.id);
    t.match(
      req?.nics.find((n) => n.name === 'mgmt0'),
      { bridge: base.network.management.bridge, addresses: [`${amp!.lb_network_ip}/24`] },
      `${what}: the compute request plugs mgmt0 into that network's bridge`,
    );
    return amp!;
  };
  const first = await checkAmphora('create');

  // The admin amphora API for this provider: list, show, config, failover.
  const list = await admin('GET', `/v2/octavia/amphorae?loadbalancer_id=${lb.id}`);
  t.equal(list.status, 200);
  t.match(list.body.amphorae, [{ id: first.id, loadbalancer_id: lb.id, lb_network_ip: first.lb_network_ip }]);
  t.equal((await admin('GET', `/v2/octavia/amphorae/${first.id}`)).status, 200);
  t.equal((await admin('PUT', `/v2/octavia/amphorae/${first.id}/config`)).status, 202);
  await h.waitFor(`/loadbalancers/${lb.id}`, 'loadbalancer', isActive);
  t.equal((await admin('PUT', `/v2/octavia/amphorae/${first.id}/failover`)).status, 202);
  const failedOver = await h.waitFor(
    `/loadbalancers/${lb.id}`,
    'loadbalancer',
    (o) => isActive(o) && requests.length >= 2,
  );
  t.ok(failedOver, 'active again after the failover');
  const second = await checkAmphora('failover');
  t.not(second.id, first.id, 'a new amphora');
  t.equal((await h.api('GET', `/loadbalancers/${lb.id}`)).body.loadbalancer.provider, 'amphora');
});

t.test('the management network chosen: the named one, the default, or a clear error', async (t) => {
  const config = controllerConfig({ database: { driver: 'sqlite', path: ':memory:' } }, '');
  const db = await openDatabase(config);
  t.teardown(() => db.destroy());
  const local = new LocalNetworkDriver(db, config.network);
  const mgmt = local.findNetwork('lb-mgmt-net')!;
  t.equal(managementNetwork(local).id, mgmt.id, 'no zone: the deployment management network');
  t.equal(managementNetwork(local, 'lb-mgmt-net').id, mgmt.id, 'by name');
  t.equal(managementNetwork(local, mgmt.id).id, mgmt.id, 'by id');
  t.throws(() => managementNetwork(local, 'public'), /management network public is not configured/);
  t.equal(managementSubnet(local, mgmt).name, 'lb-mgmt-subnet');
  t.equal(managementSubnetOf(local, '172.30.0.9').name, 'lb-mgmt-subnet');
  t.throws(() => managementSubnetOf(local, '172.30.1.9'), /on no management subnet/);

  // A zone written when the management network had another name: the build fails, naming it.
  const renamed = new LocalNetworkDriver(db, {
    ...config.network,
    management: { ...config.network.management, name: 'mgmt-b' },
  });
  t.throws(() => managementNetwork(renamed, 'lb-mgmt-net'), /lb-mgmt-net is not configured/);
  t.equal(managementNetwork(renamed).name, 'mgmt-b');
});
