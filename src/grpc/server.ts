// The AmphoraAgent gRPC service: Apply, GetStatus and ReleaseMastership over the agent's state.
import * as grpc from '@grpc/grpc-js';
import { NoVrrpError, StaleVersionError, type Agent, type ObjectReport } from '../agent/agent.js';
import { errorFields, type Logger } from '../agent/log.js';
import { ConfigError } from '../config/config-error.js';
import type { AmphoraAgentHandlers } from './gen/velox/agent/v1/AmphoraAgent.js';
import type { AmphoraStatus } from './gen/velox/agent/v1/AmphoraStatus.js';
import type { Counters } from './gen/velox/agent/v1/Counters.js';
import type { ObjectStatus } from './gen/velox/agent/v1/ObjectStatus.js';
import { serverCredentials, type TlsFiles } from './credentials.js';
import { agentProto } from './load.js';

function counters(o: ObjectReport): Counters {
  const t = o.traffic;
  return {
    packets_in: t.packetsIn.toString(),
    bytes_in: t.bytesIn.toString(),
    packets_out: t.packetsOut.toString(),
    bytes_out: t.bytesOut.toString(),
    total_connections: t.connections.toString(),
    active_connections: t.active.toString(),
    request_errors: o.requestErrors.toString(),
    drops: Object.fromEntries(Object.entries(t.drops).map(([reason, n]) => [reason, n.toString()])),
  };
}

function objectStatus(o: ObjectReport): ObjectStatus {
  return { id: o.id, operating_status: o.status, counters: counters(o) };
}

function grpcError(code: grpc.status, message: string): Partial<grpc.StatusObject> {
  return { code, details: message };
}

export function agentHandlers(agent: Agent, log: Logger): AmphoraAgentHandlers {
  return {
    Apply(call, callback) {
      const config = call.request.config;
      if (!config) {
        callback(grpcError(grpc.status.INVALID_ARGUMENT, 'config: is required'));
        return;
      }
      agent.apply(config).then(
        (r) => callback(null, { applied_version: r.appliedVersion.toString(), unchanged: r.unchanged }),
        (err: unknown) => {
          if (err instanceof ConfigError) {
            callback(grpcError(grpc.status.INVALID_ARGUMENT, err.message));
          } else if (err instanceof StaleVersionError) {
            callback(grpcError(grpc.status.FAILED_PRECONDITION, err.message));
          } else {
            log.error('grpc-apply-failed', errorFields(err));
            callback(grpcError(grpc.status.INTERNAL, `apply failed: ${(err as Error).message}`));
          }
        },
      );
    },
    GetStatus(_call, callback) {
      agent.status().then(
        (s) => {
          const status: AmphoraStatus = {
            amphora_id: s.amphoraId,
            applied_version: s.appliedVersion.toString(),
            interfaces: s.interfaces,
            listeners: s.listeners.map(objectStatus),
            pools: s.pools.map(objectStatus),
            members: s.members.map(objectStatus),
            vrrp_state: s.vrrpState,
          };
          callback(null, status);
        },
        (err: unknown) => callback(grpcError(grpc.status.INTERNAL, (err as Error).message)),
      );
    },
    ReleaseMastership(_call, callback) {
      agent.releaseMastership().then(
        (state) => callback(null, { vrrp_state: state }),
        (err: unknown) => {
          if (err instanceof NoVrrpError) {
            callback(grpcError(grpc.status.FAILED_PRECONDITION, err.message));
          } else {
            log.error('grpc-release-mastership-failed', errorFields(err));
            callback(grpcError(grpc.status.INTERNAL, `release failed: ${(err as Error).message}`));
          }
        },
      );
    },
    // Declared in the contract; this build has no certificate rotation yet.
    RotateCertificate(_call, callback) {
      callback(grpcError(grpc.status.UNIMPLEMENTED, 'RotateCertificate: not supported by this agent'));
    },
  };
}

/** Listen on `address` ("IP:PORT", "unix:/path"); mTLS when `tls` is given. Resolves to the bound port. */
export async function startAgentServer(
  agent: Agent,
  address: string,
  tls: TlsFiles | null,
  log: Logger,
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(agentProto().velox.agent.v1.AmphoraAgent.service, agentHandlers(agent, log));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, serverCredentials(tls), (err, p) => (err ? reject(err) : resolve(p)));
  });
  log.info('grpc-listening', { address, port, tls: tls !== null });
  return { server, port };
}

export function stopServer(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.forceShutdown(), 2000);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
