// Original file: proto/amphora_agent.proto


export interface ReleaseMastershipRequest {
}

export interface ReleaseMastershipRequest__Output {
}
