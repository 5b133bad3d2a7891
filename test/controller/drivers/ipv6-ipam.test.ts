// IPv6 in the local network driver: address text and arithmetic, subnets from
// configuration, and IPAM from the pool (static addressing, the gateway never handed out).
import t, { type Test } from 'tap';
import { controllerConfig, type ControllerConfig } from '../../../controller/config.js';
import { openDatabase } from '../../../controller/db/database.js';
import {
  canonicalAddress,
  cidrContains,
  cidrText,
  defaultAllocationPool,
  formatAddress,
  parseSubnetCidr,
} from '../../../controller/drivers/network/cidr.js';
import { bigIntToIpv6, ipv6ToBigInt } from '../../../controller/drivers/network/ipv6.js';
import { LocalNetworkDriver } from '../../../controller/drivers/network/local.js';
import { VeloxError } from '../../../controller/errors.js';

t.test('IPv6 text: parsed to 128 bits, printed per RFC 5952', async (t) => {
  t.equal(ipv6ToBigInt('::'), 0n);
  t.equal(ipv6ToBigInt('::1'), 1n);
  t.equal(ipv6ToBigInt('fd00:172:30:1::10'), 0xfd00_0172_0030_0001_0000_0000_0000_0010n);
  t.equal(ipv6ToBigInt('::ffff:192.0.2.1'), 0xffff_c000_0201n, 'a dotted IPv4 tail is two groups');
  const cases: [string, string][] = [
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group stays
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['fd00:0:0:1:0:0:0:0', 'fd00:0:0:1::'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], // the longest run wins
  ];
  for (const [input, want] of cases) t.equal(bigIntToIpv6(ipv6ToBigInt(input)), want, input);
  for (const bad of ['fe80::1%eth0', '1::2::3', '10.0.0.1', 'fd00::g', '']) {
    t.throws(() => ipv6ToBigInt(bad), RangeError, `refused: ${bad}`);
  }
  t.throws(() => bigIntToIpv6(1n << 128n), RangeError);
});

t.test('subnets of both families: parse, contain, pools', async (t) => {
  const v6 = parseSubnetCidr('fd00:212:1::55/64');
  t.same(v6, { family: 6, network: ipv6ToBigInt('fd00:212:1::'), prefix: 64 }, 'host bits cleared');
  t.equal(cidrText(v6), 'fd00:212:1::/64');
  t.ok(cidrContains(v6, 'fd00:212:1:0:ffff::1'));
  t.notOk(cidrContains(v6, 'fd00:212:2::1'));
  t.notOk(cidrContains(v6, '10.212.1.1'), 'another family is never inside');
  t.notOk(cidrContains(parseSubnetCidr('10.212.1.0/24'), 'fd00:212:1::1'));
  t.equal(cidrText(parseSubnetCidr('10.212.1.77/24')), '10.212.1.0/24');
  for (const bad of ['fd00::/129', '10.0.0.0/33', 'fd00::', 'x/24', 'fd00::/64/1', 'fd00::/-1']) {
    t.throws(() => parseSubnetCidr(bad), RangeError, `refused: ${bad}`);
  }
  const pool = (c: string) => {
    const s = parseSubnetCidr(c);
    const p = defaultAllocationPool(s);
    return [formatAddress(s.family, p.start), formatAddress(s.family, p.end)];
  };
  t.same(pool('fd00:212:1::/64'), ['fd00:212:1::10', 'fd00:212:1::ffff']);
  t.same(pool('fd00:212:1::/120'), ['fd00:212:1::10', 'fd00:212:1::ff'], 'capped by the subnet');
  t.same(pool('fd00:212:1::/126'), ['fd00:212:1::3', 'fd00:212:1::3']);
  t.same(pool('10.212.1.0/24'), ['10.212.1.10', '10.212.1.250'], 'IPv4 as before');
  t.same(pool('10.212.1.0/30'), ['10.212.1.2', '10.212.1.2']);
  t.equal(canonicalAddress('FD00:212:1:0::A'), 'fd00:212:1::a');
  t.equal(canonicalAddress('10.212.1.9'), '10.212.1.9');
  t.throws(() => canonicalAddress('nope'), RangeError);
});

function config(tenantV6 = true): ControllerConfig['network'] {
  return {
    prefix: 'vx6',
    management: {
      name: 'vx6-mgmt',
      subnetName: 'vx6-mgmt-subnet',
      cidr: '10.212.0.0/24',
      gatewayIp: '10.212.0.1',
      bridge: 'vx6mgmt',
    },
    tenant: [
      {
        name: 'vx6-public',
        subnetName: 'vx6-public-subnet',
        cidr: '10.212.1.0/24',
        gatewayIp: '10.212.1.1',
        bridge: 'vx6public',
        ...(tenantV6
          ? { ipv6: { subnetName: 'vx6-public-v6', cidr: 'fd00:212:1::/120', gatewayIp: 'fd00:212:1::1' } }
          : {}),
      },
    ],
  };
}

async function driver(t: Test, network = config()) {
  const db = await openDatabase({ database: { driver: 'sqlite', path: ':memory:' } });
  t.teardown(() => db.destroy());
  return new LocalNetworkDriver(db, network);
}

