// Original file: proto/amphora_agent.proto

import type { InterfaceStatus as _velox_agent_v1_InterfaceStatus, InterfaceStatus__Output as _velox_agent_v1_InterfaceStatus__Output } from '../../../velox/agent/v1/InterfaceStatus.js';
import type { ObjectStatus as _velox_agent_v1_ObjectStatus, ObjectStatus__Output as _velox_agent_v1_ObjectStatus__Output } from '../../../velox/agent/v1/ObjectStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface AmphoraStatus {
  'amphora_id'?: (string);
  'applied_version'?: (number | string | Long);
  'interfaces'?: (_velox_agent_v1_InterfaceStatus)[];
  'listeners'?: (_velox_agent_v1_ObjectStatus)[];
  'pools'?: (_velox_agent_v1_ObjectStatus)[];
  'members'?: (_velox_agent_v1_ObjectStatus)[];
  'vrrp_state'?: (string);
}

export interface AmphoraStatus__Output {
  'amphora_id': (string);
  'applied_version': (string);
  'interfaces': (_velox_agent_v1_InterfaceStatus__Output)[];
  'listeners': (_velox_agent_v1_ObjectStatus__Output)[];
  'pools': (_velox_agent_v1_ObjectStatus__Output)[];
  'members': (_velox_agent_v1_ObjectStatus__Output)[];
  'vrrp_state': (string);
}
