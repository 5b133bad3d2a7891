// Listener rows, with their TLS and header fields (JSON text for lists and maps).
import type { Insertable, Selectable, Transaction, Updateable } from 'kysely';
import { now, type Executor } from './database.js';
import { listRows, type ListSpec } from './list-query.js';
import type { Database, ListenerTable, ProvisioningStatus } from './schema.js';

export type ListenerRow = Selectable<ListenerTable>;

export function getListener(ex: Executor, id: string): Promise<ListenerRow | undefined> {
  return ex.selectFrom('listener').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listListeners(
  ex: Executor,
  spec: ListSpec,
  scope: { column: string; value: string }[],
): Promise<ListenerRow[]> {
  return listRows<ListenerRow>(ex, 'listener', spec, scope);
}

/** Listeners of a load balancer on a port (any protocol). */
export function listenersOnPort(ex: Executor, loadBalancerId: string, port: number): Promise<ListenerRow[]> {
  return ex
    .selectFrom('listener')
    .selectAll()
    .where('load_balancer_id', '=', loadBalancerId)
    .where('protocol_port', '=', port)
    .execute();
}

/** Listeners whose default pool is `poolId`. */
export async function listenersOfPool(ex: Executor, poolId: string): Promise<string[]> {
  const rows = await ex
    .selectFrom('listener')
    .select('id')
    .where('default_pool_id', '=', poolId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** A new row; columns with a database default (the TLS fields of 0007) may be left out. */
export async function insertListener(
  trx: Transaction<Database>,
  row: Insertable<ListenerTable>,
): Promise<void> {
  await trx.insertInto('listener').values(row).execute();
}

export async function updateListener(
  trx: Transaction<Database>,
  id: string,
  patch: Updateable<ListenerTable>,
): Promise<void> {
  await trx
    .updateTable('listener')
    .set({ ...patch, updated_at: now() })
    .where('id', '=', id)
    .execute();
}

export async function setListenerStatus(
  trx: Transaction<Database>,
  id: string,
  status: ProvisioningStatus,
): Promise<void> {
  await updateListener(trx, id, { provisioning_status: status });
}

/** The TLS, header and HSTS columns of a listener that uses none of them (as the DB defaults). */
export const LISTENER_WITHOUT_TLS = {
  insert_headers: '{}',
  tls_certificate_id: null,
  sni_containers: '[]',
  client_ca_tls_certificate_id: null,
  client_authentication: 'NONE',
  client_crl_container_id: null,
  tls_ciphers: null,
  tls_versions: null,
  alpn_protocols: null,
  hsts_max_age: null,
  hsts_include_subdomains: null,
  hsts_preload: null,
} satisfies Partial<ListenerRow>;
