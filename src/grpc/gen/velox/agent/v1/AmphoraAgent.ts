// Original file: proto/amphora_agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AmphoraStatus as _velox_agent_v1_AmphoraStatus, AmphoraStatus__Output as _velox_agent_v1_AmphoraStatus__Output } from '../../../velox/agent/v1/AmphoraStatus.js';
import type { ApplyRequest as _velox_agent_v1_ApplyRequest, ApplyRequest__Output as _velox_agent_v1_ApplyRequest__Output } from '../../../velox/agent/v1/ApplyRequest.js';
import type { ApplyResponse as _velox_agent_v1_ApplyResponse, ApplyResponse__Output as _velox_agent_v1_ApplyResponse__Output } from '../../../velox/agent/v1/ApplyResponse.js';
import type { GetStatusRequest as _velox_agent_v1_GetStatusRequest, GetStatusRequest__Output as _velox_agent_v1_GetStatusRequest__Output } from '../../../velox/agent/v1/GetStatusRequest.js';
import type { ReleaseMastershipRequest as _velox_agent_v1_ReleaseMastershipRequest, ReleaseMastershipRequest__Output as _velox_agent_v1_ReleaseMastershipRequest__Output } from '../../../velox/agent/v1/ReleaseMastershipRequest.js';
import type { ReleaseMastershipResponse as _velox_agent_v1_ReleaseMastershipResponse, ReleaseMastershipResponse__Output as _velox_agent_v1_ReleaseMastershipResponse__Output } from '../../../velox/agent/v1/ReleaseMastershipResponse.js';
import type { RotateCertificateRequest as _velox_agent_v1_RotateCertificateRequest, RotateCertificateRequest__Output as _velox_agent_v1_RotateCertificateRequest__Output } from '../../../velox/agent/v1/RotateCertificateRequest.js';
import type { RotateCertificateResponse as _velox_agent_v1_RotateCertificateResponse, RotateCertificateResponse__Output as _velox_agent_v1_RotateCertificateResponse__Output } from '../../../velox/agent/v1/RotateCertificateResponse.js';

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
  
  ReleaseMastership(argument: _velox_agent_v1_ReleaseMastershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_ReleaseMastershipResponse__Output>): grpc.ClientUnaryCall;
  ReleaseMastership(argument: _velox_agent_v1_ReleaseMastershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_velox_agent_v1_ReleaseMastershipResponse__Output>): grpc.ClientUnaryCall;
  ReleaseMastership(argument: _velox_agent_v1_ReleaseMastershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_ReleaseMastershipResponse__Output>): grpc.ClientUnaryCall;
  ReleaseMastership(argument: _velox_agent_v1_ReleaseMastershipRequest, callback: grpc.requestCallback<_velox_agent_v1_ReleaseMastershipResponse__Output>): grpc.ClientUnaryCall;
  releaseMastership(argument: _velox_agent_v1_ReleaseMastershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_ReleaseMastershipResponse__Output>): grpc.ClientUnaryCall;
  releaseMastership(argument: _velox_agent_v1_ReleaseMastershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_velox_agent_v1_ReleaseMastershipResponse__Output>): grpc.ClientUnaryCall;
  releaseMastership(argument: _velox_agent_v1_ReleaseMastershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_ReleaseMastershipResponse__Output>): grpc.ClientUnaryCall;
  releaseMastership(argument: _velox_agent_v1_ReleaseMastershipRequest, callback: grpc.requestCallback<_velox_agent_v1_ReleaseMastershipResponse__Output>): grpc.ClientUnaryCall;
  
  RotateCertificate(argument: _velox_agent_v1_RotateCertificateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_RotateCertificateResponse__Output>): grpc.ClientUnaryCall;
  RotateCertificate(argument: _velox_agent_v1_RotateCertificateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_velox_agent_v1_RotateCertificateResponse__Output>): grpc.ClientUnaryCall;
  RotateCertificate(argument: _velox_agent_v1_RotateCertificateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_RotateCertificateResponse__Output>): grpc.ClientUnaryCall;
  RotateCertificate(argument: _velox_agent_v1_RotateCertificateRequest, callback: grpc.requestCallback<_velox_agent_v1_RotateCertificateResponse__Output>): grpc.ClientUnaryCall;
  rotateCertificate(argument: _velox_agent_v1_RotateCertificateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_RotateCertificateResponse__Output>): grpc.ClientUnaryCall;
  rotateCertificate(argument: _velox_agent_v1_RotateCertificateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_velox_agent_v1_RotateCertificateResponse__Output>): grpc.ClientUnaryCall;
  rotateCertificate(argument: _velox_agent_v1_RotateCertificateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_velox_agent_v1_RotateCertificateResponse__Output>): grpc.ClientUnaryCall;
  rotateCertificate(argument: _velox_agent_v1_RotateCertificateRequest, callback: grpc.requestCallback<_velox_agent_v1_RotateCertificateResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AmphoraAgentHandlers extends grpc.UntypedServiceImplementation {
  Apply: grpc.handleUnaryCall<_velox_agent_v1_ApplyRequest__Output, _velox_agent_v1_ApplyResponse>;
  
  GetStatus: grpc.handleUnaryCall<_velox_agent_v1_GetStatusRequest__Output, _velox_agent_v1_AmphoraStatus>;
  
  ReleaseMastership: grpc.handleUnaryCall<_velox_agent_v1_ReleaseMastershipRequest__Output, _velox_agent_v1_ReleaseMastershipResponse>;
  
  RotateCertificate: grpc.handleUnaryCall<_velox_agent_v1_RotateCertificateRequest__Output, _velox_agent_v1_RotateCertificateResponse>;
  
}

export interface AmphoraAgentDefinition extends grpc.ServiceDefinition {
  Apply: MethodDefinition<_velox_agent_v1_ApplyRequest, _velox_agent_v1_ApplyResponse, _velox_agent_v1_ApplyRequest__Output, _velox_agent_v1_ApplyResponse__Output>
  GetStatus: MethodDefinition<_velox_agent_v1_GetStatusRequest, _velox_agent_v1_AmphoraStatus, _velox_agent_v1_GetStatusRequest__Output, _velox_agent_v1_AmphoraStatus__Output>
  ReleaseMastership: MethodDefinition<_velox_agent_v1_ReleaseMastershipRequest, _velox_agent_v1_ReleaseMastershipResponse, _velox_agent_v1_ReleaseMastershipRequest__Output, _velox_agent_v1_ReleaseMastershipResponse__Output>
  RotateCertificate: MethodDefinition<_velox_agent_v1_RotateCertificateRequest, _velox_agent_v1_RotateCertificateResponse, _velox_agent_v1_RotateCertificateRequest__Output, _velox_agent_v1_RotateCertificateResponse__Output>
}
