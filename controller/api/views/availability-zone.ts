// Availability zone row -> Octavia's AvailabilityZoneResponse (no id: the name is the key).
import type { AvailabilityZoneRow } from '../../db/availability-zone-repo.js';
import type { FieldMap } from '../list-helper.js';

export interface AvailabilityZoneView {
  name: string;
  description: string;
  enabled: boolean;
  availability_zone_profile_id: string;
}

export const availabilityZoneFields: FieldMap = {
  name: { column: 'name', kind: 'text' },
  description: { column: 'description', kind: 'text' },
  enabled: { column: 'enabled', kind: 'bool' },
  availability_zone_profile_id: { column: 'availability_zone_profile_id', kind: 'text' },
};

export function availabilityZoneView(row: AvailabilityZoneRow): AvailabilityZoneView {
  return {
    name: row.name,
    description: row.description,
    enabled: row.enabled === 1,
    availability_zone_profile_id: row.availability_zone_profile_id,
  };
}
