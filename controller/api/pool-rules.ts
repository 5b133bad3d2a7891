// Octavia's pool rules for the re-encryption fields (octavia/api/v2/controllers/pool.py
// and db/prepare.py): the checks in Octavia's order, and the columns a create or an
// update writes, with Octavia's defaults for TLS-enabled pools.
import type { Updateable } from 'kysely';
import { VeloxError } from '../errors.js';
import { listColumn } from '../db/json-columns.js';
import type { PoolRow } from '../db/pool-repo.js';
import type { PoolTable } from '../db/schema.js';
import { DEFAULT_ALPN_PROTOCOLS, DEFAULT_TLS_CIPHERS, DEFAULT_TLS_VERSIONS } from './protocol-rules.js';
import type { PoolPost, PoolPut } from './schemas/pool.js';
import { checkAlpnProtocols, checkAlpnValues, checkCipherString, checkTlsVersions } from './validate.js';
import type { TlsRefs, WantedRefs } from './tls-refs.js';

/** A create body; the load balancer graph create nests pools without listener or load balancer. */
export type PoolCreateBody = Omit<PoolPost, 'listener_id' | 'loadbalancer_id'>;

const invalid = (detail: string) => new VeloxError('ValidationException', { detail });

/** A pool created with tls_enabled gets Octavia's default ciphers, versions and ALPN when unset. */
function tlsDefaults(body: PoolCreateBody) {
  const d = body.tls_enabled === true;
  return {
    ciphers: body.tls_ciphers ?? (d ? DEFAULT_TLS_CIPHERS : null),
    versions: body.tls_versions ?? (d ? DEFAULT_TLS_VERSIONS : null),
    alpn: body.alpn_protocols ?? (d ? DEFAULT_ALPN_PROTOCOLS : null),
  };
}

const refList = (ref: string | null | undefined): string[] => (ref ? [ref] : []);

/** The refs a create would check, fetched before the checks run (see tls-refs.ts). */
export function poolCreateRefs(body: PoolCreateBody): WantedRefs {
  return {
    certificates: refList(body.tls_container_ref),
    cas: refList(body.ca_tls_container_ref),
    crls: refList(body.crl_container_ref),
  };
}

/** Octavia's _validate_create_pool. */
export function checkPoolCreate(body: PoolCreateBody, refs: TlsRefs): void {
  checkAlpnValues(body.alpn_protocols);
  if (body.crl_container_ref && !body.ca_tls_container_ref) {
    throw invalid('A CA certificate reference is required to specify a revocation list.');
  }
  if (body.tls_container_ref) refs.checkCertificates([body.tls_container_ref]);
  if (body.ca_tls_container_ref) refs.checkCaAndCrl(body.ca_tls_container_ref, body.crl_container_ref);
  if (body.tls_ciphers) checkCipherString(body.tls_ciphers);
  if (body.tls_enabled) {
    const d = tlsDefaults(body);
    checkTlsVersions(d.versions);
    checkAlpnProtocols(d.alpn);
  }
}

export function poolCreateColumns(body: PoolCreateBody) {
  const d = tlsDefaults(body);
  return {
    tls_certificate_id: body.tls_container_ref ?? null,
    ca_tls_certificate_id: body.ca_tls_container_ref ?? null,
    crl_container_id: body.crl_container_ref ?? null,
    tls_enabled: body.tls_enabled ? 1 : 0,
    tls_ciphers: d.ciphers,
    tls_versions: listColumn(d.versions),
    alpn_protocols: listColumn(d.alpn),
  };
}

/** The refs an update would check: those given, and the stored CA and CRL (Octavia re-checks them). */
export function poolUpdateRefs(body: PoolPut, row: PoolRow): WantedRefs {
  const ca = body.ca_tls_container_ref === undefined ? row.ca_tls_certificate_id : body.ca_tls_container_ref;
  const crl = body.crl_container_ref === undefined ? row.crl_container_id : body.crl_container_ref;
  return { certificates: refList(body.tls_container_ref), cas: refList(ca), crls: refList(crl) };
}

/** Octavia's _validate_pool_PUT, after its put() reset null ciphers and versions to the defaults. */
export function checkPoolUpdate(body: PoolPut, row: PoolRow, refs: TlsRefs): void {
  checkAlpnValues(body.alpn_protocols);
  const crl =
    body.crl_container_ref ||
    (body.crl_container_ref === undefined && row.crl_container_id ? row.crl_container_id : null);
  const dbCa = row.ca_tls_certificate_id;
  let ca: string | null = null;
  if (body.ca_tls_container_ref !== undefined) {
    if (!body.ca_tls_container_ref && dbCa && crl) {
      throw invalid('A CA reference cannot be removed when a certificate revocation list is present.');
    }
    if (!body.ca_tls_container_ref && !dbCa && crl) {
      throw invalid('A CA reference is required to specify a certificate revocation list.');
    }
    ca = body.ca_tls_container_ref || null;
  } else if (dbCa) {
    ca = dbCa;
  } else if (crl) {
    throw invalid('A CA reference is required to specify a certificate revocation list.');
  }
  if (body.tls_container_ref) refs.checkCertificates([body.tls_container_ref]);
  if (ca) refs.checkCaAndCrl(ca, crl);
  if (body.tls_ciphers) checkCipherString(body.tls_ciphers);
  if (body.tls_versions !== undefined) checkTlsVersions(body.tls_versions ?? DEFAULT_TLS_VERSIONS);
  checkAlpnProtocols(body.alpn_protocols);
}

/** The columns an update writes; null ciphers or versions become the defaults (Octavia's put()). */
export function poolUpdateColumns(body: PoolPut): Updateable<PoolTable> {
  const out: Updateable<PoolTable> = {};
  if (body.tls_container_ref !== undefined) out.tls_certificate_id = body.tls_container_ref;
  if (body.ca_tls_container_ref !== undefined) out.ca_tls_certificate_id = body.ca_tls_container_ref;
  if (body.crl_container_ref !== undefined) out.crl_container_id = body.crl_container_ref;
  if (body.tls_enabled !== undefined) out.tls_enabled = body.tls_enabled ? 1 : 0;
  if (body.tls_ciphers !== undefined) out.tls_ciphers = body.tls_ciphers ?? DEFAULT_TLS_CIPHERS;
  if (body.tls_versions !== undefined)
    out.tls_versions = listColumn(body.tls_versions ?? DEFAULT_TLS_VERSIONS);
  if (body.alpn_protocols !== undefined) out.alpn_protocols = listColumn(body.alpn_protocols);
  return out;
}
