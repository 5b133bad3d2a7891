// A load balancer created with its whole graph in one call: the single create_lb job
// builds the amphora with the listeners, pools, members and health monitor already in
// the first config it applies, every object goes ACTIVE, and the agent's heartbeats
// report the listeners ONLINE. Own prefix (vxg), subnets 172.27.0-2.0/24 and health
// port, so it can run beside the other worker tests; everything is removed at the end.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { controllerConfig, stableUuid } from '../../../controller/config.js';
import { listAmphorae } from '../../../controller/db/amphora-repo.js';
import { startController, type ControllerHandle } from '../../../controller/main.js';
import { requireRoot } from '../drivers/test-config.js';

requireRoot();
const agentMain = resolve('dist/src/main.js');
if (!existsSync(agentMain))
  throw new Error(`${agentMain} is missing: build the agent first (npx tsc -p tsconfig.build.json)`);

const PREFIX = 'vxg';
const stateDir = mkdtempSync(join(tmpdir(), 'velox-graph-'));
const cfg = controllerConfig(
  {
    stateDir,
    database: { driver: 'sqlite', path: ':memory:' },
    api: { host: '127.0.0.1', port: 0 },
    health: { port: 25557, heartbeatIntervalMs: 300, staleAfterMs: 3000 },
    network: {
      prefix: PREFIX,
      management: {
        name: 'vxg-mgmt-net',
        subnetName: 'vxg-mgmt-subnet',
        cidr: '172.27.0.0/24',
        gatewayIp: '172.27.0.1',
        bridge: 'vxgmgmt',
      },
      tenant: [
        {
          name: 'vxg-public',
          subnetName: 'vxg-public-subnet',
          cidr: '172.27.1.0/24',
          gatewayIp: '172.27.1.1',
          bridge: 'vxgpub',
        },
        {
          name: 'vxg-private',
          subnetName: 'vxg-private-subnet',
          cidr: '172.27.2.0/24',
          gatewayIp: '172.27.2.1',
          bridge: 'vxgpriv',
        },
      ],
    },
    worker: { pollMs: 50, leaseMs: 30_000, provisionTimeoutMs: 20_000 },
  },
  '', // never read VELOX_CONFIG in tests
);
cfg.agent.command = [process.execPath, agentMain];

const quiet = { info: () => undefined, error: (m: string) => t.comment(m) };
let ctl: ControllerHandle | undefined;

/** Namespaces and links on the host that carry this test's prefix. */
function leftovers(): string[] {
  const names = (cmd: string[]) =>
    (JSON.parse(execFileSync('ip', ['-j', ...cmd], { encoding: 'utf8' }) || '[]') as Record<string, string>[])
      .map((x) => x['name'] ?? x['ifname'] ?? '')
      .filter((n) => n.startsWith(PREFIX));
  return [...names(['netns', 'list']), ...names(['link', 'show'])];
}

t.teardown(async () => {
  await ctl?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

type Obj = Record<string, unknown>;
const headers = { 'x-project-id': 'p1', 'x-roles': 'admin,member' };

async function api(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) {
  const res = await ctl!.app.inject({ method, url: `/v2/lbaas${url}`, headers, payload });
  return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : {}) as Record<string, Obj> };
}

/** Polls GET `url` until `done` holds for the object under `key` (bounded). */
async function waitFor(url: string, key: string, done: (o: Obj) => boolean, what: string) {
  let last: unknown;
  for (let i = 0; i < 300; i++) {
    const res = await api('GET', url);
    last = res.status === 200 ? res.body[key] : res.status;
    if (res.status === 200 && done(res.body[key]!)) return res.body[key]!;
    await sleep(100);
  }
  throw new Error(`${what}: still ${JSON.stringify(last)}`);
}

