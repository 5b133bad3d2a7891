// Original file: proto/amphora_agent.proto


export interface DataPlane {
  'generic_xdp'?: (boolean);
  'snat_port_min'?: (number);
  'snat_port_max'?: (number);
  'tcp_closing_timeout_ms'?: (number);
}

export interface DataPlane__Output {
  'generic_xdp': (boolean);
  'snat_port_min': (number);
  'snat_port_max': (number);
  'tcp_closing_timeout_ms': (number);
}
