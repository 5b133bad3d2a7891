// Original file: proto/amphora_agent.proto


export interface FlowSync {
  'peer'?: (string);
  'peer_amphora_id'?: (string);
}

export interface FlowSync__Output {
  'peer': (string);
  'peer_amphora_id': (string);
}
