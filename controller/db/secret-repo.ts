// Rows of the local secrets store (sealed material plus clear metadata), and the live
// listeners and pools whose TLS fields may name one (for the 409 of a delete).
import type { Selectable } from 'kysely';
import type { Executor } from './database.js';
import { jsonListOrNull } from './json-columns.js';
import { listRows, type ListSpec } from './list-query.js';
import type { SecretTable } from './schema.js';

export type SecretRow = Selectable<SecretTable>;
export type SecretKind = SecretTable['kind'];

export function getSecret(ex: Executor, id: string): Promise<SecretRow | undefined> {
  return ex.selectFrom('secret').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A page of secrets; `scope` is the caller's project (none for a global reader). */
export function listSecrets(
  ex: Executor,
  spec: ListSpec,
  scope: { column: string; value: string }[],
): Promise<SecretRow[]> {
  // Secrets carry no tags: tag filters have nothing to match on.
  spec.tags = { all: [], any: [], notAll: [], notAny: [] };
  return listRows<SecretRow>(ex, 'secret', spec, scope);
}

export async function insertSecret(ex: Executor, row: SecretRow): Promise<void> {
  await ex.insertInto('secret').values(row).execute();
}

export async function deleteSecret(ex: Executor, id: string): Promise<void> {
  await ex.deleteFrom('secret').where('id', '=', id).execute();
}

/** A live object of a project and one secret ref it holds. */
export interface SecretUse {
  resource: 'Listener' | 'Pool';
  id: string;
  ref: string;
}

/**
 * Every TLS ref held by the project's listeners and pools that are not deleted: the
 * listener's default, SNI, client CA and CRL refs, the pool's client certificate, CA
 * and CRL refs. Refs are stored as the user gave them (a URL or a bare id).
 */
export async function secretUses(ex: Executor, projectId: string): Promise<SecretUse[]> {
  const listeners = await ex
    .selectFrom('listener')
    .select([
      'id',
      'tls_certificate_id',
      'sni_containers',
      'client_ca_tls_certificate_id',
      'client_crl_container_id',
    ])
    .where('project_id', '=', projectId)
    .where('provisioning_status', '!=', 'DELETED')
    .execute();
  const pools = await ex
    .selectFrom('pool')
    .select(['id', 'tls_certificate_id', 'ca_tls_certificate_id', 'crl_container_id'])
    .where('project_id', '=', projectId)
    .where('provisioning_status', '!=', 'DELETED')
    .execute();
  const uses: SecretUse[] = [];
  const add = (resource: SecretUse['resource'], id: string, refs: (string | null)[]) => {
    for (const ref of refs) if (ref) uses.push({ resource, id, ref });
  };
  for (const l of listeners) {
    add('Listener', l.id, [
      l.tls_certificate_id,
      ...(jsonListOrNull(l.sni_containers) ?? []),
      l.client_ca_tls_certificate_id,
      l.client_crl_container_id,
    ]);
  }
  for (const p of pools)
    add('Pool', p.id, [p.tls_certificate_id, p.ca_tls_certificate_id, p.crl_container_id]);
  return uses;
}
