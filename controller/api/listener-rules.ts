// Octavia's listener rules for the TLS, client-authentication, header-insertion and HSTS
// fields (octavia/api/v2/controllers/listener.py, common/validate.py), and the columns
// a create or an update writes, with Octavia's defaults. Checks run in Octavia's order,
// so the first error a client sees is the one Octavia would answer.
import type { Updateable } from 'kysely';
import { VeloxError } from '../errors.js';
import { boolColumn, listColumn } from '../db/json-columns.js';
import type { ListenerRow } from '../db/listener-repo.js';
import type { ListenerTable } from '../db/schema.js';
import {
  DATAGRAM_PROTOCOLS,
  DEFAULT_ALPN_PROTOCOLS,
  DEFAULT_TLS_CIPHERS,
  DEFAULT_TLS_VERSIONS,
  L4_PROTOCOL,
} from './protocol-rules.js';
import type { ListenerPost, ListenerPut } from './schemas/listener.js';
import {
  checkAlpnProtocols,
  checkAlpnValues,
  checkCipherString,
  checkInsertHeaders,
  checkTlsVersions,
} from './validate.js';
import type { TlsRefs, WantedRefs } from './tls-refs.js';

/** A create body; the load balancer graph create nests listeners without loadbalancer_id. */
export type ListenerCreateBody = Omit<ListenerPost, 'loadbalancer_id'>;

const invalid = (detail: string) => new VeloxError('ValidationException', { detail });

function headerNames(headers: Record<string, string> | null | undefined): string[] {
  return Object.keys(headers ?? {});
}

/** Refs to certificates (default, then SNI), in the order Octavia checks them. */
function certificateRefs(body: ListenerPut): string[] {
  return [
    ...(body.sni_container_refs ?? []),
    ...(body.default_tls_container_ref ? [body.default_tls_container_ref] : []),
  ];
}

/** Octavia's _has_tls_container_refs: a default or SNI certificate (a client CA alone is not one). */
function hasCertificate(body: ListenerPut): boolean {
  return !!body.default_tls_container_ref || !!body.sni_container_refs?.length;
}

/** A TERMINATED_HTTPS listener, or a PROMETHEUS one given a certificate, terminates TLS. */
function terminatesTls(protocol: string, body: ListenerPut): boolean {
  return protocol === 'TERMINATED_HTTPS' || (protocol === 'PROMETHEUS' && hasCertificate(body));
}

const tlsLabel = (protocol: string) => (protocol === 'PROMETHEUS' ? 'PROMETHEUS with TLS' : protocol);

/** The refs a create would check, fetched before the checks run (see tls-refs.ts). */
export function listenerCreateRefs(body: ListenerCreateBody): WantedRefs {
  return {
    certificates: certificateRefs(body),
    cas: body.client_ca_tls_container_ref ? [body.client_ca_tls_container_ref] : [],
    crls: body.client_crl_container_ref ? [body.client_crl_container_ref] : [],
  };
}

/** The client CA and CRL an update leaves the listener with (given, else stored). */
function clientCaAndCrl(body: ListenerPut, row: ListenerRow) {
  return {
    ca: body.client_ca_tls_container_ref || row.client_ca_tls_certificate_id,
    crl: body.client_crl_container_ref || row.client_crl_container_id,
  };
}

/** The refs an update would check: those given, and the stored CA and CRL (Octavia re-checks them). */
export function listenerUpdateRefs(body: ListenerPut, row: ListenerRow): WantedRefs {
  const { ca, crl } = clientCaAndCrl(body, row);
  return { certificates: certificateRefs(body), cas: ca ? [ca] : [], crls: crl ? [crl] : [] };
}

