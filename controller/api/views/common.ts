// Pieces shared by the resource views: the columns every Octavia object has, and
// JSON columns read back.
import type { FieldMap } from '../list-helper.js';

/** The columns every resource table has (controller/db/migrations: commonColumns). */
export interface CommonRow {
  id: string;
  project_id: string;
  name: string;
  provisioning_status: string;
  operating_status: string;
  enabled: number;
  tags: string;
  created_at: string;
  updated_at: string | null;
}

/** The attributes every resource shows (members have no description). */
export interface CommonView {
  id: string;
  name: string;
  provisioning_status: string;
  operating_status: string;
  admin_state_up: boolean;
  project_id: string;
  tenant_id: string;
  created_at: string;
  updated_at: string | null;
  tags: string[];
}

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

export function commonAttributes(row: CommonRow): CommonView {
  return {
    id: row.id,
    name: row.name,
    provisioning_status: row.provisioning_status,
    operating_status: row.operating_status,
    admin_state_up: row.enabled === 1,
    project_id: row.project_id,
    tenant_id: row.project_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    tags: jsonArray(row.tags),
  };
}
