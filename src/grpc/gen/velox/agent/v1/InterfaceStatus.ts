// Original file: proto/amphora_agent.proto


export interface InterfaceStatus {
  'name'?: (string);
  'xdp_mode'?: (string);
}

export interface InterfaceStatus__Output {
  'name': (string);
  'xdp_mode': (string);
}
