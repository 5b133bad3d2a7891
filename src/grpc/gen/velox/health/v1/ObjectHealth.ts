// Original file: proto/health.proto

import type { Long } from '@grpc/proto-loader';

export interface ObjectHealth {
  'id'?: (string);
  'operating_status'?: (string);
  'packets_in'?: (number | string | Long);
  'bytes_in'?: (number | string | Long);
  'packets_out'?: (number | string | Long);
  'bytes_out'?: (number | string | Long);
  'total_connections'?: (number | string | Long);
  'active_connections'?: (number | string | Long);
  'request_errors'?: (number | string | Long);
  'drops'?: ({[key: string]: number | string | Long});
}

export interface ObjectHealth__Output {
  'id': (string);
  'operating_status': (string);
  'packets_in': (string);
  'bytes_in': (string);
  'packets_out': (string);
  'bytes_out': (string);
  'total_connections': (string);
  'active_connections': (string);
  'request_errors': (string);
  'drops': ({[key: string]: string});
}
