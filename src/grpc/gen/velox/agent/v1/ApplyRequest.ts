// Original file: proto/amphora_agent.proto

import type { AmphoraConfig as _velox_agent_v1_AmphoraConfig, AmphoraConfig__Output as _velox_agent_v1_AmphoraConfig__Output } from '../../../velox/agent/v1/AmphoraConfig.js';

export interface ApplyRequest {
  'config'?: (_velox_agent_v1_AmphoraConfig | null);
}

export interface ApplyRequest__Output {
  'config': (_velox_agent_v1_AmphoraConfig__Output | null);
}
