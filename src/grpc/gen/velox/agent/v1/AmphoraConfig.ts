// Original file: proto/amphora_agent.proto

import type { Interface as _velox_agent_v1_Interface, Interface__Output as _velox_agent_v1_Interface__Output } from '../../../velox/agent/v1/Interface.js';
import type { Listener as _velox_agent_v1_Listener, Listener__Output as _velox_agent_v1_Listener__Output } from '../../../velox/agent/v1/Listener.js';
import type { Pool as _velox_agent_v1_Pool, Pool__Output as _velox_agent_v1_Pool__Output } from '../../../velox/agent/v1/Pool.js';
import type { Heartbeat as _velox_agent_v1_Heartbeat, Heartbeat__Output as _velox_agent_v1_Heartbeat__Output } from '../../../velox/agent/v1/Heartbeat.js';
import type { DataPlane as _velox_agent_v1_DataPlane, DataPlane__Output as _velox_agent_v1_DataPlane__Output } from '../../../velox/agent/v1/DataPlane.js';
import type { Vrrp as _velox_agent_v1_Vrrp, Vrrp__Output as _velox_agent_v1_Vrrp__Output } from '../../../velox/agent/v1/Vrrp.js';
import type { Long } from '@grpc/proto-loader';

export interface AmphoraConfig {
  'version'?: (number | string | Long);
  'amphora_id'?: (string);
  'loadbalancer_id'?: (string);
  'interfaces'?: (_velox_agent_v1_Interface)[];
  'listeners'?: (_velox_agent_v1_Listener)[];
  'pools'?: (_velox_agent_v1_Pool)[];
  'heartbeat'?: (_velox_agent_v1_Heartbeat | null);
  'dataplane'?: (_velox_agent_v1_DataPlane | null);
  'vrrp'?: (_velox_agent_v1_Vrrp | null);
}

export interface AmphoraConfig__Output {
  'version': (string);
  'amphora_id': (string);
  'loadbalancer_id': (string);
  'interfaces': (_velox_agent_v1_Interface__Output)[];
  'listeners': (_velox_agent_v1_Listener__Output)[];
  'pools': (_velox_agent_v1_Pool__Output)[];
  'heartbeat': (_velox_agent_v1_Heartbeat__Output | null);
  'dataplane': (_velox_agent_v1_DataPlane__Output | null);
  'vrrp': (_velox_agent_v1_Vrrp__Output | null);
}
