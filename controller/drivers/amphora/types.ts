// The amphora driver: how the worker talks to the agent of one amphora (Octavia's
// amphorae/drivers). The real one is gRPC over mTLS (worker/agent-client.ts); the no-op
// one (noop.ts) answers at once and builds nothing.
import type { AmphoraConfig } from '../../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { AmphoraStatus__Output } from '../../../src/grpc/gen/velox/agent/v1/AmphoraStatus.js';
import type { ApplyResponse__Output } from '../../../src/grpc/gen/velox/agent/v1/ApplyResponse.js';
import type { ReleaseMastershipResponse__Output } from '../../../src/grpc/gen/velox/agent/v1/ReleaseMastershipResponse.js';

import type { TlsMaterial } from '../../worker/agent-client.js';

export type { TlsMaterial };

/** One amphora's agent, as the flow steps use it. */
export interface AmphoraAgentApi {
  /** Where it is reached ("IP:PORT"), for messages. */
  readonly target: string;
  getStatus(deadlineMs?: number): Promise<AmphoraStatus__Output>;
  /** Pushes the whole desired config; an older version than the applied one is refused. */
  apply(config: AmphoraConfig, deadlineMs?: number): Promise<ApplyResponse__Output>;
  /** ACTIVE_STANDBY, planned failover: keepalived leaves; resolves once no floating address is held. */
  releaseMastership(deadlineMs?: number): Promise<ReleaseMastershipResponse__Output>;
  close(): void;
}

export interface AmphoraDriver {
  /** A client of the agent of `amphoraId` at `target`, authenticated with `tls`. */
  connect(target: string, tls: TlsMaterial, amphoraId: string): AmphoraAgentApi;
}
