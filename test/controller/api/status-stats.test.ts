// /v2/lbaas/loadbalancers/{id}/status, /loadbalancers/{id}/stats and
// /listeners/{id}/stats, fed by heartbeats recorded the way the health server does.
import t from 'tap';
import { createAmphora } from '../../../controller/db/amphora-repo.js';
import { recordHeartbeat } from '../../../controller/health/server.js';
import type { HeartbeatRequest__Output } from '../../../src/grpc/gen/velox/health/v1/HeartbeatRequest.js';
import type { ObjectHealth__Output } from '../../../src/grpc/gen/velox/health/v1/ObjectHealth.js';
import {
  PRIVATE_SUBNET,
  activeLb,
  activeListener,
  activePool,
  fault,
  harness,
  subnetId,
  type Harness,
  type Res,
} from './helpers.js';

const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';

type Counts = Partial<
  Record<'bytes_in' | 'bytes_out' | 'total_connections' | 'active_connections' | 'request_errors', number>
>;

function object(id: string, operating_status: string, c: Counts = {}): ObjectHealth__Output {
  const s = (k: keyof Counts) => String(c[k] ?? 0);
  return {
    id,
    operating_status,
    packets_in: '0',
    bytes_in: s('bytes_in'),
    packets_out: '0',
    bytes_out: s('bytes_out'),
    total_connections: s('total_connections'),
    active_connections: s('active_connections'),
    request_errors: s('request_errors'),
    drops: {},
  };
}

function heartbeat(
  amphoraId: string,
  parts: Partial<Pick<HeartbeatRequest__Output, 'listeners' | 'pools' | 'members'>>,
): HeartbeatRequest__Output {
  return {
    amphora_id: amphoraId,
    applied_version: '1',
    sequence: '1',
    vrrp_state: '',
    listeners: [],
    pools: [],
    members: [],
    ...parts,
  };
}

async function amphora(h: Harness, id: string, lbId: string, status = 'ALLOCATED') {
  await createAmphora(h.db, { id, status, role: 'STANDALONE', load_balancer_id: lbId });
}

