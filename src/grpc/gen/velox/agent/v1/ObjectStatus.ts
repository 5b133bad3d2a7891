// Original file: proto/amphora_agent.proto

import type { Counters as _velox_agent_v1_Counters, Counters__Output as _velox_agent_v1_Counters__Output } from '../../../velox/agent/v1/Counters.js';

export interface ObjectStatus {
  'id'?: (string);
  'operating_status'?: (string);
  'counters'?: (_velox_agent_v1_Counters | null);
}

export interface ObjectStatus__Output {
  'id': (string);
  'operating_status': (string);
  'counters': (_velox_agent_v1_Counters__Output | null);
}
