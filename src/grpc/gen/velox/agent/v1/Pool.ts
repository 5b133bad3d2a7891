// Original file: proto/amphora_agent.proto

import type { Member as _velox_agent_v1_Member, Member__Output as _velox_agent_v1_Member__Output } from '../../../velox/agent/v1/Member.js';
import type { SessionPersistence as _velox_agent_v1_SessionPersistence, SessionPersistence__Output as _velox_agent_v1_SessionPersistence__Output } from '../../../velox/agent/v1/SessionPersistence.js';
import type { HealthMonitor as _velox_agent_v1_HealthMonitor, HealthMonitor__Output as _velox_agent_v1_HealthMonitor__Output } from '../../../velox/agent/v1/HealthMonitor.js';
import type { TlsCertificate as _velox_agent_v1_TlsCertificate, TlsCertificate__Output as _velox_agent_v1_TlsCertificate__Output } from '../../../velox/agent/v1/TlsCertificate.js';

export interface Pool {
  'id'?: (string);
  'protocol'?: (string);
  'lb_algorithm'?: (string);
  'admin_state_up'?: (boolean);
  'members'?: (_velox_agent_v1_Member)[];
  'session_persistence'?: (_velox_agent_v1_SessionPersistence | null);
  'health_monitor'?: (_velox_agent_v1_HealthMonitor | null);
  'tls_enabled'?: (boolean);
  'tls_certificate'?: (_velox_agent_v1_TlsCertificate | null);
  'ca_pem'?: (string);
  'crl_pem'?: (string);
  'tls_ciphers'?: (string);
  'tls_versions'?: (string)[];
  'alpn_protocols'?: (string)[];
}

export interface Pool__Output {
  'id': (string);
  'protocol': (string);
  'lb_algorithm': (string);
  'admin_state_up': (boolean);
  'members': (_velox_agent_v1_Member__Output)[];
  'session_persistence': (_velox_agent_v1_SessionPersistence__Output | null);
  'health_monitor': (_velox_agent_v1_HealthMonitor__Output | null);
  'tls_enabled': (boolean);
  'tls_certificate': (_velox_agent_v1_TlsCertificate__Output | null);
  'ca_pem': (string);
  'crl_pem': (string);
  'tls_ciphers': (string);
  'tls_versions': (string)[];
  'alpn_protocols': (string)[];
}
