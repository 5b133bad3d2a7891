// Flavor rows, and whether a load balancer was created with one.
import type { Selectable, Updateable } from 'kysely';
import type { Executor } from './database.js';
import { listRows, type ListSpec } from './list-query.js';
import type { FlavorTable } from './schema.js';

export type FlavorRow = Selectable<FlavorTable>;

export function getFlavor(ex: Executor, id: string): Promise<FlavorRow | undefined> {
  return ex.selectFrom('flavor').selectAll().where('id', '=', id).executeTakeFirst();
}

export function getFlavorByName(ex: Executor, name: string): Promise<FlavorRow | undefined> {
  return ex.selectFrom('flavor').selectAll().where('name', '=', name).executeTakeFirst();
}

export function listFlavors(ex: Executor, spec: ListSpec): Promise<FlavorRow[]> {
  return listRows<FlavorRow>(ex, 'flavor', spec);
}

export async function insertFlavor(ex: Executor, row: FlavorRow): Promise<void> {
  await ex.insertInto('flavor').values(row).execute();
}

export async function updateFlavor(ex: Executor, id: string, patch: Updateable<FlavorTable>): Promise<void> {
  if (!Object.keys(patch).length) return;
  await ex.updateTable('flavor').set(patch).where('id', '=', id).execute();
}

export async function deleteFlavor(ex: Executor, id: string): Promise<void> {
  await ex.deleteFrom('flavor').where('id', '=', id).execute();
}

/** Whether a load balancer (not yet gone) names the flavor. */
export async function flavorInUse(ex: Executor, id: string): Promise<boolean> {
  const r = await ex
    .selectFrom('load_balancer')
    .select('id')
    .where('flavor_id', '=', id)
    .where('provisioning_status', '!=', 'DELETED')
    .executeTakeFirst();
  return r !== undefined;
}
