// Original file: proto/health.proto

import type { ObjectHealth as _velox_health_v1_ObjectHealth, ObjectHealth__Output as _velox_health_v1_ObjectHealth__Output } from '../../../velox/health/v1/ObjectHealth.js';
import type { Long } from '@grpc/proto-loader';

export interface HeartbeatRequest {
  'amphora_id'?: (string);
  'applied_version'?: (number | string | Long);
  'sequence'?: (number | string | Long);
  'listeners'?: (_velox_health_v1_ObjectHealth)[];
  'pools'?: (_velox_health_v1_ObjectHealth)[];
  'members'?: (_velox_health_v1_ObjectHealth)[];
  'vrrp_state'?: (string);
}

export interface HeartbeatRequest__Output {
  'amphora_id': (string);
  'applied_version': (string);
  'sequence': (string);
  'listeners': (_velox_health_v1_ObjectHealth__Output)[];
  'pools': (_velox_health_v1_ObjectHealth__Output)[];
  'members': (_velox_health_v1_ObjectHealth__Output)[];
  'vrrp_state': (string);
}