t.test('a graph created in one call is served by the first config the amphora applies', async (t) => {
  ctl = await startController(cfg, quiet);
  const privateSubnet = stableUuid('subnet', 'vxg-private-subnet');
  const created = await api('POST', '/loadbalancers', {
    loadbalancer: {
      name: 'graph',
      vip_subnet_id: stableUuid('subnet', 'vxg-public-subnet'),
      listeners: [
        { name: 'tcp', protocol: 'TCP', protocol_port: 80, default_pool: { name: 'web' } },
        {
          name: 'udp',
          protocol: 'UDP',
          protocol_port: 53,
          default_pool: {
            name: 'dns',
            protocol: 'UDP',
            lb_algorithm: 'ROUND_ROBIN',
            members: [{ address: '172.27.2.53', protocol_port: 53, subnet_id: privateSubnet }],
          },
        },
      ],
      pools: [
        {
          name: 'web',
          protocol: 'TCP',
          lb_algorithm: 'ROUND_ROBIN',
          healthmonitor: { type: 'TCP', delay: 1, timeout: 1, max_retries: 1 },
          members: [
            { address: '172.27.2.20', protocol_port: 8080, subnet_id: privateSubnet },
            { address: '172.27.2.21', protocol_port: 8080, subnet_id: privateSubnet },
          ],
        },
      ],
    },
  });
  t.equal(created.status, 201, created.status === 201 ? 'created' : JSON.stringify(created.body));
  const lb = created.body.loadbalancer!;
  const lbId = String(lb.id);
  const listeners = lb.listeners as Obj[];
  const pools = lb.pools as (Obj & { members: Obj[] })[];
  t.equal(listeners.length, 2);
  t.equal(pools.length, 2);

  const active = await waitFor(
    `/loadbalancers/${lbId}`,
    'loadbalancer',
    (o) => o.provisioning_status !== 'PENDING_CREATE',
    'create',
  );
  t.equal(active.provisioning_status, 'ACTIVE');
  const [amp] = await listAmphorae(ctl.db, { loadBalancerId: lbId });
  t.equal(amp?.status, 'ALLOCATED');
  t.equal(amp?.desired_version, 1, 'one job, one config: the graph was in the first one');
  t.equal(amp?.applied_version, 1);
  t.match(
    Object.values(JSON.parse(amp!.member_ips)).map(String),
    [/^172\.27\.2\./],
    'a NIC on the members network',
  );
  const jobs = await ctl.db.selectFrom('job').selectAll().where('load_balancer_id', '=', lbId).execute();
  t.same(
    jobs.map((j) => [j.kind, j.state]),
    [['create_lb', 'done']],
  );

  for (const l of listeners) {
    const shown = await waitFor(
      `/listeners/${String(l.id)}`,
      'listener',
      (o) => o.operating_status === 'ONLINE',
      `listener ${String(l.name)} ONLINE`,
    );
    t.equal(shown.provisioning_status, 'ACTIVE', `listener ${String(l.name)}`);
  }
  for (const p of pools) {
    const shown = (await api('GET', `/pools/${String(p.id)}`)).body.pool!;
    t.equal(shown.provisioning_status, 'ACTIVE', `pool ${String(p.name)}`);
    for (const m of p.members) {
      const member = (await api('GET', `/pools/${String(p.id)}/members/${String(m.id)}`)).body.member!;
      t.equal(member.provisioning_status, 'ACTIVE', `member ${String(m.address)}`);
    }
  }
  const hm = (pools.find((p) => p.name === 'web')!.healthmonitor as Obj).id;
  t.equal(
    (await api('GET', `/healthmonitors/${String(hm)}`)).body.healthmonitor!.provisioning_status,
    'ACTIVE',
  );

  const del = await api('DELETE', `/loadbalancers/${lbId}?cascade=true`);
  t.equal(del.status, 204);
  for (let i = 0; i < 300 && (await api('GET', `/loadbalancers/${lbId}`)).status !== 404; i++)
    await sleep(100);
  t.equal((await api('GET', `/loadbalancers/${lbId}`)).status, 404);
  await ctl.close();
  ctl = undefined;
  t.same(leftovers(), [], 'no namespace or link of this test left');
});
