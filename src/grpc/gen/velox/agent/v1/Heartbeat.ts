// Original file: proto/amphora_agent.proto


export interface Heartbeat {
  'target'?: (string);
  'interval_ms'?: (number);
}

export interface Heartbeat__Output {
  'target': (string);
  'interval_ms': (number);
}
