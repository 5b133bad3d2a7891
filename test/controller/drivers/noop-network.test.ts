// The no-op network driver on its own (any well-formed id is a network, subnet or
// port; IPAM in the port table; state rebuilt from it), and the check of
// config.drivers as a set.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { controllerConfig } from '../../../controller/config.js';
import { openDatabase } from '../../../controller/db/database.js';
import { NoopNetworkDriver } from '../../../controller/drivers/network/noop.js';
import { checkDriverSelection } from '../../../controller/drivers/selection.js';
import { VeloxError } from '../../../controller/errors.js';

async function driver(t: { teardown(fn: () => unknown): void }) {
  const db = await openDatabase(controllerConfig({ database: { driver: 'sqlite', path: ':memory:' } }, ''));
  t.teardown(() => db.destroy());
  return { db, net: new NoopNetworkDriver(db) };
}

const port = (subnetId: string, deviceId: string, fixedIp?: string) => ({
  subnetId,
  name: 'p',
  deviceOwner: 'Octavia',
  deviceId,
  projectId: 'p1',
  ...(fixedIp ? { fixedIp } : {}),
});

t.test('a management network only, until ids are asked for', async (t) => {
  const { net } = await driver(t);
  const [mgmt, ...others] = net.listNetworks();
  t.equal(others.length, 0);
  t.equal(mgmt!.management, true);
  t.same(
    net.listSubnets().map((s) => s.cidr),
    ['198.18.0.0/16'],
  );
  t.equal(net.findNetwork('noop-lb-mgmt-net'), mgmt, 'by name');
  t.equal(net.findNetwork('not-a-uuid'), undefined);
  t.equal(net.findSubnet('not-a-uuid'), undefined);
  t.equal(await net.getPort('not-a-uuid'), undefined);
  t.notOk(mgmt!.subnets.includes(randomUUID()), 'the management network takes no subnet in');
});

t.test('networks and subnets by id: defaults, adoption, ownership', async (t) => {
  const { net } = await driver(t);
  const n = net.findNetwork(randomUUID())!;
  const [v4, v6] = n.subnets.map((id) => net.findSubnet(id)!);
  t.same([v4!.ip_version, v6!.ip_version], [4, 6]);
  t.same([v4!.cidr, v6!.cidr], ['198.19.0.0/16', '2001:db8::/64']);
  t.equal(net.subnetOfAddress('2001:db8::9')?.id, v6!.id, 'the network looked up last');

  const s = randomUUID();
  t.ok(n.subnets.includes(s), 'a subnet not seen before is taken in');
  t.equal(net.findSubnet(s)!.network_id, n.id);
  const other = net.findNetwork(randomUUID())!;
  t.notOk(other.subnets.includes(s), 'but not by a second network');
  t.equal(net.findSubnet(s)!.network_id, n.id);
  t.notOk(n.subnets.includes('nope'));

  const orphan = net.findSubnet(randomUUID())!;
  t.equal(
    net.findNetwork(orphan.network_id)!.subnets.length,
    1,
    'a subnet seen alone has a network of its own',
  );
  t.same(JSON.parse(JSON.stringify(n.subnets)), [v4!.id, v6!.id, s], 'serialises as a plain list');
});

t.test('IPAM: lowest free, fixed addresses, duplicates, family of a new subnet', async (t) => {
  const { db, net } = await driver(t);
  const s = net.findSubnet(randomUUID())!;
  const a = await net.allocatePort(port(s.id, 'd1'));
  const b = await net.allocatePort(port(s.id, 'd1'));
  t.same([a.ip_address, b.ip_address], ['198.19.0.2', '198.19.0.3']);
  t.match(a.mac_address, /^fa:16:3e(:[0-9a-f]{2}){3}$/);
  t.equal(a.network_id, s.network_id);
  const fixed = await net.allocatePort(port(s.id, 'd2', '10.9.8.7'));
  t.equal(fixed.ip_address, '10.9.8.7', 'any address is taken as given');
  const twice = await net.allocatePort(port(s.id, 'd3', '10.9.8.7'));
  t.equal(twice.ip_address, '10.9.8.7', 'a requested address is never refused');
  t.equal(await net.getPort(twice.id).then((p) => p?.device_id), '', 'but only its first holder is recorded');
  await t.rejects(net.allocatePort({ ...port(s.id, 'd5'), portId: a.id }), {
    code: 'IpAddressAlreadyAllocated',
  });
  await t.rejects(
    net.allocatePort(port(s.id, 'd3', '2001:db8::5')),
    { code: 'InvalidIPAddress' },
    'v6 on a used v4 subnet',
  );
  await t.rejects(net.allocatePort(port(s.id, 'd3', '1.2.3')), { code: 'InvalidIPAddress' });

  const fresh = net.findSubnet(randomUUID())!;
  t.equal(fresh.ip_version, 4);
  const v6 = await net.allocatePort(port(fresh.id, 'd4', '2001:DB8::0:5'));
  t.equal(v6.ip_address, '2001:db8::5');
  t.equal(net.findSubnet(fresh.id)!.ip_version, 6, 'an unused subnet takes the family of its first address');
  t.equal((await net.allocatePort(port(fresh.id, 'd4'))).ip_address, '2001:db8::2');

  t.equal(await net.releasePorts('d1'), 2);
  t.same((await net.listPorts({ deviceId: 'd4' })).map((p) => p.ip_address).sort(), [
    '2001:db8::2',
    '2001:db8::5',
  ]);
  t.equal((await db.selectFrom('port').select('id').execute()).length, 3, 'd2, and d4 twice');
});

