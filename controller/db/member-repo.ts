// Member rows.
import type { Selectable, Transaction, Updateable } from 'kysely';
import { now, type Executor } from './database.js';
import { listRows, type ListSpec } from './list-query.js';
import type { Database, MemberTable } from './schema.js';

export type MemberRow = Selectable<MemberTable>;

export function getMember(ex: Executor, id: string): Promise<MemberRow | undefined> {
  return ex.selectFrom('member').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listMembers(
  ex: Executor,
  spec: ListSpec,
  scope: { column: string; value: string }[],
): Promise<MemberRow[]> {
  return listRows<MemberRow>(ex, 'member', spec, scope);
}

export function findMember(
  ex: Executor,
  poolId: string,
  address: string,
  port: number,
): Promise<MemberRow | undefined> {
  return ex
    .selectFrom('member')
    .selectAll()
    .where('pool_id', '=', poolId)
    .where('address', '=', address)
    .where('protocol_port', '=', port)
    .executeTakeFirst();
}

export async function insertMember(trx: Transaction<Database>, row: MemberRow): Promise<void> {
  await trx.insertInto('member').values(row).execute();
}

export async function updateMember(
  trx: Transaction<Database>,
  id: string,
  patch: Updateable<MemberTable>,
): Promise<void> {
  await trx
    .updateTable('member')
    .set({ ...patch, updated_at: now() })
    .where('id', '=', id)
    .execute();
}
