// Member row -> Octavia's MemberResponse.
import type { MemberRow } from '../../db/member-repo.js';
import type { FieldMap } from '../list-helper.js';
import { commonFields, jsonArray } from './common.js';

export interface MemberView {
  id: string;
  name: string;
  operating_status: string;
  provisioning_status: string;
  admin_state_up: boolean;
  address: string;
  protocol_port: number;
  weight: number;
  backup: boolean;
  subnet_id: string | null;
  project_id: string;
  tenant_id: string;
  created_at: string;
  updated_at: string | null;
  monitor_address: string | null;
  monitor_port: number | null;
  tags: string[];
}

export const memberFields: FieldMap = {
  ...commonFields,
  address: { column: 'address', kind: 'text' },
  protocol_port: { column: 'protocol_port', kind: 'int' },
  weight: { column: 'weight', kind: 'int' },
  backup: { column: 'backup', kind: 'bool' },
  subnet_id: { column: 'subnet_id', kind: 'text' },
  monitor_address: { column: 'monitor_address', kind: 'text' },
  monitor_port: { column: 'monitor_port', kind: 'int' },
};

export function memberView(row: MemberRow): MemberView {
  return {
    id: row.id,
    name: row.name,
    operating_status: row.operating_status,
    provisioning_status: row.provisioning_status,
    admin_state_up: row.enabled === 1,
    address: row.address,
    protocol_port: row.protocol_port,
    weight: row.weight,
    backup: row.backup === 1,
    subnet_id: row.subnet_id,
    project_id: row.project_id,
    tenant_id: row.project_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    monitor_address: row.monitor_address,
    monitor_port: row.monitor_port,
    tags: jsonArray(row.tags),
  };
}
