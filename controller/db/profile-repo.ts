// Flavor profiles and availability zone profiles: the same shape (id, name,
// provider_name, the provider's JSON data) in two tables, each used by the rows of
// one table (flavors, availability zones).
import type { Kysely } from 'kysely';
import type { Executor } from './database.js';
import { listRows, type ListSpec } from './list-query.js';

export interface ProfileTableSpec {
  table: 'flavor_profile' | 'availability_zone_profile';
  dataColumn: 'flavor_data' | 'availability_zone_data';
  /** The table whose rows name a profile, and the column naming it. */
  usedBy: { table: 'flavor' | 'availability_zone'; column: string };
}

export const FLAVOR_PROFILE_TABLE: ProfileTableSpec = {
  table: 'flavor_profile',
  dataColumn: 'flavor_data',
  usedBy: { table: 'flavor', column: 'flavor_profile_id' },
};

export const AVAILABILITY_ZONE_PROFILE_TABLE: ProfileTableSpec = {
  table: 'availability_zone_profile',
  dataColumn: 'availability_zone_data',
  usedBy: { table: 'availability_zone', column: 'availability_zone_profile_id' },
};

/** A profile row with its data column under one name. */
export interface ProfileRow {
  id: string;
  name: string;
  provider_name: string;
  data: string;
  created_at: string;
}

type Row = Record<string, string>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table is chosen at run time
const anyDb = (ex: Executor) => ex as unknown as Kysely<any>;

function fromRow(t: ProfileTableSpec, r: Row): ProfileRow {
  return {
    id: r['id']!,
    name: r['name']!,
    provider_name: r['provider_name']!,
    data: r[t.dataColumn]!,
    created_at: r['created_at']!,
  };
}

export async function getProfile(
  ex: Executor,
  t: ProfileTableSpec,
  id: string,
): Promise<ProfileRow | undefined> {
  const r = (await anyDb(ex).selectFrom(t.table).selectAll().where('id', '=', id).executeTakeFirst()) as
    Row | undefined;
  return r && fromRow(t, r);
}

export async function listProfiles(ex: Executor, t: ProfileTableSpec, spec: ListSpec): Promise<ProfileRow[]> {
  return (await listRows<Row>(ex, t.table, spec)).map((r) => fromRow(t, r));
}

export async function insertProfile(ex: Executor, t: ProfileTableSpec, p: ProfileRow): Promise<void> {
  await anyDb(ex)
    .insertInto(t.table)
    .values({
      id: p.id,
      name: p.name,
      provider_name: p.provider_name,
      [t.dataColumn]: p.data,
      created_at: p.created_at,
    })
    .execute();
}

export async function updateProfile(
  ex: Executor,
  t: ProfileTableSpec,
  id: string,
  patch: Partial<Pick<ProfileRow, 'name' | 'provider_name' | 'data'>>,
): Promise<void> {
  const values: Row = {};
  if (patch.name !== undefined) values['name'] = patch.name;
  if (patch.provider_name !== undefined) values['provider_name'] = patch.provider_name;
  if (patch.data !== undefined) values[t.dataColumn] = patch.data;
  if (!Object.keys(values).length) return;
  await anyDb(ex).updateTable(t.table).set(values).where('id', '=', id).execute();
}

/** Whether a flavor (or availability zone) names the profile. */
export async function profileInUse(ex: Executor, t: ProfileTableSpec, id: string): Promise<boolean> {
  const r = await anyDb(ex)
    .selectFrom(t.usedBy.table)
    .select(t.usedBy.column)
    .where(t.usedBy.column, '=', id)
    .executeTakeFirst();
  return r !== undefined;
}

export async function deleteProfile(ex: Executor, t: ProfileTableSpec, id: string): Promise<void> {
  await anyDb(ex).deleteFrom(t.table).where('id', '=', id).execute();
}
