// L7 policy row -> Octavia's L7PolicyResponse (rules as id references, in creation order).
import type { L7PolicyRow } from '../../db/l7-repo.js';
import type { FieldMap } from '../list-helper.js';
import { commonAttributes, commonFields, ids, type CommonView, type IdRef } from './common.js';

export interface L7PolicyView extends CommonView {
  description: string;
  action: string;
  listener_id: string;
  redirect_pool_id: string | null;
  redirect_url: string | null;
  redirect_prefix: string | null;
  redirect_http_code: number | null;
  position: number;
  rules: IdRef[];
}

export const l7PolicyFields: FieldMap = {
  ...commonFields,
  action: { column: 'action', kind: 'text' },
  listener_id: { column: 'listener_id', kind: 'text' },
  redirect_pool_id: { column: 'redirect_pool_id', kind: 'text' },
  redirect_url: { column: 'redirect_url', kind: 'text' },
  redirect_prefix: { column: 'redirect_prefix', kind: 'text' },
  redirect_http_code: { column: 'redirect_http_code', kind: 'int' },
  position: { column: 'position', kind: 'int' },
};

export function l7PolicyView(row: L7PolicyRow, ruleIds: string[]): L7PolicyView {
  return {
    ...commonAttributes(row),
    description: row.description,
    action: row.action,
    listener_id: row.listener_id,
    redirect_pool_id: row.redirect_pool_id,
    redirect_url: row.redirect_url,
    redirect_prefix: row.redirect_prefix,
    redirect_http_code: row.redirect_http_code,
    position: row.position,
    rules: ids(ruleIds),
  };
}