async function member(h: Harness, poolId: string, body: Record<string, unknown>) {
  const r = await h.req('POST', `/v2/lbaas/pools/${poolId}/members`, {
    member: { subnet_id: subnetId(h, PRIVATE_SUBNET), protocol_port: 8080, ...body },
  });
  if (r.status !== 201) throw new Error(`create member: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.member as { id: string };
}

t.test('the status tree of a full graph, after a heartbeat', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const web = await activeListener(h, lb.id, { name: 'web' });
  const bare = await activeListener(h, lb.id, { protocol_port: 81 });
  const pool = await activePool(h, { listener_id: web.id, name: 'pool1' });
  const a = await member(h, pool.id, { address: '172.30.2.20', name: 'a' });
  await h.activate(lb.id);
  const b = await member(h, pool.id, { address: '172.30.2.21' });
  await h.activate(lb.id);
  const lonely = await activePool(h, { loadbalancer_id: lb.id, name: 'unused' });
  await member(h, lonely.id, { address: '172.30.2.22' });
  await h.activate(lb.id);

  let r = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}/status`);
  t.equal(r.status, 200);
  t.match(r.body.statuses.loadbalancer, { operating_status: 'OFFLINE', provisioning_status: 'ACTIVE' });
  const before = r.body.statuses.loadbalancer.listeners.find((l: { id: string }) => l.id === web.id);
  t.same(Object.keys(before.pools[0]).sort(), [
    'id',
    'members',
    'name',
    'operating_status',
    'provisioning_status',
  ]);

  r = await h.req('POST', '/v2/lbaas/healthmonitors', {
    healthmonitor: { pool_id: pool.id, type: 'TCP', delay: 5, timeout: 3, max_retries: 3, name: 'hm' },
  });
  t.equal(r.status, 201);
  const hm = r.body.healthmonitor as { id: string };
  await h.activate(lb.id);

  await amphora(h, 'amp-1', lb.id);
  await recordHeartbeat(
    h.db,
    'amp-1',
    heartbeat('amp-1', {
      listeners: [object(web.id, 'ONLINE'), object(bare.id, 'ONLINE')],
      pools: [object(pool.id, 'ONLINE'), object(lonely.id, 'ONLINE')],
      members: [object(a.id, 'ONLINE'), object(b.id, 'ERROR')],
    }),
  );

  r = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}/status`);
  t.equal(r.status, 200);
  const tree = r.body.statuses.loadbalancer;
  t.same(Object.keys(r.body), ['statuses']);
  t.same(Object.keys(r.body.statuses), ['loadbalancer']);
  t.same(
    { ...tree, listeners: undefined },
    {
      id: lb.id,
      name: 'lb',
      provisioning_status: 'ACTIVE',
      operating_status: 'DEGRADED',
      listeners: undefined,
    },
    'a member in ERROR degrades the load balancer',
  );
  t.equal(tree.listeners.length, 2);
  const byId = (list: Res['body'], id: string): Res['body'] => list.find((x: { id: string }) => x.id === id);
  t.same(byId(tree.listeners, bare.id), {
    id: bare.id,
    name: '',
    provisioning_status: 'ACTIVE',
    operating_status: 'ONLINE',
    pools: [],
  });
  const webNode = byId(tree.listeners, web.id);
  t.same(
    { ...webNode, pools: undefined },
    {
      id: web.id,
      name: 'web',
      provisioning_status: 'ACTIVE',
      operating_status: 'ONLINE',
      pools: undefined,
    },
  );
  t.equal(webNode.pools.length, 1, 'only the pool the listener uses; the unused pool is not in the tree');
  const poolNode = webNode.pools[0]!;
  // The monitor's operating status is the health monitor API's business: as it shows it.
  const shownMonitor = (await h.req('GET', `/v2/lbaas/healthmonitors/${hm.id}`)).body.healthmonitor;
  t.same(
    { ...poolNode, members: undefined },
    {
      id: pool.id,
      name: 'pool1',
      provisioning_status: 'ACTIVE',
      operating_status: 'DEGRADED',
      health_monitor: {
        id: hm.id,
        name: 'hm',
        type: 'TCP',
        provisioning_status: 'ACTIVE',
        operating_status: shownMonitor.operating_status,
      },
      members: undefined,
    },
  );
  t.equal(poolNode.members.length, 2);
  t.same(byId(poolNode.members, a.id), {
    id: a.id,
    name: 'a',
    provisioning_status: 'ACTIVE',
    operating_status: 'ONLINE',
    address: '172.30.2.20',
    protocol_port: 8080,
  });
  t.same(byId(poolNode.members, b.id), {
    id: b.id,
    name: '',
    provisioning_status: 'ACTIVE',
    operating_status: 'ERROR',
    address: '172.30.2.21',
    protocol_port: 8080,
  });

  const alias = await h.req('GET', `/v2.0/lbaas/loadbalancers/${lb.id}/statuses`);
  t.equal(alias.status, 200, 'the /v2.0 prefix and the older /statuses path');
  t.same(alias.body, r.body);

  // Pending changes show in the tree as they are.
  await h.req('PUT', `/v2/lbaas/listeners/${web.id}`, { listener: { name: 'web2' } });
  r = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}/status`);
  t.equal(r.body.statuses.loadbalancer.provisioning_status, 'PENDING_UPDATE');
  t.match(byId(r.body.statuses.loadbalancer.listeners, web.id), {
    name: 'web2',
    provisioning_status: 'PENDING_UPDATE',
  });
});

