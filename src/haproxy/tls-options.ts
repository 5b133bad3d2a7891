// TLS option words and PEM checks shared by TLS termination (render-tls.ts, bind lines) and
// re-encryption to members (render-reencrypt.ts, server lines). Every PEM is parsed here, so
// bad material is refused naming its field instead of failing in `haproxy -c`.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { TlsCertificate__Output } from '../grpc/gen/velox/agent/v1/TlsCertificate.js';
import { HaproxyConfigError, HaproxyUnsupportedError } from './errors.js';
import { checkPem } from './tls-files.js';

// Octavia's TLS_ALL_VERSIONS, oldest first, with HAProxy's name for each (ssl-min-ver/ssl-max-ver).
const TLS_VERSIONS: readonly (readonly [octavia: string, haproxy: string])[] = [
  ['SSLv3', 'SSLv3'],
  ['TLSv1', 'TLSv1.0'],
  ['TLSv1.1', 'TLSv1.1'],
  ['TLSv1.2', 'TLSv1.2'],
  ['TLSv1.3', 'TLSv1.3'],
];
// The versions this HAProxy's OpenSSL can still speak (SSLv3 is compiled out).
const SERVABLE_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const ALPN_PROTOCOLS = ['h2', 'http/1.1', 'http/1.0']; // Octavia's SUPPORTED_ALPN_PROTOCOLS
// One element of an OpenSSL cipher string: Octavia's VALID_CIPHER_RE without the ':' separator.
const CIPHER = /^[A-Za-z0-9\-+!@=_.]{1,128}$/;
const MAX_CIPHER_STRING = 4096;
const CERTIFICATE_LABELS = ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'];
const KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'];

/** The BEGIN labels of a checked PEM document, in order. */
function pemLabels(pem: string): string[] {
  return [...pem.matchAll(/^-----BEGIN ([A-Z0-9 ]+)-----\r?$/gm)].map((m) => m[1]!);
}

function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN [A-Z0-9 ]+-----[^-]+-----END [A-Z0-9 ]+-----\n/g) ?? [];
}

/** A PEM of one or more certificates, each one parsable; returns the checked text and the first one. */
export function certificatesPem(content: string, path: string): { pem: string; first: X509Certificate } {
  const pem = checkPem(content, path);
  if (!pemLabels(pem).every((l) => CERTIFICATE_LABELS.includes(l))) {
    throw new HaproxyConfigError('holds something else than CERTIFICATE blocks', path);
  }
  const certs = pemBlocks(pem).map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new HaproxyConfigError('holds a CERTIFICATE block that is not a certificate', path);
    }
  });
  return { pem, first: certs[0]! };
}

function privateKeyPem(content: string, path: string): { pem: string; key: KeyObject } {
  if (!content) throw new HaproxyConfigError('has no private key', path);
  const pem = checkPem(content, path);
  const labels = pemLabels(pem);
  if (labels.length !== 1 || !KEY_LABELS.includes(labels[0]!)) {
    // An encrypted key would make HAProxy ask for a passphrase on its terminal.
    throw new HaproxyConfigError(`is not one unencrypted ${KEY_LABELS.join(' | ')} block`, path);
  }
  try {
    return { pem, key: createPrivateKey(pem) };
  } catch {
    throw new HaproxyConfigError('is not a readable private key', path);
  }
}

/** A PEM of X509 CRL blocks: OpenSSL, which reads HAProxy's crl-file, knows no other label. */
export function crlPem(content: string, path: string): string {
  const pem = checkPem(content, path);
  if (!pemLabels(pem).every((l) => l === 'X509 CRL')) {
    throw new HaproxyConfigError('holds something else than X509 CRL blocks', path);
  }
  return pem;
}

