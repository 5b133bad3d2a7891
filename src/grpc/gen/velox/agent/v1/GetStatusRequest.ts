// Original file: proto/amphora_agent.proto


export interface GetStatusRequest {
}

export interface GetStatusRequest__Output {
}