t.test('ports: a free one for any id, taken by id', async (t) => {
  const { net } = await driver(t);
  const id = randomUUID();
  const free = (await net.getPort(id))!;
  t.equal(free.id, id);
  t.equal(free.device_id, '', 'no device holds it');
  t.equal(net.findSubnet(free.subnet_id)!.network_id, free.network_id);
  const taken = await net.allocatePort({ ...port(free.subnet_id, 'lb'), portId: id });
  t.equal(taken.id, id);
  t.equal((await net.getPort(id))!.device_id, 'lb');
  await t.rejects(net.allocatePort({ ...port(free.subnet_id, 'lb2'), portId: id }), VeloxError);
});

t.test('restore() brings back the networks and subnets of the port table', async (t) => {
  const { db, net } = await driver(t);
  const n = net.findNetwork(randomUUID())!;
  const s = randomUUID();
  t.ok(n.subnets.includes(s));
  await net.allocatePort(port(s, 'd', 'fd00::1'));
  const again = new NoopNetworkDriver(db);
  t.equal(again.listNetworks().length, 1, 'memory only: nothing before restore()');
  await again.restore();
  t.equal(again.findSubnet(s)!.network_id, n.id);
  t.equal(again.findSubnet(s)!.ip_version, 6);
  t.ok(again.findNetwork(n.id)!.subnets.includes(s));
});

t.test('etc/velox-noop.json selects every no-op driver and the noop_driver provider', async (t) => {
  const file = fileURLToPath(new URL('../../../etc/velox-noop.json', import.meta.url));
  const config = controllerConfig({}, file);
  t.same(checkDriverSelection(config.drivers), { compute: 'noop', network: 'noop', amphora: 'noop' });
  t.equal(config.providers.enableNoop, true);
  t.match(config.stateDir, /noop/, 'its own state, apart from a real run');
});

t.test('config.drivers: the sets that can work, and clear errors otherwise', async (t) => {
  const defaults = controllerConfig({}, '').drivers;
  t.same(defaults, { compute: 'netns', network: 'local', amphora: 'grpc' }, 'the real drivers by default');
  t.same(checkDriverSelection(defaults), defaults);
  for (const ok of [
    { compute: 'noop', network: 'local', amphora: 'noop' },
    { compute: 'noop', network: 'noop', amphora: 'noop' },
  ]) {
    t.same(checkDriverSelection(ok), ok);
  }
  t.throws(() => checkDriverSelection({ ...defaults, compute: 'nova' }), {
    message: 'drivers.compute must be one of netns, noop, not "nova"',
  });
  t.throws(() => checkDriverSelection({ compute: 'netns', network: 'local' }), {
    message: 'drivers.amphora must be one of grpc, noop, not undefined',
  });
  t.throws(() => checkDriverSelection({ compute: 'netns', network: 'noop', amphora: 'grpc' }), {
    message: 'drivers.compute "netns" needs drivers.network "local" (its bridges)',
  });
  t.throws(
    () => checkDriverSelection({ compute: 'noop', network: 'noop', amphora: 'grpc' }),
    /both be "noop"/,
  );
  t.throws(
    () => checkDriverSelection({ compute: 'netns', network: 'local', amphora: 'noop' }),
    /both be "noop"/,
  );
});
