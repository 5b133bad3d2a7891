// The AmphoraAgent gRPC surface: Apply is idempotent per version, refuses older
// versions and invalid configs without touching the data plane, and is mTLS-only when
// TLS is configured. The data plane here records calls (the pure compiler still runs);
// the real one is exercised by applier.test.ts and forwarding.test.ts.
import t, { type Test } from 'tap';
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../src/agent/agent.js';
import { silentLogger } from '../../src/agent/log.js';
import type { AmphoraStatus__Output } from '../../src/grpc/gen/velox/agent/v1/AmphoraStatus.js';
import type { AmphoraAgentClient } from '../../src/grpc/gen/velox/agent/v1/AmphoraAgent.js';
import { agentProto } from '../../src/grpc/load.js';
import { startAgentServer, stopServer } from '../../src/grpc/server.js';
import { RecordingDataplane, sampleConfig } from './fake-dataplane.js';
import { makeCa, makeLeaf } from './tls.js';

function call<T>(fn: (cb: grpc.requestCallback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));
}

async function serve(t: Test, tls: { ca: string; cert: string; key: string } | null) {
  const dataplane = new RecordingDataplane();
  const agent = new Agent(dataplane, silentLogger, 'amp-1');
  const { server, port } = await startAgentServer(agent, '127.0.0.1:0', tls, silentLogger);
  t.teardown(() => stopServer(server));
  return { dataplane, port };
}

const Client = agentProto().velox.agent.v1.AmphoraAgent;

t.test('Apply: new version applied, same version unchanged, older refused, invalid refused', async (t) => {
  const { dataplane, port } = await serve(t, null);
  const client: AmphoraAgentClient = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  t.teardown(() => client.close());

  const r1 = await call<{ applied_version: string; unchanged: boolean }>((cb) =>
    client.Apply({ config: sampleConfig(5) }, cb),
  );
  t.same(r1, { applied_version: '5', unchanged: false });
  const r2 = await call<{ applied_version: string; unchanged: boolean }>((cb) =>
    client.Apply({ config: sampleConfig(5) }, cb),
  );
  t.same(r2, { applied_version: '5', unchanged: true }, 'same version: unchanged');
  t.same(dataplane.applied, ['5'], 'the data plane was touched once');

  await t.rejects(
    call((cb) => client.Apply({ config: sampleConfig(4) }, cb)),
    { code: grpc.status.FAILED_PRECONDITION, details: /older than the applied version 5/ },
  );
  const bad = sampleConfig(6);
  bad.pools![0]!.members![0]!.address = 'not-an-ip';
  await t.rejects(
    call((cb) => client.Apply({ config: bad }, cb)),
    {
      code: grpc.status.INVALID_ARGUMENT,
      details: /pools\[0\]\.members\[0\]\.address/,
    },
  );
  await t.rejects(
    call((cb) => client.Apply({ config: sampleConfig(7, { amphora_id: 'someone-else' }) }, cb)),
    {
      code: grpc.status.INVALID_ARGUMENT,
    },
  );
  await t.rejects(
    call((cb) => client.Apply({}, cb)),
    { code: grpc.status.INVALID_ARGUMENT },
  );
  t.same(dataplane.applied, ['5'], 'refused configs never reached the data plane');

  dataplane.fail = new Error('attach failed');
  await t.rejects(
    call((cb) => client.Apply({ config: sampleConfig(8) }, cb)),
    { code: grpc.status.INTERNAL },
  );
  dataplane.fail = null;

  const status = await call<AmphoraStatus__Output>((cb) => client.GetStatus({}, cb));
  t.equal(status.applied_version, '5', 'a failed apply leaves the applied version');
  t.same(status.interfaces, [{ name: 'vip0', xdp_mode: 'native' }]);
  t.same(
    status.listeners.map((l) => [l.id, l.operating_status, l.counters?.packets_in]),
    [['l1', 'ONLINE', '3']],
  );
  const c = status.listeners[0]?.counters;
  t.same(
    [c?.active_connections, c?.total_connections, c?.request_errors, c?.drops],
    ['4', '1', '6', { CIDR: '5', NO_FLOW: '1' }],
    'active connections, drops by reason and request_errors (their sum) of the fast path',
  );
  t.same(
    status.members.map((m) => [m.id, m.operating_status]),
    [
      ['m1', 'NO_MONITOR'],
      ['m2', 'ERROR'],
    ],
  );

  const r3 = await call<{ applied_version: string }>((cb) => client.Apply({ config: sampleConfig(9) }, cb));
  t.equal(r3.applied_version, '9');
});

t.test('concurrent Applies are serialized', async (t) => {
  const { dataplane, port } = await serve(t, null);
  dataplane.delayMs = 50;
  const client: AmphoraAgentClient = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  t.teardown(() => client.close());
  const results = await Promise.allSettled(
    [1, 2, 3].map((v) => call((cb) => client.Apply({ config: sampleConfig(v) }, cb))),
  );
  t.ok(
    results.some((r) => r.status === 'fulfilled'),
    'at least one apply succeeded',
  );
  t.equal(dataplane.maxInFlight, 1, 'never two applies at once');
  t.same(
    [...dataplane.applied].sort((a, b) => Number(a) - Number(b)),
    dataplane.applied,
    'versions reached the data plane in increasing order (older ones are refused)',
  );
});

t.test('mTLS: a client certificate from the CA is required', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vxa-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa(dir, 'ca');
  const server = makeLeaf(dir, 'ca', 'agent');
  const good = makeLeaf(dir, 'ca', 'controller');
  makeCa(dir, 'rogue');
  const bad = makeLeaf(dir, 'rogue', 'intruder');
  const { port } = await serve(t, { ca, ...server });
  const read = (p: string) => readFileSync(p);

  const ok: AmphoraAgentClient = new Client(
    `127.0.0.1:${port}`,
    grpc.credentials.createSsl(read(ca), read(good.key), read(good.cert)),
  );
  t.teardown(() => ok.close());
  const r = await call<{ applied_version: string }>((cb) => ok.Apply({ config: sampleConfig(1) }, cb));
  t.equal(r.applied_version, '1', 'a controller with a CA-issued cert is served');

  const rogue: AmphoraAgentClient = new Client(
    `127.0.0.1:${port}`,
    grpc.credentials.createSsl(read(ca), read(bad.key), read(bad.cert)),
  );
  t.teardown(() => rogue.close());
  await t.rejects(
    call((cb) => rogue.GetStatus({}, cb)),
    { code: grpc.status.UNAVAILABLE },
    'a foreign cert is refused',
  );

  const anonymous: AmphoraAgentClient = new Client(`127.0.0.1:${port}`, grpc.credentials.createSsl(read(ca)));
  t.teardown(() => anonymous.close());
  await t.rejects(
    call((cb) => anonymous.GetStatus({}, cb)),
    { code: grpc.status.UNAVAILABLE },
    'no cert is refused',
  );
});
