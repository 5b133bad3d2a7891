// Member row -> Octavia's MemberResponse.
import type { MemberRow } from '../../db/member-repo.js';
import type { FieldMap } from '../list-helper.js';
import { commonAttributes, commonFields, type CommonView } from './common.js';

export interface MemberView extends CommonView {
  address: string;
  protocol_port: number;
  weight: number;
  backup: boolean;
  subnet_id: string | null;
  monitor_address: string | null;
  monitor_port: number | null;
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
    ...commonAttributes(row),
    address: row.address,
    protocol_port: row.protocol_port,
    weight: row.weight,
    backup: row.backup === 1,
    subnet_id: row.subnet_id,
    monitor_address: row.monitor_address,
    monitor_port: row.monitor_port,
  };
}
