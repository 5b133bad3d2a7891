// The real amphora driver: the agent's AmphoraAgent service over mTLS.
import { AgentClient } from '../../worker/agent-client.js';
import type { AmphoraDriver } from './types.js';

export const grpcAmphoraDriver: AmphoraDriver = {
  connect: (target, tls, amphoraId) => new AgentClient(target, tls, amphoraId),
};
