// Original file: proto/amphora_agent.proto


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
}
