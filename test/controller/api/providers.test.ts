// /v2/lbaas/providers: the enabled drivers (velox, its aliases, the no-op driver
// only when configured) and each one's flavor and availability zone capabilities.
import t from 'tap';
import { buildApp } from '../../../controller/api/app.js';
import { controllerConfig } from '../../../controller/config.js';
import { openDatabase } from '../../../controller/db/database.js';
import { LocalNetworkDriver } from '../../../controller/drivers/network/local.js';
import { fault, harness } from './helpers.js';

const MEMBER = { 'X-Project-Id': 'p1' };

t.test(
  'providers lists the default (amphora) first, then its aliases; fields selects attributes',
  async (t) => {
    const h = await harness();
    t.teardown(() => h.close());
    const r = await h.req('GET', '/v2/lbaas/providers');
    t.equal(r.status, 200);
    t.same(
      r.body.providers.map((p: { name: string }) => p.name),
      ['amphora', 'octavia', 'velox'],
    );
    for (const p of r.body.providers) t.type(p.description, 'string');
    t.notOk(
      r.body.providers.some((p: { name: string }) => p.name === 'noop_driver'),
      'no-op off by default',
    );

    const member = await h.req('GET', '/v2.0/lbaas/providers?fields=name', undefined, MEMBER);
    t.equal(member.status, 200, 'anyone may list providers');
    t.same(member.body, { providers: [{ name: 'amphora' }, { name: 'octavia' }, { name: 'velox' }] });
  },
);

t.test('the no-op driver is listed when enabled in configuration', async (t) => {
  const config = controllerConfig(
    { database: { driver: 'sqlite', path: ':memory:' }, providers: { enableNoop: true } },
    '',
  );
  const db = await openDatabase(config);
  const app = await buildApp({ config, db, network: new LocalNetworkDriver(db, config.network) });
  t.teardown(async () => {
    await app.close();
    await db.destroy();
  });
  const r = await app.inject({ method: 'GET', url: '/v2/lbaas/providers' });
  t.same(
    r.json().providers.map((p: { name: string }) => p.name),
    ['amphora', 'octavia', 'velox', 'noop_driver'],
  );
  const caps = await app.inject({
    method: 'GET',
    url: '/v2/lbaas/providers/noop_driver/flavor_capabilities',
  });
  t.equal(caps.statusCode, 200);
  t.ok(caps.json().flavor_capabilities.length > 0);
});

t.test('flavor capabilities of velox and its aliases', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  for (const provider of ['velox', 'amphora', 'octavia']) {
    const r = await h.req('GET', `/v2/lbaas/providers/${provider}/flavor_capabilities`);
    t.equal(r.status, 200);
    t.same(
      r.body.flavor_capabilities.map((c: { name: string }) => c.name),
      ['loadbalancer_topology', 'compute_flavor', 'amp_image_tag', 'sriov_vip', 'allow_member_sriov'],
    );
    t.match(r.body.flavor_capabilities[0].description, /SINGLE.*ACTIVE_STANDBY/);
  }
  const named = await h.req(
    'GET',
    '/v2/lbaas/providers/velox/flavor_capabilities?name=loadbalancer_topology',
  );
  t.equal(named.body.flavor_capabilities.length, 1, 'name filter keeps a match');
  const other = await h.req('GET', '/v2/lbaas/providers/velox/flavor_capabilities?name=compute_flavour');
  t.same(other.body, { flavor_capabilities: [] }, 'name filter drops others');
  const desc = await h.req('GET', '/v2/lbaas/providers/velox/flavor_capabilities?description=nope');
  t.same(desc.body, { flavor_capabilities: [] }, 'description filter');
  const fields = await h.req(
    'GET',
    '/v2/lbaas/providers/velox/flavor_capabilities?fields=name&name=amp_image_tag',
  );
  t.same(fields.body, { flavor_capabilities: [{ name: 'amp_image_tag' }] });
});

t.test('availability zone capabilities of velox', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const r = await h.req('GET', '/v2/lbaas/providers/amphora/availability_zone_capabilities');
  t.equal(r.status, 200);
  t.same(
    r.body.availability_zone_capabilities.map((c: { name: string }) => c.name),
    ['compute_zone', 'volume_zone', 'management_network', 'valid_vip_networks'],
  );
  const fields = await h.req(
    'GET',
    '/v2/lbaas/providers/velox/availability_zone_capabilities?fields=description&name=compute_zone',
  );
  t.same(Object.keys(fields.body.availability_zone_capabilities[0]), ['description']);
});

t.test('capabilities: unknown provider 400, no-op when disabled 400, non-admin 403', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  for (const kind of ['flavor_capabilities', 'availability_zone_capabilities']) {
    const r = await h.req('GET', `/v2/lbaas/providers/bogus/${kind}`);
    t.equal(r.status, 400);
    t.equal(fault(r), "Provider 'bogus' is not enabled.");
    const noop = await h.req('GET', `/v2/lbaas/providers/noop_driver/${kind}`);
    t.equal(noop.status, 400);
    const member = await h.req('GET', `/v2/lbaas/providers/velox/${kind}`, undefined, MEMBER);
    t.equal(member.status, 403, 'capabilities are admin only');
    const admin = await h.req('GET', `/v2/lbaas/providers/velox/${kind}`, undefined, {
      ...MEMBER,
      'X-Roles': 'load-balancer_admin',
    });
    t.equal(admin.status, 200);
  }
  const r = await h.req('GET', '/v2/lbaas/providers/velox/other_capabilities');
  t.equal(r.status, 404);
});
