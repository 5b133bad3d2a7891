// Pool rows, with their re-encryption fields (JSON text for lists).
import type { Insertable, Selectable, Transaction, Updateable } from 'kysely';
import { now, type Executor } from './database.js';
import { listRows, type ListSpec } from './list-query.js';
import type { Database, PoolTable } from './schema.js';

export type PoolRow = Selectable<PoolTable>;

export function getPool(ex: Executor, id: string): Promise<PoolRow | undefined> {
  return ex.selectFrom('pool').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listPools(
  ex: Executor,
  spec: ListSpec,
  scope: { column: string; value: string }[],
): Promise<PoolRow[]> {
  return listRows<PoolRow>(ex, 'pool', spec, scope);
}

export interface PoolChildren {
  listeners: string[];
  members: string[];
  healthMonitor: string | null;
}

/** Listeners using each pool as default pool, each pool's members and health monitor. */
export async function poolChildren(ex: Executor, ids: string[]): Promise<Map<string, PoolChildren>> {
  const out = new Map<string, PoolChildren>(
    ids.map((id) => [id, { listeners: [], members: [], healthMonitor: null }]),
  );
  if (!ids.length) return out;
  const listeners = await ex
    .selectFrom('listener')
    .select(['id', 'default_pool_id'])
    .where('default_pool_id', 'in', ids)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const l of listeners) if (l.default_pool_id) out.get(l.default_pool_id)?.listeners.push(l.id);
  const members = await ex
    .selectFrom('member')
    .select(['id', 'pool_id'])
    .where('pool_id', 'in', ids)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const m of members) out.get(m.pool_id)?.members.push(m.id);
  const monitors = await ex
    .selectFrom('health_monitor')
    .select(['id', 'pool_id'])
    .where('pool_id', 'in', ids)
    .execute();
  for (const hm of monitors) {
    const children = out.get(hm.pool_id);
    if (children) children.healthMonitor = hm.id;
  }
  return out;
}

/** A new row; columns with a database default (the TLS fields of 0007) may be left out. */
export async function insertPool(trx: Transaction<Database>, row: Insertable<PoolTable>): Promise<void> {
  await trx.insertInto('pool').values(row).execute();
}

export async function updatePool(
  trx: Transaction<Database>,
  id: string,
  patch: Updateable<PoolTable>,
): Promise<void> {
  await trx
    .updateTable('pool')
    .set({ ...patch, updated_at: now() })
    .where('id', '=', id)
    .execute();
}

/** A deleted pool takes its members and health monitor with it (as Octavia's pool delete). */
export async function markPoolDeleting(trx: Transaction<Database>, id: string): Promise<void> {
  const ts = now();
  await trx
    .updateTable('health_monitor')
    .set({ provisioning_status: 'PENDING_DELETE', updated_at: ts })
    .where('pool_id', '=', id)
    .execute();
  await trx
    .updateTable('member')
    .set({ provisioning_status: 'PENDING_DELETE', updated_at: ts })
    .where('pool_id', '=', id)
    .execute();
  await trx
    .updateTable('pool')
    .set({ provisioning_status: 'PENDING_DELETE', updated_at: ts })
    .where('id', '=', id)
    .execute();
}

/** The re-encryption columns of a pool that does not use TLS (as the DB defaults). */
export const POOL_WITHOUT_TLS = {
  tls_certificate_id: null,
  ca_tls_certificate_id: null,
  crl_container_id: null,
  tls_enabled: 0,
  tls_ciphers: null,
  tls_versions: null,
  alpn_protocols: null,
} satisfies Partial<PoolRow>;
