// Original file: proto/amphora_agent.proto

import type { FloatingAddress as _velox_agent_v1_FloatingAddress, FloatingAddress__Output as _velox_agent_v1_FloatingAddress__Output } from '../../../velox/agent/v1/FloatingAddress.js';
import type { FlowSync as _velox_agent_v1_FlowSync, FlowSync__Output as _velox_agent_v1_FlowSync__Output } from '../../../velox/agent/v1/FlowSync.js';

export interface Vrrp {
  'initial_role'?: (string);
  'vrrp_id'?: (number);
  'priority'?: (number);
  'interface'?: (string);
  'vrrp_ip'?: (string);
  'peer_ips'?: (string)[];
  'floating'?: (_velox_agent_v1_FloatingAddress)[];
  'advert_int'?: (number);
  'check_interval'?: (number);
  'fail_count'?: (number);
  'success_count'?: (number);
  'garp_refresh_interval'?: (number);
  'auth_pass'?: (string);
  'flow_sync'?: (_velox_agent_v1_FlowSync | null);
}

export interface Vrrp__Output {
  'initial_role': (string);
  'vrrp_id': (number);
  'priority': (number);
  'interface': (string);
  'vrrp_ip': (string);
  'peer_ips': (string)[];
  'floating': (_velox_agent_v1_FloatingAddress__Output)[];
  'advert_int': (number);
  'check_interval': (number);
  'fail_count': (number);
  'success_count': (number);
  'garp_refresh_interval': (number);
  'auth_pass': (string);
  'flow_sync': (_velox_agent_v1_FlowSync__Output | null);
}
