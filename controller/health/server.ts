// The Health gRPC service: agents report here over mTLS. The caller's certificate
// must come from the controller's CA and name the amphora it reports for (CN), so
// one amphora cannot speak for another. Each heartbeat sets operating statuses, the
// listeners' statistics and, for ACTIVE_STANDBY, the role keepalived reports.
import * as grpc from '@grpc/grpc-js';
import { getAmphora, updateAmphora } from '../db/amphora-repo.js';
import { now, type Db } from '../db/database.js';
import { statisticsOfAmphora, upsertListenerStatistics } from '../db/statistics-repo.js';
import { loadLoadBalancerGraph, setOperatingStatuses, type LoadBalancerGraph } from '../db/worker-repo.js';
import type { TlsMaterial } from '../worker/agent-client.js';
import { healthProto } from '../worker/protos.js';
import type { HeartbeatRequest__Output } from '../../src/grpc/gen/velox/health/v1/HeartbeatRequest.js';
import type { HeartbeatResponse } from '../../src/grpc/gen/velox/health/v1/HeartbeatResponse.js';
import { advanceCounters, reportedCounters } from './listener-counters.js';
import { isEmpty, statusesFromHeartbeat } from './status-rules.js';

export interface HealthServerOptions {
  db: Db;
  /** "IP:PORT": the management gateway and health.port. */
  listen: string;
  /** The controller's server certificate and the CA that client certificates must chain to. */
  tls: TlsMaterial;
  log: { error(msg: string): void };
}

class HeartbeatRefused extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/**
 * ACTIVE_STANDBY: `role` shows observed mastership, so after an unplanned failover the
 * survivor reads MASTER as soon as keepalived made it so. Only MASTER and BACKUP are
 * roles: FAULT or no state ("", keepalived stopped or not started) leave it as it was,
 * and a STANDALONE (SINGLE) amphora never changes.
 */
export function observedRole(role: string, vrrpState: string): { role?: string } {
  if (role !== 'MASTER' && role !== 'BACKUP') return {};
  if ((vrrpState !== 'MASTER' && vrrpState !== 'BACKUP') || vrrpState === role) return {};
  return { role: vrrpState };
}

/** Records one heartbeat; returns the config version the controller wants the amphora on. */
export async function recordHeartbeat(db: Db, peerCn: string | undefined, hb: HeartbeatRequest__Output) {
  if (!peerCn || peerCn !== hb.amphora_id) {
    throw new HeartbeatRefused(
      grpc.status.PERMISSION_DENIED,
      `certificate of ${peerCn} may not report for ${hb.amphora_id}`,
    );
  }
  const amp = await getAmphora(db, hb.amphora_id);
  if (!amp) throw new HeartbeatRefused(grpc.status.NOT_FOUND, `amphora ${hb.amphora_id} is not known`);
  await updateAmphora(db, amp.id, {
    last_heartbeat_at: new Date().toISOString(),
    applied_version: Number(hb.applied_version),
    ...observedRole(amp.role, hb.vrrp_state),
  });
  if (amp.load_balancer_id) {
    const graph = await loadLoadBalancerGraph(db, amp.load_balancer_id);
    if (graph) {
      const statuses = statusesFromHeartbeat(graph, hb);
      if (!isEmpty(statuses)) await setOperatingStatuses(db, statuses);
      await recordStatistics(db, amp.id, graph, hb);
    }
  }
  return amp.desired_version;
}

/** The counters of the load balancer's listeners the amphora reported; others are ignored. */
async function recordStatistics(
  db: Db,
  amphoraId: string,
  graph: LoadBalancerGraph,
  hb: HeartbeatRequest__Output,
): Promise<void> {
  const known = new Set(graph.listeners.map((l) => l.id));
  const reports = hb.listeners.filter((l) => known.has(l.id));
  if (reports.length === 0) return;
  await db.transaction().execute(async (trx) => {
    const before = await statisticsOfAmphora(trx, amphoraId);
    const updatedAt = now();
    await upsertListenerStatistics(
      trx,
      reports.map((l) => ({
        listener_id: l.id,
        amphora_id: amphoraId,
        ...advanceCounters(before.get(l.id), reportedCounters(l)),
        updated_at: updatedAt,
      })),
    );
  });
}

function peerCommonName(call: grpc.ServerUnaryCall<unknown, unknown>): string | undefined {
  const cert = call.getAuthContext()?.sslPeerCertificate;
  const cn = cert?.subject?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

export class HealthServer {
  private server: grpc.Server | undefined;

  constructor(private readonly opts: HealthServerOptions) {}

  /** Binds and serves; resolves with the bound port. */
  async start(): Promise<number> {
    const server = new grpc.Server();
    server.addService(healthProto().velox.health.v1.Health.service, {
      Heartbeat: (
        call: grpc.ServerUnaryCall<HeartbeatRequest__Output, HeartbeatResponse>,
        cb: grpc.sendUnaryData<HeartbeatResponse>,
      ) => {
        recordHeartbeat(this.opts.db, peerCommonName(call), call.request).then(
          (desired) => cb(null, { desired_version: desired }),
          (err: unknown) => {
            if (err instanceof HeartbeatRefused) return cb({ code: err.code, details: err.message });
            this.opts.log.error(`heartbeat from ${call.request.amphora_id}: ${String(err)}`);
            cb({ code: grpc.status.INTERNAL, details: 'heartbeat not recorded' });
          },
        );
      },
    });
    const { caPem, certPem, keyPem } = this.opts.tls;
    const creds = grpc.ServerCredentials.createSsl(
      Buffer.from(caPem),
      [{ private_key: Buffer.from(keyPem), cert_chain: Buffer.from(certPem) }],
      true, // client certificates are required and must chain to the CA
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.opts.listen, creds, (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
    return port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      // Heartbeats are short; do not let a stuck one hold shutdown.
      const force = setTimeout(() => server.forceShutdown(), 2000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
