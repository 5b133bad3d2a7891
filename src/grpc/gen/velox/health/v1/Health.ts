// Original file: proto/health.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { HeartbeatRequest as _velox_health_v1_HeartbeatRequest, HeartbeatRequest__Output as _velox_health_v1_HeartbeatRequest__Output } from '../../../velox/health/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _velox_health_v1_HeartbeatResponse, HeartbeatResponse__Output as _velox_health_v1_HeartbeatResponse__Output } from '../../../velox/health/v1/HeartbeatResponse.js';

export interface HealthClient extends grpc.Client {
  Heartbeat(argument: _velox_health_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_health_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _velox_health_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_velox_health_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _velox_health_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_health_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _velox_health_v1_HeartbeatRequest, callback: grpc.requestCallback<_velox_health_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _velox_health_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_health_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _velox_health_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_velox_health_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _velox_health_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_health_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _velox_health_v1_HeartbeatRequest, callback: grpc.requestCallback<_velox_health_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface HealthHandlers extends grpc.UntypedServiceImplementation {
  Heartbeat: grpc.handleUnaryCall<_velox_health_v1_HeartbeatRequest__Output, _velox_health_v1_HeartbeatResponse>;
  
}

export interface HealthDefinition extends grpc.ServiceDefinition {
  Heartbeat: MethodDefinition<_velox_health_v1_HeartbeatRequest, _velox_health_v1_HeartbeatResponse, _velox_health_v1_HeartbeatRequest__Output, _velox_health_v1_HeartbeatResponse__Output>
}
