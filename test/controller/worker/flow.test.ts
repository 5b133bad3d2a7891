// create_lb / sync_lb / delete_lb through the real worker: the REST API records the
// intent, the worker makes a namespace amphora running the real agent (dist/), applies
// the config over mTLS, and the agent's heartbeats set operating statuses. Everything
// is removed at the end, even on failure.
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { stableUuid } from '../../../controller/config.js';
import { listAmphorae } from '../../../controller/db/amphora-repo.js';
import { startController, type ControllerHandle } from '../../../controller/main.js';
import { leftovers, requireRoot, testConfig } from '../drivers/test-config.js';

requireRoot();
const agentMain = resolve('dist/src/main.js');
if (!existsSync(agentMain))
  throw new Error(`${agentMain} is missing: build the agent first (npx tsc -p tsconfig.build.json)`);

const cfg = testConfig();
cfg.agent.command = [process.execPath, agentMain];
// A file, so that a restarted controller finds its load balancers again.
cfg.database = { driver: 'sqlite', path: `${cfg.stateDir}/velox.db` };
const quiet = { info: () => undefined, error: (m: string) => t.comment(m) };
let ctl: ControllerHandle | undefined;

t.teardown(async () => {
  await ctl?.close();
  rmSync(cfg.stateDir, { recursive: true, force: true });
});

type Obj = Record<string, unknown>;
const headers = { 'x-project-id': 'p1', 'x-roles': 'admin,member' };

async function api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
  const res = await ctl!.app.inject({ method, url: `/v2/lbaas${url}`, headers, payload });
  return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : {}) as Record<string, Obj> };
}

/** Polls GET `url` until `done` holds for the object under `key` (bounded). */
async function waitFor(url: string, key: string, done: (o: Obj) => boolean, what: string) {
  let last: unknown;
  for (let i = 0; i < 300; i++) {
    const res = await api('GET', url);
    last = res.status === 200 ? res.body[key] : res.status;
    if (res.status === 200 && done(res.body[key]!)) return res.body[key];
    await sleep(100);
  }
  throw new Error(`${what}: still ${JSON.stringify(last)}`);
}

t.test('a load balancer goes ACTIVE on a real amphora, reports ONLINE, and goes away', async (t) => {
  ctl = await startController(cfg, quiet);
  const subnet = stableUuid('subnet', 'vxw-public-subnet');
  const created = await api('POST', '/loadbalancers', {
    loadbalancer: { name: 'lb1', vip_subnet_id: subnet },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  const lbId = String(created.body.loadbalancer!.id);
  t.equal(String(created.body.loadbalancer!.provisioning_status), 'PENDING_CREATE');

  const lb = await waitFor(
    `/loadbalancers/${lbId}`,
    'loadbalancer',
    (o) => o.provisioning_status !== 'PENDING_CREATE',
    'create',
  );
  t.equal(String(lb!.provisioning_status), 'ACTIVE');
  const [amp] = await listAmphorae(ctl.db, { loadBalancerId: lbId });
  t.equal(amp?.status, 'ALLOCATED');
  t.equal(amp?.applied_version, 1);
  t.match(amp?.lb_network_ip, /^172\.29\.0\./);
  t.match(amp?.vrrp_ip, /^172\.29\.1\./);
  t.same(
    Object.values(JSON.parse(amp!.member_ips)).map((ip) => String(ip).slice(0, 9)),
    ['172.29.2.'],
  );
  t.ok(leftovers().netns.includes(ctl.compute.nsName(amp!.id)), 'the amphora namespace exists');

  // Heartbeats from the agent: nothing is in error, so the load balancer is ONLINE.
  await waitFor(
    `/loadbalancers/${lbId}`,
    'loadbalancer',
    (o) => o.operating_status === 'ONLINE',
    'heartbeat',
  );

  // sync_lb: a listener and a pool with a member, applied as version 2 and 3.
  const listener = await api('POST', '/listeners', {
    listener: { loadbalancer_id: lbId, protocol: 'TCP', protocol_port: 80, name: 'l1' },
  });
  t.equal(listener.status, 201, JSON.stringify(listener.body));
  const listenerId = String(listener.body.listener!.id);
  await waitFor(
    `/loadbalancers/${lbId}`,
    'loadbalancer',
    (o) => o.provisioning_status === 'ACTIVE',
    'listener sync',
  );
  const pool = await api('POST', '/pools', {
    pool: { listener_id: listenerId, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' },
  });
  t.equal(pool.status, 201, JSON.stringify(pool.body));
  await waitFor(
    `/loadbalancers/${lbId}`,
    'loadbalancer',
    (o) => o.provisioning_status === 'ACTIVE',
    'pool sync',
  );
  const l = await waitFor(
    `/listeners/${listenerId}`,
    'listener',
    (o) => o.operating_status === 'ONLINE',
    'listener ONLINE',
  );
  t.equal(String(l!.provisioning_status), 'ACTIVE');
  const [after] = await listAmphorae(ctl.db, { loadBalancerId: lbId });
  t.equal(after?.desired_version, 3);
  t.equal(after?.applied_version, 3);

  const del = await api('DELETE', `/loadbalancers/${lbId}?cascade=true`);
  t.equal(del.status, 204, JSON.stringify(del.body));
  for (let i = 0; i < 300 && (await api('GET', `/loadbalancers/${lbId}`)).status !== 404; i++)
    await sleep(100);
  t.equal((await api('GET', `/loadbalancers/${lbId}`)).status, 404);
  t.same(await listAmphorae(ctl.db), []);
  t.same(leftovers().netns, [], 'no namespace left');
  t.same(await ctl.db.selectFrom('port').selectAll().execute(), [], 'every port released');
});

t.test('after a restart (Ctrl-C removed the amphorae) load balancers are rebuilt', async (t) => {
  const subnet = stableUuid('subnet', 'vxw-public-subnet');
  const created = await api('POST', '/loadbalancers', {
    loadbalancer: { name: 'lb2', vip_subnet_id: subnet },
  });
  const lbId = String(created.body.loadbalancer!.id);
  await waitFor(
    `/loadbalancers/${lbId}`,
    'loadbalancer',
    (o) => o.provisioning_status === 'ACTIVE',
    'create',
  );
  const [before] = await listAmphorae(ctl!.db, { loadBalancerId: lbId });

  await ctl!.close();
  t.same(leftovers(), { netns: [], links: [] }, 'close removed amphorae and bridges');
  ctl = await startController(cfg, quiet);

  await waitFor(
    `/loadbalancers/${lbId}`,
    'loadbalancer',
    (o) => o.provisioning_status === 'ACTIVE',
    'rebuild',
  );
  const [after] = await listAmphorae(ctl.db, { loadBalancerId: lbId });
  t.not(after?.id, before?.id, 'a new amphora');
  t.equal(after?.status, 'ALLOCATED');
  t.ok(leftovers().netns.includes(ctl.compute.nsName(after!.id)));
  await waitFor(
    `/loadbalancers/${lbId}`,
    'loadbalancer',
    (o) => o.operating_status === 'ONLINE',
    'heartbeat',
  );
});

t.test('closing the controller removes its bridges and amphorae', async (t) => {
  await ctl?.close();
  ctl = undefined;
  t.same(leftovers(), { netns: [], links: [] });
});
