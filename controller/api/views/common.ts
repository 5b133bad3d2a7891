// Pieces shared by the resource views: the columns every Octavia object has, and
// JSON columns read back.
import type { FieldMap } from '../list-helper.js';

export interface IdRef {
  id: string;
}

export function ids(list: string[]): IdRef[] {
  return list.map((id) => ({ id }));
}

export function jsonArray(text: string): string[] {
  const v: unknown = JSON.parse(text);
  return Array.isArray(v) ? v.map(String) : [];
}

/** Attributes of every resource, for filters and sorting. */
export const commonFields: FieldMap = {
  id: { column: 'id', kind: 'text' },
  name: { column: 'name', kind: 'text' },
  description: { column: 'description', kind: 'text' },
  provisioning_status: { column: 'provisioning_status', kind: 'text' },
  operating_status: { column: 'operating_status', kind: 'text' },
  admin_state_up: { column: 'enabled', kind: 'bool' },
  project_id: { column: 'project_id', kind: 'text' },
  created_at: { column: 'created_at', kind: 'text' },
  updated_at: { column: 'updated_at', kind: 'text' },
};