t.test('statistics: per listener summed over amphorae, per load balancer over listeners', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const l1 = await activeListener(h, lb.id);
  const l2 = await activeListener(h, lb.id, { protocol_port: 81 });
  const zero = { bytes_in: 0, bytes_out: 0, active_connections: 0, total_connections: 0, request_errors: 0 };

  let r = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}/stats`);
  t.equal(r.status, 200);
  t.same(r.body, { stats: zero }, 'nothing reported yet: zeros');
  r = await h.req('GET', `/v2/lbaas/listeners/${l1.id}/stats`);
  t.same(r.body, { stats: zero });

  // A retired amphora's counters still count; its active connections do not.
  await amphora(h, 'amp-old', lb.id);
  await recordHeartbeat(
    h.db,
    'amp-old',
    heartbeat('amp-old', {
      listeners: [
        object(l1.id, 'ONLINE', {
          bytes_in: 100,
          bytes_out: 1000,
          total_connections: 3,
          active_connections: 7,
          request_errors: 1,
        }),
      ],
    }),
  );
  await h.db.updateTable('amphora').set({ status: 'DELETED' }).where('id', '=', 'amp-old').execute();

  await amphora(h, 'amp-1', lb.id);
  await recordHeartbeat(
    h.db,
    'amp-1',
    heartbeat('amp-1', {
      listeners: [
        object(l1.id, 'ONLINE', {
          bytes_in: 20,
          bytes_out: 200,
          total_connections: 2,
          active_connections: 1,
          request_errors: 0,
        }),
        object(l2.id, 'ONLINE', {
          bytes_in: 5,
          bytes_out: 50,
          total_connections: 1,
          active_connections: 1,
          request_errors: 2,
        }),
      ],
    }),
  );

  r = await h.req('GET', `/v2/lbaas/listeners/${l1.id}/stats`);
  t.equal(r.status, 200);
  t.same(r.body, {
    stats: { bytes_in: 120, bytes_out: 1200, active_connections: 1, total_connections: 5, request_errors: 1 },
  });
  r = await h.req('GET', `/v2.0/lbaas/listeners/${l2.id}/stats`);
  t.same(r.body, {
    stats: { bytes_in: 5, bytes_out: 50, active_connections: 1, total_connections: 1, request_errors: 2 },
  });
  r = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}/stats`);
  t.same(r.body, {
    stats: { bytes_in: 125, bytes_out: 1250, active_connections: 2, total_connections: 6, request_errors: 3 },
  });

  // A deleted listener takes its statistics with it.
  await h.req('DELETE', `/v2/lbaas/listeners/${l2.id}`);
  await h.activate(lb.id);
  t.equal((await h.req('GET', `/v2/lbaas/listeners/${l2.id}/stats`)).status, 404);
  r = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}/stats`);
  t.same(r.body.stats, {
    bytes_in: 120,
    bytes_out: 1200,
    active_connections: 1,
    total_connections: 5,
    request_errors: 1,
  });
});

t.test('unknown ids: 404', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  for (const path of ['status', 'statuses', 'stats']) {
    const r = await h.req('GET', `/v2/lbaas/loadbalancers/${MISSING}/${path}`);
    t.equal(r.status, 404, path);
    t.equal(fault(r), `Load Balancer ${MISSING} not found.`);
  }
  const r = await h.req('GET', `/v2/lbaas/listeners/${MISSING}/stats`);
  t.equal(r.status, 404);
  t.equal(fault(r), `Listener ${MISSING} not found.`);
});

t.test('project isolation, as the show routes', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const p1 = { 'x-project-id': 'p1' };
  const p2 = { 'x-project-id': 'p2' };
  const lb = await activeLb(h, {}, p1);
  const l = await activeListener(h, lb.id);
  const paths = [
    `/v2/lbaas/loadbalancers/${lb.id}/status`,
    `/v2/lbaas/loadbalancers/${lb.id}/stats`,
    `/v2/lbaas/listeners/${l.id}/stats`,
  ];
  for (const path of paths) {
    let r = await h.req('GET', path, undefined, p1);
    t.equal(r.status, 200, `owner: ${path}`);
    r = await h.req('GET', path, undefined, { ...p1, 'x-roles': 'load-balancer_observer' });
    t.equal(r.status, 200, `observer of the project: ${path}`);
    r = await h.req('GET', path, undefined, p2);
    t.equal(r.status, 403, `another project: ${path}`);
    t.equal(fault(r), 'Policy does not allow this request to be performed.');
    r = await h.req('GET', path, undefined, { ...p2, 'x-roles': 'load-balancer_global_observer' });
    t.equal(r.status, 200, `global observer: ${path}`);
    r = await h.req('GET', path, undefined, { ...p2, 'x-roles': 'admin' });
    t.equal(r.status, 200, `admin: ${path}`);
  }
  const r = await h.req('GET', `/v2/lbaas/loadbalancers/${MISSING}/stats`, undefined, p2);
  t.equal(r.status, 404, 'an unknown id is a 404 for anyone');
});
