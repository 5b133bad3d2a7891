// Original file: proto/health.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartbeatResponse {
  'desired_version'?: (number | string | Long);
}

export interface HeartbeatResponse__Output {
  'desired_version': (string);
}
