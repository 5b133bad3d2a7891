// Original file: proto/amphora_agent.proto


export interface SessionPersistence {
  'type'?: (string);
  'cookie_name'?: (string);
  'persistence_timeout'?: (number);
  'persistence_granularity'?: (string);
}

export interface SessionPersistence__Output {
  'type': (string);
  'cookie_name': (string);
  'persistence_timeout': (number);
  'persistence_granularity': (string);
}
