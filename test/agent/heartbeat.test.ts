// Heartbeats reach a controller over mTLS with the applied version, an increasing
// sequence and per-object status and counters; an unreachable controller is retried.
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../src/agent/agent.js';
import { silentLogger } from '../../src/agent/log.js';
import { readAmphoraConfig } from '../../src/config/proto-json.js';
import type { HeartbeatRequest__Output } from '../../src/grpc/gen/velox/health/v1/HeartbeatRequest.js';
import { healthProto } from '../../src/grpc/load.js';
import { HeartbeatSender } from '../../src/health/heartbeat.js';
import { waitFor } from '../lib/netns.js';
import { RecordingDataplane, sampleConfig } from './fake-dataplane.js';
import { makeCa, makeLeaf } from './tls.js';

t.test(
  'heartbeats over mTLS carry version, sequence, statuses and counters; failures are retried',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'vxa-hb-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const ca = makeCa(dir, 'ca');
    const controller = makeLeaf(dir, 'ca', 'controller');
    const amphora = makeLeaf(dir, 'ca', 'amphora');

    const agent = new Agent(new RecordingDataplane(), silentLogger, 'amp-1');
    await agent.apply(readAmphoraConfig(sampleConfig(3)));

    const received: HeartbeatRequest__Output[] = [];
    const startController = async (port: number): Promise<{ server: grpc.Server; port: number }> => {
      const server = new grpc.Server();
      server.addService(healthProto().velox.health.v1.Health.service, {
        Heartbeat: (
          call: grpc.ServerUnaryCall<HeartbeatRequest__Output, unknown>,
          cb: grpc.sendUnaryData<{ desired_version: string }>,
        ) => {
          received.push(call.request);
          cb(null, { desired_version: '4' });
        },
      });
      const creds = grpc.ServerCredentials.createSsl(
        readFileSync(ca),
        [{ cert_chain: readFileSync(controller.cert), private_key: readFileSync(controller.key) }],
        true,
      );
      const bound = await new Promise<number>((res, rej) =>
        server.bindAsync(`127.0.0.1:${port}`, creds, (e, p) => (e ? rej(e) : res(p))),
      );
      return { server, port: bound };
    };

    // Find a free port, then leave it closed: the first heartbeats fail.
    const probe = await startController(0);
    const port = probe.port;
    probe.server.forceShutdown();

    const sender = new HeartbeatSender(
      agent,
      { target: `127.0.0.1:${port}`, intervalMs: 100, amphoraId: 'amp-1', tls: { ca, ...amphora } },
      silentLogger,
    );
    sender.start();
    t.teardown(() => sender.stop());
    await new Promise((r) => setTimeout(r, 350));
    t.equal(received.length, 0, 'nothing received while the controller is down');

    const live = await startController(port);
    t.teardown(() => live.server.forceShutdown());
    await waitFor('two heartbeats', () => (received.length >= 2 ? true : undefined), 100, 100);

    const [a, b] = received as [HeartbeatRequest__Output, HeartbeatRequest__Output];
    t.equal(a.amphora_id, 'amp-1');
    t.equal(a.applied_version, '3');
    t.ok(BigInt(b.sequence) > BigInt(a.sequence), 'sequence increases');
    t.same(
      a.listeners.map((l) => [l.id, l.operating_status, l.packets_in, l.bytes_out, l.total_connections]),
      [['l1', 'ONLINE', '3', '200', '1']],
    );
    t.same(
      a.listeners.map((l) => [l.active_connections, l.request_errors, l.drops]),
      [['4', '6', { CIDR: '5', NO_FLOW: '1' }]],
      'active connections, request_errors and drops by reason',
    );
    t.same(
      a.members.map((m) => [m.id, m.operating_status, m.active_connections, m.drops.CIDR]),
      [
        ['m1', 'NO_MONITOR', '4', '5'],
        ['m2', 'ERROR', '0', undefined],
      ],
    );
    t.same(
      a.pools.map((p) => [p.id, p.operating_status, p.packets_in, p.active_connections, p.drops.NO_FLOW]),
      [['p1', 'DEGRADED', '3', '4', '1']],
      'a pool sums its members; m2 in ERROR degrades it',
    );
    await waitFor('desired version', () => (sender.desiredVersion === 4n ? true : undefined));
  },
);
