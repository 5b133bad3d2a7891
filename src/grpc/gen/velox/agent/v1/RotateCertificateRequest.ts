// Original file: proto/amphora_agent.proto


export interface RotateCertificateRequest {
  'certificate_pem'?: (string);
  'private_key_pem'?: (string);
}

export interface RotateCertificateRequest__Output {
  'certificate_pem': (string);
  'private_key_pem': (string);
}
