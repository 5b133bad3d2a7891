// Flavor row -> Octavia's FlavorResponse.
import type { FlavorRow } from '../../db/flavor-repo.js';
import type { FieldMap } from '../list-helper.js';

export interface FlavorView {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  flavor_profile_id: string;
}

export const flavorFields: FieldMap = {
  id: { column: 'id', kind: 'text' },
  name: { column: 'name', kind: 'text' },
  description: { column: 'description', kind: 'text' },
  enabled: { column: 'enabled', kind: 'bool' },
  flavor_profile_id: { column: 'flavor_profile_id', kind: 'text' },
};

export function flavorView(row: FlavorRow): FlavorView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    enabled: row.enabled === 1,
    flavor_profile_id: row.flavor_profile_id,
  };
}