/** cert + intermediates + key in one PEM (HAProxy's `crt` / crt-list file), the key matching the cert. */
export function certificateFile(c: TlsCertificate__Output, path: string): string {
  const cert = certificatesPem(c.certificate_pem, `${path}.certificate_pem`);
  const key = privateKeyPem(c.private_key_pem, `${path}.private_key_pem`);
  if (!cert.first.checkPrivateKey(key.key)) {
    throw new HaproxyConfigError('is not the key of certificate_pem', `${path}.private_key_pem`);
  }
  const chain = c.intermediates_pem.map((p, k) => certificatesPem(p, `${path}.intermediates_pem[${k}]`).pem);
  return [cert.pem, ...chain, key.pem].join('');
}

/**
 * The allowed versions as one `ssl-min-ver`..`ssl-max-ver` range; none for an empty list
 * (HAProxy's defaults; the API fills in Octavia's). Octavia writes `no-<version>` flags
 * instead, but HAProxy (2.2 and later) starts at TLSv1.2 unless ssl-min-ver says otherwise,
 * so those flags never serve TLSv1 or TLSv1.1, and with a gap HAProxy warns and allows the
 * left-out version anyway. A range serves the list as given; a gap is refused, since TLS
 * negotiates within a contiguous range.
 */
export function tlsVersionOptions(versions: string[], path: string): string[] {
  if (versions.length === 0) return [];
  const wanted = versions.map((v, k) => {
    const n = TLS_VERSIONS.findIndex(([name]) => name === v);
    if (n < 0) {
      throw new HaproxyConfigError(
        `${JSON.stringify(v)} is not one of ${TLS_VERSIONS.map(([name]) => name).join(', ')}`,
        `${path}[${k}]`,
      );
    }
    return n;
  });
  if (!versions.some((v) => SERVABLE_VERSIONS.includes(v))) {
    throw new HaproxyConfigError(
      `allows no version HAProxy can serve (${SERVABLE_VERSIONS.join(', ')})`,
      path,
    );
  }
  const lo = Math.min(...wanted);
  const hi = Math.max(...wanted);
  const gap = TLS_VERSIONS.slice(lo, hi + 1).find((_, k) => !wanted.includes(lo + k));
  if (gap) {
    throw new HaproxyUnsupportedError(
      `${gap[0]} is left out between ${TLS_VERSIONS[lo]![0]} and ${TLS_VERSIONS[hi]![0]}: ` +
        'TLS negotiates within a range of versions',
      path,
    );
  }
  return [`ssl-min-ver ${TLS_VERSIONS[lo]![1]}`, `ssl-max-ver ${TLS_VERSIONS[hi]![1]}`];
}

/**
 * `ciphers` (TLS 1.2 and older) and `ciphersuites` (TLS 1.3: OpenSSL names every suite
 * TLS_*) from one OpenSSL string. Octavia passes the whole string to `ciphers`, where
 * OpenSSL ignores TLS 1.3 names, so a limit to some TLS 1.3 suites would offer them all.
 */
export function cipherOptions(ciphers: string, path: string): string[] {
  if (ciphers === '') return [];
  const names = ciphers.split(':');
  if (ciphers.length > MAX_CIPHER_STRING || !names.every((n) => CIPHER.test(n))) {
    throw new HaproxyConfigError(`not an OpenSSL cipher string: ${JSON.stringify(ciphers)}`, path);
  }
  const tls13 = names.filter((n) => n.startsWith('TLS_'));
  const older = names.filter((n) => !n.startsWith('TLS_'));
  return [
    ...(older.length > 0 ? [`ciphers ${older.join(':')}`] : []),
    ...(tls13.length > 0 ? [`ciphersuites ${tls13.join(':')}`] : []),
  ];
}

export function alpnOption(protocols: string[], path: string): string[] {
  if (protocols.length === 0) return [];
  protocols.forEach((p, k) => {
    if (!ALPN_PROTOCOLS.includes(p)) {
      throw new HaproxyConfigError(
        `${JSON.stringify(p)} is not one of ${ALPN_PROTOCOLS.join(', ')}`,
        `${path}[${k}]`,
      );
    }
  });
  return [`alpn ${protocols.join(',')}`];
}
