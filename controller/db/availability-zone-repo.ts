// Availability zone rows (keyed by name), and whether a load balancer is in one.
import type { Selectable, Updateable } from 'kysely';
import type { Executor } from './database.js';
import { listRows, type ListSpec } from './list-query.js';
import type { AvailabilityZoneTable } from './schema.js';

export type AvailabilityZoneRow = Selectable<AvailabilityZoneTable>;

export function getAvailabilityZone(ex: Executor, name: string): Promise<AvailabilityZoneRow | undefined> {
  return ex.selectFrom('availability_zone').selectAll().where('name', '=', name).executeTakeFirst();
}

/** A page of zones: markers name a zone, and the total order ends with the name. */
export function listAvailabilityZones(ex: Executor, spec: ListSpec): Promise<AvailabilityZoneRow[]> {
  const sort = spec.sort.filter((k) => k.column !== 'id');
  if (!sort.some((k) => k.column === 'name')) sort.push({ column: 'name', kind: 'text', dir: 'asc' });
  return listRows<AvailabilityZoneRow>(ex, 'availability_zone', { ...spec, sort }, [], [], 'name');
}

export async function insertAvailabilityZone(ex: Executor, row: AvailabilityZoneRow): Promise<void> {
  await ex.insertInto('availability_zone').values(row).execute();
}

export async function updateAvailabilityZone(
  ex: Executor,
  name: string,
  patch: Updateable<AvailabilityZoneTable>,
): Promise<void> {
  if (!Object.keys(patch).length) return;
  await ex.updateTable('availability_zone').set(patch).where('name', '=', name).execute();
}

export async function deleteAvailabilityZone(ex: Executor, name: string): Promise<void> {
  await ex.deleteFrom('availability_zone').where('name', '=', name).execute();
}

/** Whether a load balancer (not yet gone) was placed in the zone. */
export async function availabilityZoneInUse(ex: Executor, name: string): Promise<boolean> {
  const r = await ex
    .selectFrom('load_balancer')
    .select('id')
    .where('availability_zone', '=', name)
    .where('provisioning_status', '!=', 'DELETED')
    .executeTakeFirst();
  return r !== undefined;
}

/** The data of a zone's profile, parsed (validated when the profile was written). */
export async function availabilityZoneData(ex: Executor, name: string): Promise<Record<string, unknown>> {
  const r = await ex
    .selectFrom('availability_zone')
    .innerJoin(
      'availability_zone_profile',
      'availability_zone_profile.id',
      'availability_zone.availability_zone_profile_id',
    )
    .select('availability_zone_profile.availability_zone_data')
    .where('availability_zone.name', '=', name)
    .executeTakeFirst();
  // A zone in use cannot be deleted: a missing one is a broken database.
  if (!r) throw new Error(`availability zone ${name} is missing`);
  return JSON.parse(r.availability_zone_data) as Record<string, unknown>;
}