t.test('the default networks: public and private get an IPv6 subnet, management does not', async (t) => {
  const net = await driver(t, controllerConfig(undefined, '').network);
  const pub = net.findNetwork('public')!;
  t.same(
    pub.subnets.map((id) => net.findSubnet(id)!.name),
    ['public-subnet', 'public-subnet-v6'],
  );
  t.match(net.findSubnet('public-subnet-v6'), {
    network_id: pub.id,
    cidr: 'fd00:172:30:1::/64',
    gateway_ip: 'fd00:172:30:1::1',
    ip_version: 6,
    allocation_pools: [{ start: 'fd00:172:30:1::10', end: 'fd00:172:30:1::ffff' }],
  });
  t.match(net.findSubnet('private-subnet-v6'), { cidr: 'fd00:172:30:2::/64', ip_version: 6 });
  t.equal(net.findNetwork('lb-mgmt-net')!.subnets.length, 1);
  t.equal(net.listNetworks().length, 3, 'one network per configured network, not per subnet');
  t.equal(net.subnetOfAddress('fd00:172:30:2::abc')?.name, 'private-subnet-v6');
  t.equal(net.subnetOfAddress('172.30.2.9')?.name, 'private-subnet');
  t.equal(net.subnetOfAddress('fd00:172:31::1'), undefined);
});

t.test('IPv6 IPAM: lowest free from the pool, fixed addresses canonical and checked', async (t) => {
  const net = await driver(t);
  const v6 = net.findSubnet('vx6-public-v6')!;
  const port = (fixedIp?: string, deviceId = 'dev1') =>
    net.allocatePort({
      subnetId: v6.id,
      name: 'p',
      deviceOwner: 'test',
      deviceId,
      projectId: 'p1',
      ...(fixedIp === undefined ? {} : { fixedIp }),
    });
  t.equal((await port()).ip_address, 'fd00:212:1::10');
  t.equal((await port()).ip_address, 'fd00:212:1::11');
  const fixed = await port('FD00:212:1:0:0:0:0:80');
  t.match(fixed, { ip_address: 'fd00:212:1::80', subnet_id: v6.id, network_id: v6.network_id });
  await t.rejects(port('fd00:212:1::0080'), { code: 'IpAddressAlreadyAllocated' }, 'another spelling');
  await t.rejects(port('fd00:212:1::1'), { code: 'IpAddressAlreadyAllocated' }, 'the gateway');
  await t.rejects(port('fd00:212:2::5'), { code: 'InvalidIPAddress' }, 'outside the subnet');
  await t.rejects(port('10.212.1.20'), { code: 'InvalidIPAddress' }, 'the other family');
  await net.releasePorts('dev1');
  t.equal((await port()).ip_address, 'fd00:212:1::10', 'released addresses come back');
  // The IPv4 subnet of the same network is allocated independently.
  const v4 = await net.allocatePort({
    subnetId: net.findSubnet('vx6-public-subnet')!.id,
    name: 'p4',
    deviceOwner: 'test',
    deviceId: 'dev2',
    projectId: 'p1',
  });
  t.equal(v4.ip_address, '10.212.1.10');
});

t.test('IPv6 IPAM: an exhausted pool is a named error', async (t) => {
  const small = config();
  small.tenant[0]!.ipv6 = { subnetName: 'vx6-tiny', cidr: 'fd00:212:9::/125', gatewayIp: 'fd00:212:9::1' };
  const net = await driver(t, small);
  const subnetId = net.findSubnet('vx6-tiny')!.id;
  const got: string[] = [];
  for (let i = 0; i < 10; i++) {
    try {
      got.push(
        (await net.allocatePort({ subnetId, name: 'p', deviceOwner: 't', deviceId: 'd', projectId: 'p' }))
          .ip_address,
      );
    } catch (err) {
      t.ok(err instanceof VeloxError);
      t.match(err, { code: 'IpAddressGenerationFailure' });
      break;
    }
  }
  t.same(got, ['fd00:212:9::7'], 'the pool of a /125, never the gateway');
});

t.test('IPv6 subnets in configuration are checked', async (t) => {
  const withV6 = (ipv6: { subnetName: string; cidr: string; gatewayIp: string }) => {
    const c = config(false);
    c.tenant[0]!.ipv6 = ipv6;
    return c;
  };
  await t.rejects(
    driver(t, withV6({ subnetName: 's6', cidr: '10.212.5.0/24', gatewayIp: '10.212.5.1' })),
    /s6: 10\.212\.5\.0\/24 is not IPv6/,
  );
  await t.rejects(
    driver(t, withV6({ subnetName: 's6', cidr: 'fd00:212:5::/64', gatewayIp: 'fd00:212:6::1' })),
    /gateway fd00:212:6::1 is not inside/,
  );
  await t.rejects(
    driver(
      t,
      withV6({ subnetName: 'vx6-public-subnet', cidr: 'fd00:212:5::/64', gatewayIp: 'fd00:212:5::1' }),
    ),
    /used twice/,
  );
  const mgmtV6 = config(false);
  mgmtV6.management.ipv6 = { subnetName: 'm6', cidr: 'fd00:212::/64', gatewayIp: 'fd00:212::1' };
  await t.rejects(driver(t, mgmtV6), /management network vx6-mgmt is IPv4 only/);
  const net = await driver(t, config(false));
  t.equal(net.findNetwork('vx6-public')!.subnets.length, 1, 'IPv6 stays optional');
});
