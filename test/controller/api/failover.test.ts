// Load balancer failover (PUT /v2/lbaas/loadbalancers/{id}/failover) and the admin
// amphora actions (PUT /v2/octavia/amphorae/{id}/failover and /config, GET .../stats):
// status codes, policy, the status rules, the jobs the worker is given, and the flows
// those jobs run.
import t from 'tap';
import { createAmphora } from '../../../controller/db/amphora-repo.js';
import { now } from '../../../controller/db/database.js';
import { upsertListenerStatistics } from '../../../controller/db/statistics-repo.js';
import { createLbFlow } from '../../../controller/worker/flows.js';
import { amphoraConfigFlow, failoverLbFlow } from '../../../controller/worker/failover-flow.js';
import { activeLb, activeListener, fault, harness, type Harness } from './helpers.js';

const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';
const AMP = '0a1b2c3d-0000-4000-8000-000000000001';
const GONE = '0a1b2c3d-0000-4000-8000-000000000002';
const SPARE = '0a1b2c3d-0000-4000-8000-000000000003';
const MEMBER = { 'x-project-id': 'p1' };
const PROJECT_ADMIN = { 'x-project-id': 'p1', 'x-roles': 'load-balancer_admin' };

async function jobs(h: Harness): Promise<[string, string][]> {
  const rows = await h.db.selectFrom('job').select(['kind', 'load_balancer_id']).orderBy('id').execute();
  return rows.map((j) => [j.kind, j.load_balancer_id]);
}

async function lbStatus(h: Harness, id: string): Promise<string> {
  return (await h.req('GET', `/v2/lbaas/loadbalancers/${id}`)).body.loadbalancer.provisioning_status;
}

async function setLbStatus(h: Harness, id: string, status: 'ERROR' | 'PENDING_CREATE'): Promise<void> {
  await h.db.updateTable('load_balancer').set({ provisioning_status: status }).where('id', '=', id).execute();
}

/** An ACTIVE load balancer of project p1 with an amphora, a DELETED one, and a spare amphora. */
async function fixture(h: Harness) {
  const lb = await activeLb(h, { project_id: 'p1' });
  await createAmphora(h.db, { id: AMP, status: 'ALLOCATED', role: 'STANDALONE', load_balancer_id: lb.id });
  await createAmphora(h.db, { id: GONE, status: 'DELETED', role: 'STANDALONE', load_balancer_id: lb.id });
  await createAmphora(h.db, { id: SPARE, status: 'READY', role: 'STANDALONE' });
  return lb;
}

t.test('load balancer failover', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await fixture(h);
  const path = `/v2/lbaas/loadbalancers/${lb.id}/failover`;
  const before = (await jobs(h)).length;

  let r = await h.req('PUT', path, undefined, MEMBER);
  t.equal(r.status, 403, 'admin only, as Octavia');
  t.equal(fault(r), 'Policy does not allow this request to be performed.');
  t.equal(await lbStatus(h, lb.id), 'ACTIVE');

  r = await h.req('PUT', path);
  t.equal(r.status, 202);
  t.equal(r.raw.body, '');
  t.equal(await lbStatus(h, lb.id), 'PENDING_UPDATE');
  t.same(
    (await jobs(h)).slice(before),
    [['failover_lb', lb.id]],
    'the worker is asked to rebuild the amphora',
  );

  r = await h.req('PUT', path);
  t.equal(r.status, 409, 'one at a time');
  t.equal(fault(r), `Invalid state PENDING_UPDATE of loadbalancer resource ${lb.id}`);
  t.equal((await jobs(h)).length, before + 1, 'a refusal enqueues nothing');

  await setLbStatus(h, lb.id, 'ERROR');
  r = await h.req('PUT', `/v2.0/lbaas/loadbalancers/${lb.id}/failover`, undefined, PROJECT_ADMIN);
  t.equal(r.status, 202, 'a load balancer in ERROR may fail over (the /v2.0 alias, a load-balancer_admin)');
  t.equal(await lbStatus(h, lb.id), 'PENDING_UPDATE');

  await setLbStatus(h, lb.id, 'PENDING_CREATE');
  r = await h.req('PUT', path);
  t.equal(r.status, 409);
  t.equal(fault(r), `Invalid state PENDING_CREATE of loadbalancer resource ${lb.id}`);

  r = await h.req('PUT', `/v2/lbaas/loadbalancers/${MISSING}/failover`);
  t.equal(r.status, 404);
  t.equal(fault(r), `Load Balancer ${MISSING} not found.`);
  r = await h.req('PUT', `/v2/lbaas/loadbalancers/${MISSING}/failover`, undefined, MEMBER);
  t.equal(r.status, 404, 'the load balancer is looked up before the policy check');
  t.equal((await h.req('POST', path)).status, 404, 'PUT only');
});

