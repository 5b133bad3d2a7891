// Original file: proto/amphora_agent.proto


export interface Listener {
  'id'?: (string);
  'vip_address'?: (string);
  'protocol'?: (string);
  'protocol_port'?: (number);
  'default_pool_id'?: (string);
  'admin_state_up'?: (boolean);
  'connection_limit'?: (number);
}

export interface Listener__Output {
  'id': (string);
  'vip_address': (string);
  'protocol': (string);
  'protocol_port': (number);
  'default_pool_id': (string);
  'admin_state_up': (boolean);
  'connection_limit': (number);
}
