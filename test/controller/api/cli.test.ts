// The real client: Debian's `openstack` (openstackclient + octaviaclient) against
// the app listening on 127.0.0.1, with the clouds.yaml shipped in etc/ (its port
// replaced). No worker runs here, so the test activates the graph between calls.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { harness } from './helpers.js';

const OPENSTACK = '/usr/bin/openstack';

t.test('openstack loadbalancer create/list/show, listener, pool, member', async (t) => {
  if (!existsSync(OPENSTACK)) {
    t.fail(`${OPENSTACK} is missing: apt-get install python3-openstackclient python3-octaviaclient`);
    return;
  }
  const h = await harness();
  t.teardown(() => h.close());
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'velox-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const clouds = join(dir, 'clouds.yaml');
  const shipped = readFileSync(new URL('../../../etc/clouds.yaml', import.meta.url), 'utf8');
  writeFileSync(clouds, shipped.replaceAll('127.0.0.1:9876', `127.0.0.1:${port}`));

  const os = (...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(
        OPENSTACK,
        args,
        {
          env: { ...process.env, OS_CLOUD: 'velox', OS_CLIENT_CONFIG_FILE: clouds, HOME: dir },
          timeout: 60_000,
        },
        (err, stdout, stderr) =>
          err ? reject(new Error(`openstack ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
      );
    });
  const json = async (...args: string[]) =>
    JSON.parse(await os(...args, '-f', 'json')) as Record<string, unknown>;

  const lb = await json('loadbalancer', 'create', '--name', 'lb1', '--vip-subnet-id', 'public-subnet');
  t.match(lb, {
    name: 'lb1',
    provisioning_status: 'PENDING_CREATE',
    vip_address: '172.30.1.10',
    provider: 'amphora',
  });
  const lbId = lb['id'] as string;
  await h.activate(lbId);

  const list = JSON.parse(await os('loadbalancer', 'list', '-f', 'json')) as Record<string, unknown>[];
  t.match(list, [{ id: lbId, name: 'lb1', provisioning_status: 'ACTIVE' }]);
  t.match(await json('loadbalancer', 'show', 'lb1'), {
    id: lbId,
    vip_subnet_id: h.network.findSubnet('public-subnet')!.id,
  });

  const listener = await json(
    'loadbalancer',
    'listener',
    'create',
    '--name',
    'l1',
    '--protocol',
    'TCP',
    '--protocol-port',
    '80',
    'lb1',
  );
  t.match(listener, { name: 'l1', protocol: 'TCP', protocol_port: 80 });
  await h.activate(lbId);
  const pool = await json(
    'loadbalancer',
    'pool',
    'create',
    '--name',
    'p1',
    '--protocol',
    'TCP',
    '--lb-algorithm',
    'ROUND_ROBIN',
    '--listener',
    'l1',
  );
  t.match(pool, { name: 'p1', lb_algorithm: 'ROUND_ROBIN' });
  await h.activate(lbId);
  const member = await json(
    'loadbalancer',
    'member',
    'create',
    '--subnet-id',
    'private-subnet',
    '--address',
    '172.30.2.20',
    '--protocol-port',
    '8080',
    'p1',
  );
  t.match(member, {
    address: '172.30.2.20',
    protocol_port: 8080,
    subnet_id: h.network.findSubnet('private-subnet')!.id,
  });

  await t.rejects(
    os('loadbalancer', 'delete', '--cascade', 'lb1'),
    /Invalid state PENDING_UPDATE/,
    'pending: refused',
  );
  await h.activate(lbId);
  await t.rejects(os('loadbalancer', 'delete', 'lb1'), /has children/, 'children need --cascade');
  await os('loadbalancer', 'delete', '--cascade', 'lb1');
  t.match(await json('loadbalancer', 'show', lbId), { provisioning_status: 'PENDING_DELETE' });

  // --project is resolved through Keystone before the quota call: noauth answers it.
  t.match(await json('loadbalancer', 'quota', 'show', 'demo'), { load_balancer: -1 });
});