/** Octavia's _validate_create_listener, without the port and CIDR checks (see the route). */
export function checkListenerCreate(body: ListenerCreateBody, refs: TlsRefs): void {
  const protocol = body.protocol;
  checkAlpnValues(body.alpn_protocols);
  const tls = terminatesTls(protocol, body);
  const headers = headerNames(body.insert_headers);
  if (headers.length) checkInsertHeaders(headers, protocol, 'create');
  if (DATAGRAM_PROTOCOLS.includes(protocol) && (hasCertificate(body) || headers.length)) {
    throw invalid(`${protocol} protocol listener does not support TLS.`);
  }
  if (!tls && hasCertificate(body)) {
    throw invalid(`Certificate container references are not allowed on ${protocol} protocol listeners.`);
  }
  if (body.client_ca_tls_container_ref && !hasCertificate(body)) {
    throw invalid(
      'An SNI or default certificate container reference must be provided with a client CA container reference.',
    );
  }
  if (tls && !hasCertificate(body)) {
    throw invalid(
      `An SNI or default certificate container reference must be provided for ${tlsLabel(protocol)} protocol listeners.`,
    );
  }
  const clientAuth = body.client_authentication === undefined ? 'NONE' : body.client_authentication;
  if (clientAuth !== 'NONE' && !body.client_ca_tls_container_ref) {
    throw invalid(
      `Client authentication setting ${clientAuth ?? 'None'} requires a client CA container reference.`,
    );
  }
  if (body.client_crl_container_ref && !body.client_ca_tls_container_ref) {
    throw invalid(
      'A client authentication CA reference is required to specify a client authentication revocation list.',
    );
  }
  if (body.tls_ciphers) checkCipherString(body.tls_ciphers);
  refs.checkCertificates(certificateRefs(body));
  if (body.client_ca_tls_container_ref) {
    refs.checkCaAndCrl(body.client_ca_tls_container_ref, body.client_crl_container_ref);
  }
  checkHstsCreate(protocol, body);
  if (tls) {
    const c = tlsDefaults(protocol, body);
    checkTlsVersions(c.versions);
    checkAlpnProtocols(c.alpn);
  }
}

function checkHstsCreate(protocol: string, body: ListenerPut): void {
  const maxAgeSet = typeof body.hsts_max_age === 'number';
  if ((body.hsts_include_subdomains || body.hsts_preload) && !maxAgeSet) {
    throw invalid(
      'HSTS configuration options hsts_include_subdomains and hsts_preload only make sense if hsts_max_age is set as well.',
    );
  }
  if (maxAgeSet && protocol !== 'TERMINATED_HTTPS') {
    throw invalid('The HSTS feature can only be used for listeners using the TERMINATED_HTTPS protocol.');
  }
}

/** A TERMINATED_HTTPS listener created without ciphers, versions or ALPN gets Octavia's defaults. */
function tlsDefaults(protocol: string, body: ListenerPut) {
  const d = protocol === 'TERMINATED_HTTPS';
  return {
    ciphers: body.tls_ciphers ?? (d ? DEFAULT_TLS_CIPHERS : null),
    versions: body.tls_versions ?? (d ? DEFAULT_TLS_VERSIONS : null),
    alpn: body.alpn_protocols ?? (d ? DEFAULT_ALPN_PROTOCOLS : null),
  };
}

/** The TLS, header and HSTS columns of a new listener. */
export function listenerCreateColumns(body: ListenerCreateBody) {
  const d = tlsDefaults(body.protocol, body);
  return {
    insert_headers: JSON.stringify(body.insert_headers ?? {}),
    tls_certificate_id: body.default_tls_container_ref ?? null,
    sni_containers: JSON.stringify(body.sni_container_refs ?? []),
    client_ca_tls_certificate_id: body.client_ca_tls_container_ref ?? null,
    client_authentication: body.client_authentication ?? 'NONE',
    client_crl_container_id: body.client_crl_container_ref ?? null,
    tls_ciphers: d.ciphers,
    tls_versions: listColumn(d.versions),
    alpn_protocols: listColumn(d.alpn),
    hsts_max_age: body.hsts_max_age ?? null,
    // POST defaults both to false; an explicit null is stored as null (as Octavia does).
    hsts_include_subdomains:
      body.hsts_include_subdomains === undefined ? 0 : boolColumn(body.hsts_include_subdomains),
    hsts_preload: body.hsts_preload === undefined ? 0 : boolColumn(body.hsts_preload),
  };
}

