// Original file: proto/amphora_agent.proto


export interface L7Rule {
  'id'?: (string);
  'type'?: (string);
  'compare_type'?: (string);
  'key'?: (string);
  'value'?: (string);
  'invert'?: (boolean);
  'admin_state_up'?: (boolean);
}

export interface L7Rule__Output {
  'id': (string);
  'type': (string);
  'compare_type': (string);
  'key': (string);
  'value': (string);
  'invert': (boolean);
  'admin_state_up': (boolean);
}
