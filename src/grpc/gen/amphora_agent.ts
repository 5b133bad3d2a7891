import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AmphoraAgentClient as _velox_agent_v1_AmphoraAgentClient, AmphoraAgentDefinition as _velox_agent_v1_AmphoraAgentDefinition } from './velox/agent/v1/AmphoraAgent.js';
import type { AmphoraConfig as _velox_agent_v1_AmphoraConfig, AmphoraConfig__Output as _velox_agent_v1_AmphoraConfig__Output } from './velox/agent/v1/AmphoraConfig.js';
import type { AmphoraStatus as _velox_agent_v1_AmphoraStatus, AmphoraStatus__Output as _velox_agent_v1_AmphoraStatus__Output } from './velox/agent/v1/AmphoraStatus.js';
import type { ApplyRequest as _velox_agent_v1_ApplyRequest, ApplyRequest__Output as _velox_agent_v1_ApplyRequest__Output } from './velox/agent/v1/ApplyRequest.js';
import type { ApplyResponse as _velox_agent_v1_ApplyResponse, ApplyResponse__Output as _velox_agent_v1_ApplyResponse__Output } from './velox/agent/v1/ApplyResponse.js';
import type { Counters as _velox_agent_v1_Counters, Counters__Output as _velox_agent_v1_Counters__Output } from './velox/agent/v1/Counters.js';
import type { DataPlane as _velox_agent_v1_DataPlane, DataPlane__Output as _velox_agent_v1_DataPlane__Output } from './velox/agent/v1/DataPlane.js';
import type { FloatingAddress as _velox_agent_v1_FloatingAddress, FloatingAddress__Output as _velox_agent_v1_FloatingAddress__Output } from './velox/agent/v1/FloatingAddress.js';
import type { FlowSync as _velox_agent_v1_FlowSync, FlowSync__Output as _velox_agent_v1_FlowSync__Output } from './velox/agent/v1/FlowSync.js';
import type { GetStatusRequest as _velox_agent_v1_GetStatusRequest, GetStatusRequest__Output as _velox_agent_v1_GetStatusRequest__Output } from './velox/agent/v1/GetStatusRequest.js';
import type { HealthMonitor as _velox_agent_v1_HealthMonitor, HealthMonitor__Output as _velox_agent_v1_HealthMonitor__Output } from './velox/agent/v1/HealthMonitor.js';
import type { Heartbeat as _velox_agent_v1_Heartbeat, Heartbeat__Output as _velox_agent_v1_Heartbeat__Output } from './velox/agent/v1/Heartbeat.js';
import type { Hsts as _velox_agent_v1_Hsts, Hsts__Output as _velox_agent_v1_Hsts__Output } from './velox/agent/v1/Hsts.js';
import type { Interface as _velox_agent_v1_Interface, Interface__Output as _velox_agent_v1_Interface__Output } from './velox/agent/v1/Interface.js';
import type { InterfaceStatus as _velox_agent_v1_InterfaceStatus, InterfaceStatus__Output as _velox_agent_v1_InterfaceStatus__Output } from './velox/agent/v1/InterfaceStatus.js';
import type { L7Policy as _velox_agent_v1_L7Policy, L7Policy__Output as _velox_agent_v1_L7Policy__Output } from './velox/agent/v1/L7Policy.js';
import type { L7Rule as _velox_agent_v1_L7Rule, L7Rule__Output as _velox_agent_v1_L7Rule__Output } from './velox/agent/v1/L7Rule.js';
import type { Listener as _velox_agent_v1_Listener, Listener__Output as _velox_agent_v1_Listener__Output } from './velox/agent/v1/Listener.js';
import type { Member as _velox_agent_v1_Member, Member__Output as _velox_agent_v1_Member__Output } from './velox/agent/v1/Member.js';
import type { ObjectStatus as _velox_agent_v1_ObjectStatus, ObjectStatus__Output as _velox_agent_v1_ObjectStatus__Output } from './velox/agent/v1/ObjectStatus.js';
import type { Pool as _velox_agent_v1_Pool, Pool__Output as _velox_agent_v1_Pool__Output } from './velox/agent/v1/Pool.js';
import type { ReleaseMastershipRequest as _velox_agent_v1_ReleaseMastershipRequest, ReleaseMastershipRequest__Output as _velox_agent_v1_ReleaseMastershipRequest__Output } from './velox/agent/v1/ReleaseMastershipRequest.js';
import type { ReleaseMastershipResponse as _velox_agent_v1_ReleaseMastershipResponse, ReleaseMastershipResponse__Output as _velox_agent_v1_ReleaseMastershipResponse__Output } from './velox/agent/v1/ReleaseMastershipResponse.js';
import type { RotateCertificateRequest as _velox_agent_v1_RotateCertificateRequest, RotateCertificateRequest__Output as _velox_agent_v1_RotateCertificateRequest__Output } from './velox/agent/v1/RotateCertificateRequest.js';
import type { RotateCertificateResponse as _velox_agent_v1_RotateCertificateResponse, RotateCertificateResponse__Output as _velox_agent_v1_RotateCertificateResponse__Output } from './velox/agent/v1/RotateCertificateResponse.js';
import type { SessionPersistence as _velox_agent_v1_SessionPersistence, SessionPersistence__Output as _velox_agent_v1_SessionPersistence__Output } from './velox/agent/v1/SessionPersistence.js';
import type { TlsCertificate as _velox_agent_v1_TlsCertificate, TlsCertificate__Output as _velox_agent_v1_TlsCertificate__Output } from './velox/agent/v1/TlsCertificate.js';
import type { Vrrp as _velox_agent_v1_Vrrp, Vrrp__Output as _velox_agent_v1_Vrrp__Output } from './velox/agent/v1/Vrrp.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  velox: {
    agent: {
      v1: {
        AmphoraAgent: SubtypeConstructor<typeof grpc.Client, _velox_agent_v1_AmphoraAgentClient> & { service: _velox_agent_v1_AmphoraAgentDefinition }
        AmphoraConfig: MessageTypeDefinition<_velox_agent_v1_AmphoraConfig, _velox_agent_v1_AmphoraConfig__Output>
        AmphoraStatus: MessageTypeDefinition<_velox_agent_v1_AmphoraStatus, _velox_agent_v1_AmphoraStatus__Output>
        ApplyRequest: MessageTypeDefinition<_velox_agent_v1_ApplyRequest, _velox_agent_v1_ApplyRequest__Output>
        ApplyResponse: MessageTypeDefinition<_velox_agent_v1_ApplyResponse, _velox_agent_v1_ApplyResponse__Output>
        Counters: MessageTypeDefinition<_velox_agent_v1_Counters, _velox_agent_v1_Counters__Output>
        DataPlane: MessageTypeDefinition<_velox_agent_v1_DataPlane, _velox_agent_v1_DataPlane__Output>
        FloatingAddress: MessageTypeDefinition<_velox_agent_v1_FloatingAddress, _velox_agent_v1_FloatingAddress__Output>
        FlowSync: MessageTypeDefinition<_velox_agent_v1_FlowSync, _velox_agent_v1_FlowSync__Output>
        GetStatusRequest: MessageTypeDefinition<_velox_agent_v1_GetStatusRequest, _velox_agent_v1_GetStatusRequest__Output>
        HealthMonitor: MessageTypeDefinition<_velox_agent_v1_HealthMonitor, _velox_agent_v1_HealthMonitor__Output>
        Heartbeat: MessageTypeDefinition<_velox_agent_v1_Heartbeat, _velox_agent_v1_Heartbeat__Output>
        Hsts: MessageTypeDefinition<_velox_agent_v1_Hsts, _velox_agent_v1_Hsts__Output>
        Interface: MessageTypeDefinition<_velox_agent_v1_Interface, _velox_agent_v1_Interface__Output>
        InterfaceStatus: MessageTypeDefinition<_velox_agent_v1_InterfaceStatus, _velox_agent_v1_InterfaceStatus__Output>
        L7Policy: MessageTypeDefinition<_velox_agent_v1_L7Policy, _velox_agent_v1_L7Policy__Output>
        L7Rule: MessageTypeDefinition<_velox_agent_v1_L7Rule, _velox_agent_v1_L7Rule__Output>
        Listener: MessageTypeDefinition<_velox_agent_v1_Listener, _velox_agent_v1_Listener__Output>
        Member: MessageTypeDefinition<_velox_agent_v1_Member, _velox_agent_v1_Member__Output>
        ObjectStatus: MessageTypeDefinition<_velox_agent_v1_ObjectStatus, _velox_agent_v1_ObjectStatus__Output>
        Pool: MessageTypeDefinition<_velox_agent_v1_Pool, _velox_agent_v1_Pool__Output>
        ReleaseMastershipRequest: MessageTypeDefinition<_velox_agent_v1_ReleaseMastershipRequest, _velox_agent_v1_ReleaseMastershipRequest__Output>
        ReleaseMastershipResponse: MessageTypeDefinition<_velox_agent_v1_ReleaseMastershipResponse, _velox_agent_v1_ReleaseMastershipResponse__Output>
        RotateCertificateRequest: MessageTypeDefinition<_velox_agent_v1_RotateCertificateRequest, _velox_agent_v1_RotateCertificateRequest__Output>
        RotateCertificateResponse: MessageTypeDefinition<_velox_agent_v1_RotateCertificateResponse, _velox_agent_v1_RotateCertificateResponse__Output>
        SessionPersistence: MessageTypeDefinition<_velox_agent_v1_SessionPersistence, _velox_agent_v1_SessionPersistence__Output>
        TlsCertificate: MessageTypeDefinition<_velox_agent_v1_TlsCertificate, _velox_agent_v1_TlsCertificate__Output>
        Vrrp: MessageTypeDefinition<_velox_agent_v1_Vrrp, _velox_agent_v1_Vrrp__Output>
      }
    }
  }
}

