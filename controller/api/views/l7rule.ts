// L7 rule row -> Octavia's L7RuleResponse (no name or description).
import type { L7RuleRow } from '../../db/l7-repo.js';
import type { FieldMap } from '../list-helper.js';
import { commonAttributes, commonFields, type CommonView } from './common.js';

export type L7RuleView = Omit<CommonView, 'name'> & {
  type: string;
  compare_type: string;
  key: string | null;
  value: string;
  invert: boolean;
};

const { name: _name, description: _description, ...withoutNames } = commonFields;

export const l7RuleFields: FieldMap = {
  ...withoutNames,
  type: { column: 'type', kind: 'text' },
  compare_type: { column: 'compare_type', kind: 'text' },
  key: { column: 'key', kind: 'text' },
  value: { column: 'value', kind: 'text' },
  invert: { column: 'invert', kind: 'bool' },
  // Not rendered, but a filter Octavia takes (a model column): openstacksdk's l7_rules()
  // sends ?l7policy_id= along with the policy in the path.
  l7policy_id: { column: 'l7policy_id', kind: 'text' },
};

export function l7RuleView(row: L7RuleRow): L7RuleView {
  const { name: _n, ...common } = commonAttributes({ ...row, name: '' });
  return {
    ...common,
    type: row.type,
    compare_type: row.compare_type,
    key: row.key,
    value: row.value,
    invert: row.invert === 1,
  };
}
