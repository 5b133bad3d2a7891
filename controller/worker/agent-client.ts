// The controller's client of one amphora agent: AmphoraAgent over mTLS (the
// controller's certificate, the CA as the only trusted root), a deadline on every call.
import * as grpc from '@grpc/grpc-js';
import type { AmphoraAgentClient } from '../../src/grpc/gen/velox/agent/v1/AmphoraAgent.js';
import type { AmphoraConfig } from '../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { AmphoraStatus__Output } from '../../src/grpc/gen/velox/agent/v1/AmphoraStatus.js';
import type { ApplyResponse__Output } from '../../src/grpc/gen/velox/agent/v1/ApplyResponse.js';
import type { ReleaseMastershipResponse__Output } from '../../src/grpc/gen/velox/agent/v1/ReleaseMastershipResponse.js';
import { agentProto } from './protos.js';

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export class AgentClient {
  private readonly client: AmphoraAgentClient;

  constructor(
    readonly target: string,
    tls: TlsMaterial,
    /** The name the agent's certificate must carry (its amphora id, a DNS SAN); when
     * absent the target's IP is checked against the IP SANs. */
    serverName?: string,
    private readonly deadlineMs = 10_000,
  ) {
    const creds = grpc.credentials.createSsl(
      Buffer.from(tls.caPem),
      Buffer.from(tls.keyPem),
      Buffer.from(tls.certPem),
    );
    const Client = agentProto().velox.agent.v1.AmphoraAgent;
    // Fail fast instead of queueing while the agent is not up yet: the worker polls.
    this.client = new Client(target, creds, {
      'grpc.initial_reconnect_backoff_ms': 200,
      // Verify by name rather than by IP: it also proves the agent is the amphora we mean.
      ...(serverName
        ? { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName }
        : {}),
    });
  }

  getStatus(deadlineMs = this.deadlineMs): Promise<AmphoraStatus__Output> {
    return new Promise((resolve, reject) =>
      this.client.GetStatus({}, { deadline: Date.now() + deadlineMs }, (err, res) =>
        err ? reject(err) : resolve(res!),
      ),
    );
  }

  apply(config: AmphoraConfig, deadlineMs = this.deadlineMs): Promise<ApplyResponse__Output> {
    return new Promise((resolve, reject) =>
      this.client.Apply({ config }, { deadline: Date.now() + deadlineMs }, (err, res) =>
        err ? reject(err) : resolve(res!),
      ),
    );
  }

  releaseMastership(deadlineMs = this.deadlineMs): Promise<ReleaseMastershipResponse__Output> {
    return new Promise((resolve, reject) =>
      this.client.ReleaseMastership({}, { deadline: Date.now() + deadlineMs }, (err, res) =>
        err ? reject(err) : resolve(res!),
      ),
    );
  }

  close(): void {
    this.client.close();
  }
}
