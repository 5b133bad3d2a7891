// Profile row -> Octavia's FlavorProfileResponse / AvailabilityZoneProfileResponse:
// the data column shown under its kind's name, as the JSON text it was given.
import type { ProfileRow } from '../../db/profile-repo.js';
import type { FieldMap } from '../list-helper.js';

export type ProfileView = { id: string; name: string; provider_name: string } & Record<string, string>;

export function profileFields(dataName: string): FieldMap {
  return {
    id: { column: 'id', kind: 'text' },
    name: { column: 'name', kind: 'text' },
    provider_name: { column: 'provider_name', kind: 'text' },
    [dataName]: { column: dataName, kind: 'text' },
  };
}

export function profileView(row: ProfileRow, dataName: string): ProfileView {
  return {
    id: row.id,
    name: row.name,
    provider_name: row.provider_name,
    [dataName]: row.data,
  } as ProfileView;
}
