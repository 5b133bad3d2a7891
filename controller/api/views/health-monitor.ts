// Health monitor row -> Octavia's HealthMonitorResponse (max_retries and
// max_retries_down are the rise and fall thresholds; no description).
import type { HealthMonitorRow } from '../../db/health-monitor-repo.js';
import type { FieldMap } from '../list-helper.js';
import { commonAttributes, commonFields, type CommonView, type IdRef } from './common.js';

export interface HealthMonitorView extends CommonView {
  type: string;
  delay: number;
  timeout: number;
  max_retries: number;
  max_retries_down: number;
  http_method: string | null;
  url_path: string | null;
  expected_codes: string | null;
  http_version: number | null;
  domain_name: string | null;
  pools: IdRef[];
}

const { description: _description, ...withoutDescription } = commonFields;

export const healthMonitorFields: FieldMap = {
  ...withoutDescription,
  pool_id: { column: 'pool_id', kind: 'text' },
  type: { column: 'type', kind: 'text' },
  delay: { column: 'delay', kind: 'int' },
  timeout: { column: 'timeout', kind: 'int' },
  max_retries: { column: 'rise_threshold', kind: 'int' },
  max_retries_down: { column: 'fall_threshold', kind: 'int' },
  http_method: { column: 'http_method', kind: 'text' },
  url_path: { column: 'url_path', kind: 'text' },
  expected_codes: { column: 'expected_codes', kind: 'text' },
  domain_name: { column: 'domain_name', kind: 'text' },
};

export function healthMonitorView(row: HealthMonitorRow): HealthMonitorView {
  return {
    ...commonAttributes(row),
    type: row.type,
    delay: row.delay,
    timeout: row.timeout,
    max_retries: row.rise_threshold,
    max_retries_down: row.fall_threshold,
    http_method: row.http_method,
    url_path: row.url_path,
    expected_codes: row.expected_codes,
    http_version: row.http_version,
    domain_name: row.domain_name,
    pools: [{ id: row.pool_id }],
  };
}
