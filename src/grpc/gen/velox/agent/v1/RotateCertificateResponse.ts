// Original file: proto/amphora_agent.proto


export interface RotateCertificateResponse {
  'not_after'?: (string);
}

export interface RotateCertificateResponse__Output {
  'not_after': (string);
}
