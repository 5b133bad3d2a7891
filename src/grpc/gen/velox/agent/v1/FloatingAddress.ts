// Original file: proto/amphora_agent.proto


export interface FloatingAddress {
  'interface'?: (string);
  'address'?: (string);
  'snat'?: (boolean);
}

export interface FloatingAddress__Output {
  'interface': (string);
  'address': (string);
  'snat': (boolean);
}
