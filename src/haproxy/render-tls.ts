// TLS termination (TERMINATED_HTTPS listeners) with Octavia's semantics
// (octavia/common/jinja/haproxy/combined_listeners/templates/macros.j2, bind_macro; and
// amphorae/drivers/haproxy/rest_api_driver.py for the crt-list):
// - `ssl crt-list <file>`: one line per certificate file, the default certificate first (HAProxy
//   serves the first one when no SNI name matches), then the SNI certificates in the order given;
//   HAProxy takes each certificate's SNI names from its CN and SANs;
// - `ca-file <ca> verify none|optional|required` when a client CA is given, `crl-file` with it;
// - `alpn` as given.
// Where we differ (as render-reencrypt.ts does for pools): tls_versions is a min..max range
// (see tlsVersionOptions); tls_ciphers is split by name, TLS 1.3 suites (TLS_*) to
// `ciphersuites`, the rest to `ciphers`. Octavia passes the whole string to `ciphers`, where
// OpenSSL ignores TLS 1.3 names, so a listener limited to some TLS 1.3 suites would still
// offer them all.
// PEM checks and the version/cipher/ALPN words are shared with re-encryption (tls-options.ts).
import type { Listener__Output } from '../grpc/gen/velox/agent/v1/Listener.js';
import { HaproxyConfigError } from './errors.js';
import type { TlsFileSet } from './tls-files.js';
import {
  alpnOption,
  certificateFile,
  certificatesPem,
  cipherOptions,
  crlPem,
  tlsVersionOptions,
} from './tls-options.js';

const CLIENT_VERIFY: Record<string, string> = { NONE: 'none', OPTIONAL: 'optional', MANDATORY: 'required' };

/** A bundle of CA certificates for client verification. */
function caFile(content: string, path: string, files: TlsFileSet): string {
  return files.add('ca', certificatesPem(content, path).pem);
}

function crlFile(content: string, path: string, files: TlsFileSet): string {
  return files.add('crl', crlPem(content, path));
}

/** Client certificate options: Octavia needs a CA for OPTIONAL and MANDATORY, and a CA for a CRL. */
function clientAuthOptions(l: Listener__Output, path: string, files: TlsFileSet): string[] {
  const mode = l.client_authentication || 'NONE';
  const verify = CLIENT_VERIFY[mode];
  if (verify === undefined) {
    throw new HaproxyConfigError(
      `${JSON.stringify(mode)} is not one of ${Object.keys(CLIENT_VERIFY).join(', ')}`,
      `${path}.client_authentication`,
    );
  }
  if (!l.client_ca_pem) {
    if (mode !== 'NONE') {
      throw new HaproxyConfigError(`${mode} needs client_ca_pem`, `${path}.client_authentication`);
    }
    if (l.client_crl_pem) throw new HaproxyConfigError('needs client_ca_pem', `${path}.client_crl_pem`);
    return [];
  }
  const opts = [`ca-file ${caFile(l.client_ca_pem, `${path}.client_ca_pem`, files)}`, `verify ${verify}`];
  if (l.client_crl_pem) opts.push(`crl-file ${crlFile(l.client_crl_pem, `${path}.client_crl_pem`, files)}`);
  return opts;
}

/** What follows `bind <address>:<port>` on a TERMINATED_HTTPS listener; the PEM files go to `files`. */
export function tlsBindOptions(l: Listener__Output, path: string, files: TlsFileSet): string {
  if (!l.default_tls) {
    throw new HaproxyConfigError('TERMINATED_HTTPS needs a default certificate', `${path}.default_tls`);
  }
  const certs = [
    files.add('cert', certificateFile(l.default_tls, `${path}.default_tls`)),
    ...l.sni_tls.map((c, k) => files.add('cert', certificateFile(c, `${path}.sni_tls[${k}]`))),
  ];
  // The same certificate twice (default and SNI) is one file, listed once.
  const crtList = files.add('crt-list', [...new Set(certs)].map((f) => `${f}\n`).join(''));
  return [
    `ssl crt-list ${crtList}`,
    ...clientAuthOptions(l, path, files),
    ...cipherOptions(l.tls_ciphers, `${path}.tls_ciphers`),
    ...tlsVersionOptions(l.tls_versions, `${path}.tls_versions`),
    ...alpnOption(l.alpn_protocols, `${path}.alpn_protocols`),
  ].join(' ');
}

/**
 * The Strict-Transport-Security response header, written as Octavia 2023.2 writes it:
 * "max-age=N;[ includeSubDomains;][ preload;]".
 */
export function hstsLines(l: Listener__Output): string[] {
  if (!l.hsts) return [];
  const value = [
    `max-age=${l.hsts.max_age};`,
    ...(l.hsts.include_subdomains ? ['includeSubDomains;'] : []),
    ...(l.hsts.preload ? ['preload;'] : []),
  ].join(' ');
  return [`http-response set-header Strict-Transport-Security "${value}"`];
}
