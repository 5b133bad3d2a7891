// Original file: proto/amphora_agent.proto


export interface Member {
  'id'?: (string);
  'address'?: (string);
  'protocol_port'?: (number);
  'weight'?: (number);
  'admin_state_up'?: (boolean);
  'backup'?: (boolean);
  'monitor_address'?: (string);
  'monitor_port'?: (number);
}

export interface Member__Output {
  'id': (string);
  'address': (string);
  'protocol_port': (number);
  'weight': (number);
  'admin_state_up': (boolean);
  'backup': (boolean);
  'monitor_address': (string);
  'monitor_port': (number);
}
