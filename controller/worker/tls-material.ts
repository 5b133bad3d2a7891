// The TLS material of a load balancer's config: every ref its live listeners and pools
// name, fetched through the secrets driver in the load balancer's project just before the
// config is built, so buildAmphoraConfig stays pure. The result holds private keys: it
// lives for one apply, goes to the agent only inside Apply over mTLS, and is never logged
// (errors name the ref and the object, never the material).
import type { LoadBalancerGraph } from '../db/worker-repo.js';
import { jsonListOrNull } from '../db/json-columns.js';
import {
  SecretContentError,
  SecretNotFoundError,
  type CertificateBundle,
  type PemSecretKind,
  type SecretsDriver,
} from '../drivers/secrets/types.js';

/** Resolved material by ref, as buildAmphoraConfig reads it. */
export interface TlsSecrets {
  certificates: ReadonlyMap<string, CertificateBundle>;
  cas: ReadonlyMap<string, string>;
  crls: ReadonlyMap<string, string>;
}

export const NO_TLS_SECRETS: TlsSecrets = { certificates: new Map(), cas: new Map(), crls: new Map() };

/** A ref stored on a listener or pool no longer resolves (deleted, or changed kind): the apply fails. */
export class TlsSecretUnavailableError extends Error {
  override readonly name = 'TlsSecretUnavailableError';
  constructor(
    readonly ref: string,
    /** Which object and field names it, e.g. "listener <id> default_tls_container_ref". */
    readonly usedBy: string,
    override readonly cause: SecretNotFoundError | SecretContentError,
  ) {
    super(`${usedBy}: TLS secret ${JSON.stringify(ref)} cannot be resolved (${cause.message})`);
  }
}

type RefKind = 'certificate' | PemSecretKind;

interface RefUse {
  ref: string;
  kind: RefKind;
  usedBy: string;
}

/** Every ref the builder will fill, with the first object that names it (for the error). */
export function graphSecretRefs(graph: LoadBalancerGraph): RefUse[] {
  const uses: RefUse[] = [];
  const add = (ref: string | null, kind: RefKind, usedBy: string) => {
    if (ref) uses.push({ ref, kind, usedBy });
  };
  // The same objects as buildAmphoraConfig: those being deleted are left out.
  for (const l of graph.listeners.filter((r) => r.provisioning_status !== 'PENDING_DELETE')) {
    const of = `listener ${l.id}`;
    add(l.tls_certificate_id, 'certificate', `${of} default_tls_container_ref`);
    for (const ref of jsonListOrNull(l.sni_containers) ?? []) {
      add(ref, 'certificate', `${of} sni_container_refs`);
    }
    add(l.client_ca_tls_certificate_id, 'ca', `${of} client_ca_tls_container_ref`);
    add(l.client_crl_container_id, 'crl', `${of} client_crl_container_ref`);
  }
  for (const { pool: p } of graph.pools.filter((g) => g.pool.provisioning_status !== 'PENDING_DELETE')) {
    const of = `pool ${p.id}`;
    add(p.tls_certificate_id, 'certificate', `${of} tls_container_ref`);
    add(p.ca_tls_certificate_id, 'ca', `${of} ca_tls_container_ref`);
    add(p.crl_container_id, 'crl', `${of} crl_container_ref`);
  }
  return uses;
}

/** Fetches every ref of the graph once; the first that does not resolve fails the whole build. */
export async function resolveTlsSecrets(
  driver: SecretsDriver,
  graph: LoadBalancerGraph,
): Promise<TlsSecrets> {
  const scope = { projectId: graph.loadBalancer.project_id };
  const certificates = new Map<string, CertificateBundle>();
  const cas = new Map<string, string>();
  const crls = new Map<string, string>();
  for (const { ref, kind, usedBy } of graphSecretRefs(graph)) {
    try {
      if (kind === 'certificate') {
        if (!certificates.has(ref)) certificates.set(ref, await driver.getCertificate(ref, scope));
      } else {
        const into = kind === 'ca' ? cas : crls;
        if (!into.has(ref)) into.set(ref, await driver.getPem(ref, kind, scope));
      }
    } catch (err) {
      if (err instanceof SecretNotFoundError || err instanceof SecretContentError) {
        throw new TlsSecretUnavailableError(ref, usedBy, err);
      }
      throw err;
    }
  }
  return { certificates, cas, crls };
}
