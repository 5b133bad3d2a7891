// `openstack loadbalancer amphora list/show/stats show/configure/failover` (admin API).
// No worker builds amphorae here: the amphora row is written as the worker does.
import t from 'tap';
import { amphoraWithStats, clientHarness, missingClient } from './client-harness.js';

const AMP = '0a1b2c3d-0000-4000-8000-0000000000a1';

t.test('amphorae through the CLI', async (t) => {
  const missing = missingClient();
  if (missing) return void t.fail(missing);
  const { h, os, json } = await clientHarness(t);
  const lbId = (await json('loadbalancer', 'create', '--name', 'lb', '--vip-subnet-id', 'public-subnet')).id;
  await h.activate(lbId);
  const listener = await json(
    'loadbalancer',
    'listener',
    'create',
    '--protocol',
    'TCP',
    '--protocol-port',
    '80',
    lbId,
  );
  await h.activate(lbId);
  await amphoraWithStats(h, AMP, lbId, listener.id, {
    bytes_in: 11,
    bytes_out: 22,
    active_connections: 1,
    total_connections: 5,
  });

  t.match(await json('loadbalancer', 'amphora', 'list'), [
    { id: AMP, loadbalancer_id: lbId, status: 'ALLOCATED', role: 'STANDALONE', lb_network_ip: '172.31.0.11' },
  ]);
  t.match(
    await json('loadbalancer', 'amphora', 'list', '--loadbalancer', lbId),
    [{ id: AMP }],
    'by load balancer',
  );
  t.same(await json('loadbalancer', 'amphora', 'list', '--status', 'BOOTING'), [], 'by status');
  t.match(await json('loadbalancer', 'amphora', 'show', AMP), {
    id: AMP,
    loadbalancer_id: lbId,
    compute_id: `compute-${AMP}`,
    status: 'ALLOCATED',
  });
  t.match(await json('loadbalancer', 'amphora', 'stats', 'show', AMP), {
    bytes_in: 11,
    bytes_out: 22,
    active_connections: 1,
    total_connections: 5,
  });
  t.match(await json('loadbalancer', 'amphora', 'stats', 'show', '--listener', listener.id, AMP), {
    bytes_in: 11,
  });

  await os('loadbalancer', 'amphora', 'configure', AMP);
  const jobs = await h.db.selectFrom('job').select('kind').where('load_balancer_id', '=', lbId).execute();
  t.ok(
    jobs.some((j) => j.kind === 'amphora_config'),
    'configure queued an amphora_config job',
  );
  t.match(
    await json('loadbalancer', 'show', lbId),
    { provisioning_status: 'ACTIVE' },
    'configure is no change',
  );

  await os('loadbalancer', 'amphora', 'failover', AMP);
  t.match(
    await json('loadbalancer', 'show', lbId),
    { provisioning_status: 'PENDING_UPDATE' },
    'failover accepted',
  );
  await t.rejects(os('loadbalancer', 'amphora', 'failover', AMP), /immutable|PENDING_UPDATE/, 'pending: 409');
  await t.rejects(
    os('loadbalancer', 'amphora', 'show', '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11'),
    /not found|Unable to locate/i,
    'unknown amphora',
  );
});
