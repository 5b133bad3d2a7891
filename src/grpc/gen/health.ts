import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { HealthClient as _velox_health_v1_HealthClient, HealthDefinition as _velox_health_v1_HealthDefinition } from './velox/health/v1/Health.js';
import type { HeartbeatRequest as _velox_health_v1_HeartbeatRequest, HeartbeatRequest__Output as _velox_health_v1_HeartbeatRequest__Output } from './velox/health/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _velox_health_v1_HeartbeatResponse, HeartbeatResponse__Output as _velox_health_v1_HeartbeatResponse__Output } from './velox/health/v1/HeartbeatResponse.js';
import type { ObjectHealth as _velox_health_v1_ObjectHealth, ObjectHealth__Output as _velox_health_v1_ObjectHealth__Output } from './velox/health/v1/ObjectHealth.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  velox: {
    health: {
      v1: {
        Health: SubtypeConstructor<typeof grpc.Client, _velox_health_v1_HealthClient> & { service: _velox_health_v1_HealthDefinition }
        HeartbeatRequest: MessageTypeDefinition<_velox_health_v1_HeartbeatRequest, _velox_health_v1_HeartbeatRequest__Output>
        HeartbeatResponse: MessageTypeDefinition<_velox_health_v1_HeartbeatResponse, _velox_health_v1_HeartbeatResponse__Output>
        ObjectHealth: MessageTypeDefinition<_velox_health_v1_ObjectHealth, _velox_health_v1_ObjectHealth__Output>
      }
    }
  }
}

