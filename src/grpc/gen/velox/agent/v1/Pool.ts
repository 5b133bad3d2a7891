// Original file: proto/amphora_agent.proto

import type { Member as _velox_agent_v1_Member, Member__Output as _velox_agent_v1_Member__Output } from '../../../velox/agent/v1/Member.js';

export interface Pool {
  'id'?: (string);
  'protocol'?: (string);
  'lb_algorithm'?: (string);
  'admin_state_up'?: (boolean);
  'members'?: (_velox_agent_v1_Member)[];
}

export interface Pool__Output {
  'id': (string);
  'protocol': (string);
  'lb_algorithm': (string);
  'admin_state_up': (boolean);
  'members': (_velox_agent_v1_Member__Output)[];
}
