// Original file: proto/amphora_agent.proto

import type { L7Rule as _velox_agent_v1_L7Rule, L7Rule__Output as _velox_agent_v1_L7Rule__Output } from '../../../velox/agent/v1/L7Rule.js';

export interface L7Policy {
  'id'?: (string);
  'action'?: (string);
  'position'?: (number);
  'redirect_pool_id'?: (string);
  'redirect_url'?: (string);
  'redirect_prefix'?: (string);
  'redirect_http_code'?: (number);
  'admin_state_up'?: (boolean);
  'rules'?: (_velox_agent_v1_L7Rule)[];
}

export interface L7Policy__Output {
  'id': (string);
  'action': (string);
  'position': (number);
  'redirect_pool_id': (string);
  'redirect_url': (string);
  'redirect_prefix': (string);
  'redirect_http_code': (number);
  'admin_state_up': (boolean);
  'rules': (_velox_agent_v1_L7Rule__Output)[];
}
