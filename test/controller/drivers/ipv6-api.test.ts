// IPv6 through the API a user sees: Neutron's views of the IPv6 subnets, load balancers
// with an IPv6 VIP (by subnet, by network and address) and IPv6 members.
import t from 'tap';
import { harness, subnetId } from '../api/helpers.js';

t.test('Neutron shows the IPv6 subnets as static (no SLAAC, no RA) on their networks', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const pub = h.network.findNetwork('public')!;
  let r = await h.req('GET', `/v2.0/networks/${pub.id}`);
  t.same(r.body.network.subnets, [subnetId(h, 'public-subnet'), subnetId(h, 'public-subnet-v6')]);
  r = await h.req('GET', '/v2.0/subnets?ip_version=6');
  t.same(
    r.body.subnets.map((s: { name: string }) => s.name),
    ['public-subnet-v6', 'private-subnet-v6'],
  );
  t.same(r.body.subnets[0], {
    ...r.body.subnets[0],
    id: subnetId(h, 'public-subnet-v6'),
    network_id: pub.id,
    ip_version: 6,
    cidr: 'fd00:172:30:1::/64',
    gateway_ip: 'fd00:172:30:1::1',
    allocation_pools: [{ start: 'fd00:172:30:1::10', end: 'fd00:172:30:1::ffff' }],
    ipv6_address_mode: null,
    ipv6_ra_mode: null,
    enable_dhcp: false,
  });
  r = await h.req('GET', `/v2.0/subnets/${subnetId(h, 'private-subnet-v6')}`);
  t.equal(r.body.subnet.name, 'private-subnet-v6');
  r = await h.req('GET', '/v2.0/subnets?ip_version=4&fields=name');
  t.same(r.body.subnets, [{ name: 'lb-mgmt-subnet' }, { name: 'public-subnet' }, { name: 'private-subnet' }]);
});

t.test('a load balancer on the IPv6 subnet gets an IPv6 VIP from the pool', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const v6 = subnetId(h, 'public-subnet-v6');
  const r = await h.req('POST', '/v2/lbaas/loadbalancers', {
    loadbalancer: { name: 'v6', vip_subnet_id: v6 },
  });
  t.equal(r.status, 201, JSON.stringify(r.body));
  t.match(r.body.loadbalancer, {
    vip_address: 'fd00:172:30:1::10',
    vip_subnet_id: v6,
    vip_network_id: h.network.findNetwork('public')!.id,
  });
  const ports = await h.req('GET', `/v2.0/ports?device_id=${r.body.loadbalancer.id}`);
  t.same(ports.body.ports[0].fixed_ips, [{ subnet_id: v6, ip_address: 'fd00:172:30:1::10' }]);
  const shown = await h.req('GET', `/v2/lbaas/loadbalancers/${r.body.loadbalancer.id}`);
  t.equal(shown.body.loadbalancer.vip_address, 'fd00:172:30:1::10');
});

t.test('vip_address picks the IPv6 subnet of a network, and is stored canonical', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const pub = h.network.findNetwork('public')!;
  let r = await h.req('POST', '/v2/lbaas/loadbalancers', {
    loadbalancer: { vip_network_id: pub.id, vip_address: 'FD00:172:30:1:0:0:0:77' },
  });
  t.equal(r.status, 201, JSON.stringify(r.body));
  t.match(r.body.loadbalancer, {
    vip_address: 'fd00:172:30:1::77',
    vip_subnet_id: subnetId(h, 'public-subnet-v6'),
  });
  r = await h.req('POST', '/v2/lbaas/loadbalancers', {
    loadbalancer: { vip_network_id: pub.id, vip_address: 'fd00:172:30:1::77' },
  });
  t.equal(r.status, 409, 'the same address again');
  r = await h.req('POST', '/v2/lbaas/loadbalancers', {
    loadbalancer: { vip_subnet_id: subnetId(h, 'public-subnet'), vip_address: 'fd00:172:30:1::78' },
  });
  t.equal(r.status, 400, 'an IPv6 address on the IPv4 subnet');
  t.match(r.body.faultstring, /fd00:172:30:1::78 is invalid/);
  r = await h.req('POST', '/v2/lbaas/loadbalancers', {
    loadbalancer: { vip_subnet_id: subnetId(h, 'public-subnet-v6'), vip_address: 'fd00:172:30:1::1' },
  });
  t.equal(r.status, 409, 'the gateway is taken');
  r = await h.req('POST', '/v2/lbaas/loadbalancers', {
    loadbalancer: { vip_network_id: pub.id, vip_address: 'fd00:172:99::1' },
  });
  t.equal(r.status, 400, 'no subnet of the network holds it');
});

t.test('IPv6 members on the private IPv6 subnet, and IPv6 allowed_cidrs', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = (
    await h.req('POST', '/v2/lbaas/loadbalancers', {
      loadbalancer: { vip_subnet_id: subnetId(h, 'public-subnet-v6') },
    })
  ).body.loadbalancer;
  await h.activate(lb.id);
  const listener = await h.req('POST', '/v2/lbaas/listeners', {
    listener: {
      loadbalancer_id: lb.id,
      protocol: 'TCP',
      protocol_port: 80,
      allowed_cidrs: ['fd00:172:30:1::/64'],
    },
  });
  t.equal(listener.status, 201, JSON.stringify(listener.body));
  await h.activate(lb.id);
  const pool = await h.req('POST', '/v2/lbaas/pools', {
    pool: { listener_id: listener.body.listener.id, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' },
  });
  t.equal(pool.status, 201, JSON.stringify(pool.body));
  await h.activate(lb.id);
  const member = await h.req('POST', `/v2/lbaas/pools/${pool.body.pool.id}/members`, {
    member: {
      address: 'fd00:172:30:2::101',
      protocol_port: 8080,
      subnet_id: subnetId(h, 'private-subnet-v6'),
    },
  });
  t.equal(member.status, 201, JSON.stringify(member.body));
  t.match(member.body.member, {
    address: 'fd00:172:30:2::101',
    subnet_id: subnetId(h, 'private-subnet-v6'),
  });
});
