// Re-encryption to members (Octavia's pool tls_enabled): the TLS options of every server
// line of a pool, with the pool's client certificate, CA and CRL added to the file set.
// Semantics of Octavia's member_macro (combined_listeners/templates/macros.j2), checked
// against HAProxy 2.6 with OpenSSL 3; where Octavia's output misbehaves we say so below.
import type { Pool__Output } from '../grpc/gen/velox/agent/v1/Pool.js';
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

/**
 * The options every server line of `pool` gets, [] for a plain pool. With tls_enabled false
 * the TLS fields are ignored, as Octavia's template ignores them: no option, no file.
 * `mode` is the backend's: TCP mode wraps the client's bytes as they are.
 */
export function reencryptOptions(
  pool: Pool__Output,
  path: string,
  files: TlsFileSet,
  mode: 'tcp' | 'http',
): string[] {
  if (!pool.tls_enabled) return [];
  const words = ['ssl'];
  if (pool.tls_certificate) {
    const p = `${path}.tls_certificate`;
    words.push(`crt ${files.add('cert', certificateFile(pool.tls_certificate, p))}`);
  }
  if (pool.ca_pem) {
    const ca = certificatesPem(pool.ca_pem, `${path}.ca_pem`).pem;
    // With or without a CRL: Octavia's template drops `verify required` when there is no
    // CRL, and the `verify none` of its HTTPS check then turns verification off.
    words.push(`ca-file ${files.add('ca', ca)}`, 'verify required');
    if (pool.crl_pem) {
      const crl = crlPem(pool.crl_pem, `${path}.crl_pem`);
      words.push(`crl-file ${files.add('crl', crl)}`);
    }
  } else {
    // Octavia's API refuses a CRL without a CA; without a CA nothing is verified.
    if (pool.crl_pem) throw new HaproxyConfigError('a CRL needs ca_pem to verify against', `${path}.crl_pem`);
    words.push('verify none');
  }
  // The client's SNI when the frontend terminated TLS (none otherwise), as Octavia does;
  // with `verify required` HAProxy then also checks the member's certificate names it.
  words.push('sni ssl_fc_sni');
  words.push(...cipherOptions(pool.tls_ciphers, `${path}.tls_ciphers`));
  words.push(...tlsVersionOptions(pool.tls_versions, `${path}.tls_versions`));
  // Validated in both modes, offered in HTTP mode only. In TCP mode HAProxy cannot speak
  // what the member picks: Octavia offers its default h2,http/1.1,http/1.0 there too, an h2
  // member picks h2 and then gets the client's HTTP/1 bytes. Without ALPN a member speaks
  // HTTP/1.1 (or whatever the client's bytes are).
  const alpn = alpnOption(pool.alpn_protocols, `${path}.alpn_protocols`);
  if (mode === 'http') words.push(...alpn);
  return words;
}
