// Original file: proto/amphora_agent.proto

import type { TlsCertificate as _velox_agent_v1_TlsCertificate, TlsCertificate__Output as _velox_agent_v1_TlsCertificate__Output } from '../../../velox/agent/v1/TlsCertificate.js';
import type { Hsts as _velox_agent_v1_Hsts, Hsts__Output as _velox_agent_v1_Hsts__Output } from '../../../velox/agent/v1/Hsts.js';
import type { L7Policy as _velox_agent_v1_L7Policy, L7Policy__Output as _velox_agent_v1_L7Policy__Output } from '../../../velox/agent/v1/L7Policy.js';

export interface Listener {
  'id'?: (string);
  'vip_address'?: (string);
  'protocol'?: (string);
  'protocol_port'?: (number);
  'default_pool_id'?: (string);
  'admin_state_up'?: (boolean);
  'connection_limit'?: (number);
  'allowed_cidrs'?: (string)[];
  'timeout_client_data'?: (number);
  'timeout_member_connect'?: (number);
  'timeout_member_data'?: (number);
  'timeout_tcp_inspect'?: (number);
  'insert_headers'?: ({[key: string]: string});
  'default_tls'?: (_velox_agent_v1_TlsCertificate | null);
  'sni_tls'?: (_velox_agent_v1_TlsCertificate)[];
  'client_authentication'?: (string);
  'client_ca_pem'?: (string);
  'client_crl_pem'?: (string);
  'tls_ciphers'?: (string);
  'tls_versions'?: (string)[];
  'alpn_protocols'?: (string)[];
  'hsts'?: (_velox_agent_v1_Hsts | null);
  'l7policies'?: (_velox_agent_v1_L7Policy)[];
}

export interface Listener__Output {
  'id': (string);
  'vip_address': (string);
  'protocol': (string);
  'protocol_port': (number);
  'default_pool_id': (string);
  'admin_state_up': (boolean);
  'connection_limit': (number);
  'allowed_cidrs': (string)[];
  'timeout_client_data': (number);
  'timeout_member_connect': (number);
  'timeout_member_data': (number);
  'timeout_tcp_inspect': (number);
  'insert_headers': ({[key: string]: string});
  'default_tls': (_velox_agent_v1_TlsCertificate__Output | null);
  'sni_tls': (_velox_agent_v1_TlsCertificate__Output)[];
  'client_authentication': (string);
  'client_ca_pem': (string);
  'client_crl_pem': (string);
  'tls_ciphers': (string);
  'tls_versions': (string)[];
  'alpn_protocols': (string)[];
  'hsts': (_velox_agent_v1_Hsts__Output | null);
  'l7policies': (_velox_agent_v1_L7Policy__Output)[];
}
