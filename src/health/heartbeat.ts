// Periodic Health.Heartbeat to the controller: applied version, sequence, and per-object
// status and counters. A controller that cannot be reached is logged (at most once a
// minute while it stays unreachable) and tried again at the next tick; never fatal.
import type { Agent, ObjectReport } from '../agent/agent.js';
import { errorFields, type Logger } from '../agent/log.js';
import { clientCredentials, type TlsFiles } from '../grpc/credentials.js';
import type { HealthClient } from '../grpc/gen/velox/health/v1/Health.js';
import type { HeartbeatRequest } from '../grpc/gen/velox/health/v1/HeartbeatRequest.js';
import type { ObjectHealth } from '../grpc/gen/velox/health/v1/ObjectHealth.js';
import { healthProto } from '../grpc/load.js';

const LOG_EVERY_MS = 60_000;

function objectHealth(o: ObjectReport): ObjectHealth {
  return {
    id: o.id,
    operating_status: o.status,
    packets_in: o.traffic.packetsIn.toString(),
    bytes_in: o.traffic.bytesIn.toString(),
    packets_out: o.traffic.packetsOut.toString(),
    bytes_out: o.traffic.bytesOut.toString(),
    total_connections: o.traffic.connections.toString(),
    active_connections: o.traffic.active.toString(),
    request_errors: o.requestErrors.toString(),
    drops: Object.fromEntries(Object.entries(o.traffic.drops).map(([reason, n]) => [reason, n.toString()])),
  };
}

export async function heartbeatRequest(
  agent: Agent,
  amphoraId: string,
  sequence: bigint,
): Promise<HeartbeatRequest> {
  const s = await agent.status();
  return {
    amphora_id: amphoraId,
    applied_version: s.appliedVersion.toString(),
    sequence: sequence.toString(),
    listeners: s.listeners.map(objectHealth),
    pools: s.pools.map(objectHealth),
    members: s.members.map(objectHealth),
    vrrp_state: s.vrrpState,
  };
}

export interface HeartbeatOptions {
  target: string;
  intervalMs: number;
  amphoraId: string;
  tls: TlsFiles | null;
}

export class HeartbeatSender {
  private sequence = 0n;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;
  private lastFailureLog = 0;
  private failing = false;
  private readonly client: HealthClient;
  /** The last desired version the controller reported. */
  desiredVersion = 0n;

  constructor(
    private readonly agent: Agent,
    private readonly opts: HeartbeatOptions,
    private readonly log: Logger,
  ) {
    const Health = healthProto().velox.health.v1.Health;
    this.client = new Health(opts.target, clientCredentials(opts.tls));
  }

  start(): void {
    this.timer = setInterval(() => this.beat(), this.opts.intervalMs);
    this.beat();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.client.close();
  }

  private beat(): void {
    if (this.inFlight) return; // a slow controller gets one heartbeat at a time
    this.inFlight = true;
    this.sequence += 1n;
    heartbeatRequest(this.agent, this.opts.amphoraId, this.sequence).then(
      (request) => this.send(request),
      (err: unknown) => {
        this.inFlight = false;
        this.log.error('heartbeat-build-failed', errorFields(err));
      },
    );
  }

  private send(request: HeartbeatRequest): void {
    if (!this.timer) {
      this.inFlight = false; // stopped while the request was being built
      return;
    }
    const deadline = new Date(Date.now() + Math.max(this.opts.intervalMs, 1000));
    this.client.Heartbeat(request, { deadline }, (err, response) => {
      this.inFlight = false;
      if (err) {
        const now = Date.now();
        if (!this.failing || now - this.lastFailureLog >= LOG_EVERY_MS) {
          this.log.warn('heartbeat-failed', { target: this.opts.target, ...errorFields(err) });
          this.lastFailureLog = now;
        }
        this.failing = true;
        return;
      }
      if (this.failing) this.log.info('heartbeat-recovered', { target: this.opts.target });
      this.failing = false;
      this.desiredVersion = BigInt(response?.desired_version ?? '0');
    });
  }
}
