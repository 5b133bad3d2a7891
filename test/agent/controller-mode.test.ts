// The agent in controller mode, as the compute driver runs it: inside its namespace
// (nsenter), with a bootstrap file, serving AmphoraAgent over mTLS and sending
// heartbeats, with the real data plane. gRPC runs over unix sockets here, which cross
// network namespaces, so the test needs no routing into the amphora namespace.
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removePins } from '../../src/dataplane/dataplane.js';
import { DROP_REASONS } from '../../src/dataplane/traffic.js';
import type { AmphoraAgentClient } from '../../src/grpc/gen/velox/agent/v1/AmphoraAgent.js';
import type { AmphoraStatus__Output } from '../../src/grpc/gen/velox/agent/v1/AmphoraStatus.js';
import type { ApplyResponse__Output } from '../../src/grpc/gen/velox/agent/v1/ApplyResponse.js';
import type { HeartbeatRequest__Output } from '../../src/grpc/gen/velox/health/v1/HeartbeatRequest.js';
import { agentProto, healthProto } from '../../src/grpc/load.js';
import { Netns, requireNetnsPrivileges, waitFor } from '../lib/netns.js';
import { sampleConfig } from './fake-dataplane.js';
import { makeCa, makeLeaf } from './tls.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function call<T>(fn: (cb: grpc.requestCallback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));
}

t.test('controller mode: mTLS Apply/GetStatus on the real data plane, heartbeats, cleanup', async (t) => {
  requireNetnsPrivileges();
  if (!existsSync(join(root, 'dist/src/main.js'))) throw new Error('dist/src/main.js is missing: make build');
  const net = new Netns('vxa');
  const dir = mkdtempSync(join(tmpdir(), 'vxa-ctl-'));
  const pinRoot = `/sys/fs/bpf/vxa-ctl-${process.pid}`;
  t.teardown(async () => {
    await net.cleanup();
    removePins(pinRoot);
    rmSync(dir, { recursive: true, force: true });
  });

  // An amphora namespace with vip0 and mem0 (a veth pair to each other is enough here).
  const amp = net.add('vxa-ctl');
  net.ip(amp, 'link', 'add', 'vip0', 'type', 'veth', 'peer', 'name', 'mem0');
  net.ip(amp, 'addr', 'add', '10.201.1.2/24', 'dev', 'vip0');
  net.ip(amp, 'addr', 'add', '10.201.2.2/24', 'dev', 'mem0');
  net.ip(amp, 'link', 'set', 'vip0', 'up');
  net.ip(amp, 'link', 'set', 'mem0', 'up');

  const ca = makeCa(dir, 'ca');
  const agentCert = makeLeaf(dir, 'ca', 'agent');
  const controller = makeLeaf(dir, 'ca', 'controller');
  const read = (p: string) => readFileSync(p);

  // The controller's health endpoint.
  const beats: HeartbeatRequest__Output[] = [];
  const health = new grpc.Server();
  health.addService(healthProto().velox.health.v1.Health.service, {
    Heartbeat: (
      c: grpc.ServerUnaryCall<HeartbeatRequest__Output, unknown>,
      cb: grpc.sendUnaryData<{ desired_version: string }>,
    ) => {
      beats.push(c.request);
      cb(null, { desired_version: '2' });
    },
  });
  const healthSock = join(dir, 'health.sock');
  await new Promise<void>((res, rej) =>
    health.bindAsync(
      `unix:${healthSock}`,
      grpc.ServerCredentials.createSsl(
        read(ca),
        [{ cert_chain: read(controller.cert), private_key: read(controller.key) }],
        true,
      ),
      (e) => (e ? rej(e) : res()),
    ),
  );
  t.teardown(() => health.forceShutdown());

  const agentSock = join(dir, 'agent.sock');
  const bootstrap = join(dir, 'bootstrap.json');
  writeFileSync(
    bootstrap,
    JSON.stringify({
      amphora_id: 'amp-1',
      grpc_listen: `unix:${agentSock}`,
      metrics_listen: '127.0.0.1:9100',
      tls: { ca, cert: agentCert.cert, key: agentCert.key },
      heartbeat: { target: `unix:${healthSock}`, interval_ms: 200 },
      pin_root: pinRoot,
      state_dir: join(dir, 'state'),
      bpf_object: join(root, 'bpf/xdp_lb.bpf.o'),
    }),
  );
  let log = '';
  const agent = net.spawn(amp, process.execPath, [
    join(root, 'dist/src/main.js'),
    '--bootstrap',
    bootstrap,
    '--cleanup-on-exit',
  ]);
  agent.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  t.teardown(() => {
    if (!t.passing()) t.comment(`agent log:\n${log}`);
  });
  await waitFor('agent socket', () => (existsSync(agentSock) ? true : undefined));

  const Client = agentProto().velox.agent.v1.AmphoraAgent;
  const client: AmphoraAgentClient = new Client(
    `unix:${agentSock}`,
    grpc.credentials.createSsl(read(ca), read(controller.key), read(controller.cert)),
    { 'grpc.ssl_target_name_override': '127.0.0.1' },
  );
  t.teardown(() => client.close());

  const r = await call<ApplyResponse__Output>((cb) => client.Apply({ config: sampleConfig(2) }, cb));
  t.same(r, { applied_version: '2', unchanged: false });
  const same = await call<ApplyResponse__Output>((cb) => client.Apply({ config: sampleConfig(2) }, cb));
  t.equal(same.unchanged, true);
  await t.rejects(
    call((cb) => client.Apply({ config: sampleConfig(1) }, cb)),
    {
      code: grpc.status.FAILED_PRECONDITION,
    },
  );

  const status = await call<AmphoraStatus__Output>((cb) => client.GetStatus({}, cb));
  t.equal(status.applied_version, '2');
  t.same(
    status.interfaces.map((i) => [i.name, i.xdp_mode]),
    [
      ['vip0', 'native'],
      ['mem0', 'native'],
    ],
  );
  t.same(
    status.members.map((m) => [m.id, m.operating_status]),
    [
      ['m1', 'NO_MONITOR'],
      ['m2', 'ERROR'],
    ],
    'the member on no attached network is reported, the rest applied (no monitor checks it)',
  );
  t.match(net.ip(amp, 'link', 'show', 'vip0'), /xdp/, 'XDP attached on vip0');
  t.ok(existsSync(join(pinRoot, 'links', 'vip0')), 'the link is pinned');

  const beat = await waitFor('a heartbeat with version 2', () =>
    beats.find((b) => b.applied_version === '2'),
  );
  t.equal(beat.amphora_id, 'amp-1');
  t.same(
    beat.listeners.map((l) => [l.id, l.operating_status, l.active_connections, l.request_errors]),
    [['l1', 'ONLINE', '0', '0']],
  );
  t.same(
    Object.keys(beat.listeners[0]?.drops ?? {}).sort(),
    DROP_REASONS.map(([reason]) => reason).sort(),
    'drops by every reason, read from the real maps',
  );

  const exited = new Promise<number | null>((res) => agent.once('exit', (code) => res(code)));
  agent.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM stops the agent cleanly');
  t.notMatch(net.ip(amp, 'link', 'show', 'vip0'), /xdp/, '--cleanup-on-exit detached XDP');
  t.notOk(existsSync(pinRoot), 'and removed the pins');
});