t.test('amphora failover', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await fixture(h);
  const before = (await jobs(h)).length;
  let r = await h.req('PUT', `/v2/octavia/amphorae/${AMP}/failover`, undefined, MEMBER);
  t.equal(r.status, 403);
  r = await h.req('PUT', `/v2/octavia/amphorae/${AMP}/failover`, {});
  t.equal(r.status, 202);
  t.equal(r.raw.body, '');
  t.equal(await lbStatus(h, lb.id), 'PENDING_UPDATE');
  t.same((await jobs(h)).slice(before), [['failover_amphora', lb.id]], 'a job naming the amphora');
  const job = await h.db.selectFrom('job').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.equal(job.amphora_id, AMP);
  t.match(job.reason, /operator/);
  r = await h.req('PUT', `/v2.0/octavia/amphorae/${AMP}/failover`);
  t.equal(r.status, 409, 'its load balancer must be ACTIVE');
  t.equal(fault(r), `Load Balancer ${lb.id} is immutable and cannot be updated.`);
  await setLbStatus(h, lb.id, 'ERROR');
  r = await h.req('PUT', `/v2/octavia/amphorae/${AMP}/failover`);
  t.equal(r.status, 409, 'unlike the load balancer failover, not from ERROR');
  for (const id of [GONE, MISSING]) {
    r = await h.req('PUT', `/v2/octavia/amphorae/${id}/failover`);
    t.equal(r.status, 404);
    t.equal(fault(r), `Amphora ${id} not found.`);
  }
  r = await h.req('PUT', `/v2/octavia/amphorae/${SPARE}/failover`);
  t.equal(r.status, 400);
  t.equal(fault(r), `Validation failure: Amphora ${SPARE} is not part of a load balancer.`);
  t.equal((await jobs(h)).length, before + 1, 'refusals enqueue nothing');
});

t.test('amphora config', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await fixture(h);
  const before = (await jobs(h)).length;
  let r = await h.req('PUT', `/v2/octavia/amphorae/${AMP}/config`, undefined, MEMBER);
  t.equal(r.status, 403);
  r = await h.req('PUT', `/v2/octavia/amphorae/${AMP}/config`, {});
  t.equal(r.status, 202);
  t.equal(r.raw.body, '');
  t.same((await jobs(h)).slice(before), [['amphora_config', lb.id]]);
  t.equal(await lbStatus(h, lb.id), 'ACTIVE', 'no status change, as Octavia');
  await setLbStatus(h, lb.id, 'ERROR');
  t.equal((await h.req('PUT', `/v2.0/octavia/amphorae/${AMP}/config`)).status, 202, 'whatever the status');
  for (const id of [GONE, MISSING]) {
    r = await h.req('PUT', `/v2/octavia/amphorae/${id}/config`);
    t.equal(r.status, 404);
    t.equal(fault(r), `Amphora ${id} not found.`);
  }
  t.equal((await h.req('PUT', `/v2/octavia/amphorae/${SPARE}/config`)).status, 400);
});

t.test('amphora statistics', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await fixture(h);
  const l1 = await activeListener(h, lb.id);
  const l2 = await activeListener(h, lb.id, { protocol_port: 81 });
  let r = await h.req('GET', `/v2/octavia/amphorae/${AMP}/stats`);
  t.equal(r.status, 404, 'nothing reported yet');
  t.equal(fault(r), `Amphora stats for ${AMP} not found.`);
  const row = (listenerId: string, n: number) => ({
    listener_id: listenerId,
    amphora_id: AMP,
    bytes_in: 100 * n,
    bytes_out: 200 * n,
    active_connections: n,
    total_connections: 10 * n,
    request_errors: n - 1,
    bytes_in_offset: 0,
    bytes_out_offset: 0,
    total_connections_offset: 0,
    request_errors_offset: 0,
    updated_at: now(),
  });
  await upsertListenerStatistics(h.db, [row(l1.id, 1), row(l2.id, 2)]);
  r = await h.req('GET', `/v2/octavia/amphorae/${AMP}/stats`);
  t.equal(r.status, 200);
  const expected = [
    [l1.id, 1],
    [l2.id, 2],
  ] as const;
  t.same(
    r.body.amphora_stats.sort((a: { listener_id: string }, b: { listener_id: string }) =>
      a.listener_id < b.listener_id ? -1 : 1,
    ),
    expected
      .map(([listenerId, n]) => ({
        id: AMP,
        loadbalancer_id: lb.id,
        listener_id: listenerId,
        active_connections: n,
        bytes_in: 100 * n,
        bytes_out: 200 * n,
        request_errors: n - 1,
        total_connections: 10 * n,
      }))
      .sort((a, b) => (a.listener_id < b.listener_id ? -1 : 1)),
  );
  r = await h.req('GET', `/v2/octavia/amphorae/${AMP}/stats`, undefined, MEMBER);
  t.equal(r.status, 403);
  r = await h.req('GET', `/v2/octavia/amphorae/${MISSING}/stats`, undefined, MEMBER);
  t.equal(r.status, 403, 'the policy is checked before the look-up, as in Octavia');
  r = await h.req('GET', `/v2.0/octavia/amphorae/${MISSING}/stats`);
  t.equal(r.status, 404);
  t.equal(fault(r), `Amphora stats for ${MISSING} not found.`);
});

t.test('the flows the jobs run', async (t) => {
  const names = (flow: { name: string }[]) => flow.map((s) => s.name);
  t.same(
    names(failoverLbFlow),
    [
      'load-graph',
      'remove-old-amphorae',
      'allocate-amphora',
      'allocate-ports',
      'issue-certificate',
      'create-amphora',
      'wait-for-agent',
      'apply-config',
      'mark-active',
    ],
    'failover destroys the amphora, builds a new one, serves it the whole config, then settles ACTIVE',
  );
  t.same(
    names(failoverLbFlow),
    names(createLbFlow),
    'the same steps as a create, which retries the same way',
  );
  t.same(
    names(amphoraConfigFlow),
    ['load-graph', 'find-amphora', 'apply-config'],
    'a config push touches no provisioning status',
  );
});
