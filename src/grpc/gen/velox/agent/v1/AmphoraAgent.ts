// Original file: proto/amphora_agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AmphoraStatus as _velox_agent_v1_AmphoraStatus, AmphoraStatus__Output as _velox_agent_v1_AmphoraStatus__Output } from '../../../velox/agent/v1/AmphoraStatus.js';
import type { ApplyRequest as _velox_agent_v1_ApplyRequest, ApplyRequest__Output as _velox_agent_v1_ApplyRequest__Output } from '../../../velox/agent/v1/ApplyRequest.js';
import type { ApplyResponse as _velox_agent_v1_ApplyResponse, ApplyResponse__Output as _velox_agent_v1_ApplyResponse__Output } from '../../../velox/agent/v1/ApplyResponse.js';
import type { GetStatusRequest as _velox_agent_v1_GetStatusRequest, GetStatusRequest__Output as _velox_agent_v1_GetStatusRequest__Output } from '../../../velox/agent/v1/GetStatusRequest.js';

export interface AmphoraAgentClient extends grpc.Client {
  Apply(argument: _velox_agent_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _velox_agent_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_velox_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _velox_agent_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _velox_agent_v1_ApplyRequest, callback: grpc.requestCallback<_velox_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _velox_agent_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _velox_agent_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_velox_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _velox_agent_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _velox_agent_v1_ApplyRequest, callback: grpc.requestCallback<_velox_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  
  GetStatus(argument: _velox_agent_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_AmphoraStatus__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _velox_agent_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_velox_agent_v1_AmphoraStatus__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _velox_agent_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_AmphoraStatus__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _velox_agent_v1_GetStatusRequest, callback: grpc.requestCallback<_velox_agent_v1_AmphoraStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _velox_agent_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_AmphoraStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _velox_agent_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_velox_agent_v1_AmphoraStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _velox_agent_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_AmphoraStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _velox_agent_v1_GetStatusRequest, callback: grpc.requestCallback<_velox_agent_v1_AmphoraStatus__Output>): grpc.ClientUnaryCall;
  
}

export interface AmphoraAgentHandlers extends grpc.UntypedServiceImplementation {
  Apply: grpc.handleUnaryCall<_velox_agent_v1_ApplyRequest__Output, _velox_agent_v1_ApplyResponse>;
  
  GetStatus: grpc.handleUnaryCall<_velox_agent_v1_GetStatusRequest__Output, _velox_agent_v1_AmphoraStatus>;
  
}

export interface AmphoraAgentDefinition extends grpc.ServiceDefinition {
  Apply: MethodDefinition<_velox_agent_v1_ApplyRequest, _velox_agent_v1_ApplyResponse, _velox_agent_v1_ApplyRequest__Output, _velox_agent_v1_ApplyResponse__Output>
  GetStatus: MethodDefinition<_velox_agent_v1_GetStatusRequest, _velox_agent_v1_AmphoraStatus, _velox_agent_v1_GetStatusRequest__Output, _velox_agent_v1_AmphoraStatus__Output>
}
