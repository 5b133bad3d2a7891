// Original file: proto/amphora_agent.proto


export interface TlsCertificate {
  'ref'?: (string);
  'certificate_pem'?: (string);
  'private_key_pem'?: (string);
  'intermediates_pem'?: (string)[];
}

export interface TlsCertificate__Output {
  'ref': (string);
  'certificate_pem': (string);
  'private_key_pem': (string);
  'intermediates_pem': (string)[];
}
