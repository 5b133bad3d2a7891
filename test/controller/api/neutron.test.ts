// The read-only Neutron and Keystone slices, and the version documents.
import t from 'tap';
import { activeLb, harness } from './helpers.js';

t.test('networks, subnets and ports with Neutron envelopes and filters', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  let r = await h.req('GET', '/v2.0/networks');
  t.equal(r.status, 200);
  t.same(
    r.body.networks.map((n: { name: string }) => n.name),
    ['lb-mgmt-net', 'public', 'private'],
  );
  const pub = h.network.findNetwork('public')!;
  r = await h.req('GET', `/v2.0/networks/${pub.id}`);
  t.match(r.body.network, {
    id: pub.id,
    name: 'public',
    status: 'ACTIVE',
    subnets: pub.subnets,
    shared: true,
  });
  r = await h.req('GET', '/v2.0/networks/9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11');
  t.equal(r.status, 404);
  t.equal(r.body.NeutronError.type, 'NetworkNotFound');

  r = await h.req('GET', '/v2.0/subnets?name=public-subnet');
  t.equal(r.body.subnets.length, 1);
  t.match(r.body.subnets[0], {
    id: pub.subnets[0],
    network_id: pub.id,
    cidr: '172.30.1.0/24',
    gateway_ip: '172.30.1.1',
    ip_version: 4,
    allocation_pools: [{ start: '172.30.1.10', end: '172.30.1.250' }],
  });
  r = await h.req('GET', `/v2.0/subnets?network_id=${pub.id}&fields=id&fields=cidr`);
  t.same(r.body.subnets, [
    { id: pub.subnets[0], cidr: '172.30.1.0/24' },
    { id: pub.subnets[1], cidr: 'fd00:172:30:1::/64' },
  ]);
  r = await h.req('GET', `/v2.0/subnets/${pub.subnets[0]}`);
  t.equal(r.body.subnet.name, 'public-subnet');
  r = await h.req('GET', '/v2.0/subnets?name=nope');
  t.same(r.body, { subnets: [] });

  const lb = await activeLb(h);
  r = await h.req('GET', `/v2.0/ports?device_id=${lb.id}`);
  t.equal(r.body.ports.length, 1);
  t.match(r.body.ports[0], {
    device_owner: 'Octavia',
    fixed_ips: [{ subnet_id: pub.subnets[0], ip_address: lb.vip_address }],
  });
  t.match(r.body.ports[0].mac_address, /^fa:16:3e(:[0-9a-f]{2}){3}$/);
  r = await h.req('GET', `/v2.0/ports/${r.body.ports[0].id}`);
  t.equal(r.body.port.device_id, lb.id);
  r = await h.req('GET', '/v2.0/ports/9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11');
  t.equal(r.status, 404);
});

t.test('keystone projects, versions, healthcheck', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  let r = await h.req('GET', '/v3/projects/demo');
  t.match(r.body.project, { id: 'demo', name: 'demo', enabled: true });
  r = await h.req('GET', '/v3/projects?name=demo');
  t.match(r.body.projects, [{ id: 'demo', name: 'demo' }]);
  // keystoneclient with `auth_type: none` asks the unversioned endpoint
  r = await h.req('GET', '/projects/demo');
  t.match(r.body.project, { id: 'demo', name: 'demo' });
  r = await h.req('GET', '/projects?name=demo');
  t.match(r.body.projects, [{ id: 'demo' }]);
  r = await h.req('GET', '/');
  t.match(r.body.versions, [{ id: 'v2.0' }, { id: 'v2.26', status: 'CURRENT' }]);
  r = await h.req('GET', '/healthcheck');
  t.equal(r.status, 200);
  t.equal(r.raw.body, 'OK');
});