/** Octavia's _validate_listener_PUT (CIDRs and the default pool are checked by the route). */
export function checkListenerUpdate(body: ListenerPut, row: ListenerRow, refs: TlsRefs): void {
  const protocol = row.protocol;
  checkAlpnValues(body.alpn_protocols);
  const tls = terminatesTls(protocol, body);
  const headers = headerNames(body.insert_headers);
  if (DATAGRAM_PROTOCOLS.includes(protocol) && (hasCertificate(body) || headers.length)) {
    throw invalid(`${protocol} protocol listener does not support TLS or header insertion.`);
  }
  if (!tls && hasCertificate(body)) {
    throw invalid(`Certificate container references are not allowed on ${protocol} protocol listeners.`);
  }
  const auth = body.client_authentication;
  if (
    auth !== undefined &&
    auth !== 'NONE' &&
    !(row.client_ca_tls_certificate_id || body.client_ca_tls_container_ref)
  ) {
    throw invalid(
      `Client authentication setting ${auth ?? 'None'} requires a client CA container reference.`,
    );
  }
  if (headers.length) checkInsertHeaders(headers, protocol, 'update');
  refs.checkCertificates(certificateRefs(body));
  const { ca, crl } = clientCaAndCrl(body, row);
  if (crl && !ca) {
    throw invalid(
      'A client authentication CA reference is required to specify a client authentication revocation list.',
    );
  }
  if (ca) refs.checkCaAndCrl(ca, crl);
  if (body.tls_ciphers) checkCipherString(body.tls_ciphers);
  checkTlsVersions(body.tls_versions);
  checkAlpnProtocols(body.alpn_protocols);
  const hstsOff = [row.hsts_max_age, body.hsts_max_age].every((v) => v === null || v === undefined);
  if ((body.hsts_include_subdomains || body.hsts_preload) && hstsOff) {
    throw invalid(
      'Cannot enable hsts_include_subdomains or hsts_preload if hsts_max_age was not set as well.',
    );
  }
  if (typeof body.hsts_max_age === 'number' && protocol !== 'TERMINATED_HTTPS') {
    throw invalid('The HSTS feature can only be used for listeners using the TERMINATED_HTTPS protocol.');
  }
}

/** The columns an update writes; null resets ciphers, versions, ALPN and client auth to the default. */
export function listenerUpdateColumns(body: ListenerPut): Updateable<ListenerTable> {
  const out: Updateable<ListenerTable> = {};
  if (body.default_tls_container_ref !== undefined) out.tls_certificate_id = body.default_tls_container_ref;
  if (body.sni_container_refs !== undefined)
    out.sni_containers = JSON.stringify(body.sni_container_refs ?? []);
  if (body.insert_headers !== undefined) out.insert_headers = JSON.stringify(body.insert_headers ?? {});
  if (body.client_ca_tls_container_ref !== undefined)
    out.client_ca_tls_certificate_id = body.client_ca_tls_container_ref;
  if (body.client_authentication !== undefined)
    out.client_authentication = body.client_authentication ?? 'NONE';
  if (body.client_crl_container_ref !== undefined)
    out.client_crl_container_id = body.client_crl_container_ref;
  if (body.tls_ciphers !== undefined) out.tls_ciphers = body.tls_ciphers ?? DEFAULT_TLS_CIPHERS;
  if (body.tls_versions !== undefined)
    out.tls_versions = listColumn(body.tls_versions ?? DEFAULT_TLS_VERSIONS);
  if (body.alpn_protocols !== undefined)
    out.alpn_protocols = listColumn(body.alpn_protocols ?? DEFAULT_ALPN_PROTOCOLS);
  if (body.hsts_max_age !== undefined) out.hsts_max_age = body.hsts_max_age;
  if (body.hsts_include_subdomains !== undefined)
    out.hsts_include_subdomains = boolColumn(body.hsts_include_subdomains);
  if (body.hsts_preload !== undefined) out.hsts_preload = boolColumn(body.hsts_preload);
  return out;
}

/** The listener already on this port with the same L4 protocol (UDP and TCP may share a port). */
export function portConflict(onPort: ListenerRow[], protocol: string): ListenerRow | undefined {
  return onPort.find((l) => L4_PROTOCOL[l.protocol] === L4_PROTOCOL[protocol]);
}
