// Original file: proto/amphora_agent.proto

import type { Long } from '@grpc/proto-loader';

export interface ApplyResponse {
  'applied_version'?: (number | string | Long);
  'unchanged'?: (boolean);
}

export interface ApplyResponse__Output {
  'applied_version': (string);
  'unchanged': (boolean);
}
