// Original file: proto/amphora_agent.proto


export interface ReleaseMastershipResponse {
  'vrrp_state'?: (string);
}

export interface ReleaseMastershipResponse__Output {
  'vrrp_state': (string);
}
