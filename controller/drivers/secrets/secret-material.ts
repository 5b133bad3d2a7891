// What an upload to the local secrets store must be, checked before anything is sealed:
// PEM blocks that parse (node's X509Certificate and createPrivateKey; CRLs with
// @peculiar/x509, node has no CRL parser), a private key that opens (with the
// passphrase if it is encrypted: it is then kept decrypted, as HAProxy reads it) and
// belongs to the certificate. What is kept is re-encoded from the parsed objects, so
// stray text around the blocks never reaches an amphora. A bad upload is Octavia's 400
// saying which field is wrong and why; no message ever quotes key material.
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it, loaded first
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { VeloxError } from '../../errors.js';

/** A certificate with its key: the material of a TERMINATED_HTTPS listener or a pool's client cert. */
export interface CertificateMaterial {
  kind: 'certificate';
  certificate: string;
  private_key: string; // unencrypted PKCS#8 PEM
  intermediates: string[];
}

/** A CA bundle or a CRL: PEM text of one or more blocks. */
export interface PemMaterial {
  kind: 'ca' | 'crl';
  pem: string;
}

export type SecretMaterial = CertificateMaterial | PemMaterial;

/** What may be shown about a secret without showing it. */
export interface SecretMetadata {
  subject: string | null;
  notAfter: string | null; // ISO-8601 without milliseconds
  fingerprint: string | null; // SHA-256, colon hex
}

export interface CertificateUpload {
  certificate?: string | undefined;
  private_key?: string | undefined;
  private_key_passphrase?: string | undefined;
  intermediates?: string | undefined;
}

interface PemBlock {
  label: string;
  text: string; // the whole block, BEGIN to END
  der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]+$/;
const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);

function invalid(field: string, detail: string): VeloxError {
  return new VeloxError('InvalidSecret', { field, detail });
}

/** The PEM blocks of `text`, in order; text between blocks is ignored (openssl's "Bag Attributes"). */
function pemBlocks(field: string, text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    // Encrypted PKCS#1 keys carry "Name: value" headers before the base64 body.
    const body = m[2]!.replace(/^[A-Za-z-]+:.*$/gm, '');
    if (!BASE64_BODY.test(body)) throw invalid(field, `its ${m[1]} block is not base64`);
    blocks.push({ label: m[1]!, text: m[0], der: Buffer.from(body.replace(/\s+/g, ''), 'base64') });
  }
  if (blocks.length === 0) throw invalid(field, 'is not PEM: no -----BEGIN ...----- block');
  return blocks;
}

function onlyLabel(field: string, blocks: PemBlock[], label: string): void {
  const other = blocks.find((b) => b.label !== label);
  if (other) throw invalid(field, `must hold ${label} blocks only, not ${other.label}`);
}

function parseCertificates(field: string, text: string): X509Certificate[] {
  const blocks = pemBlocks(field, text);
  onlyLabel(field, blocks, 'CERTIFICATE');
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b.der);
    } catch {
      throw invalid(field, `certificate ${i + 1} is not a valid X.509 certificate`);
    }
  });
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '');
}

/** One line, RFC 4514 order as @peculiar/x509 prints it ("CN=www.example.com, O=Example"). */
function subjectOf(cert: X509Certificate): string {
  return new x509.X509Certificate(cert.raw).subject;
}

function colonHex(digest: Buffer): string {
  return digest.toString('hex').toUpperCase().match(/../g)!.join(':');
}

function earliestExpiry(certs: X509Certificate[]): string {
  return isoSeconds(new Date(Math.min(...certs.map((c) => new Date(c.validTo).getTime()))));
}

/** Generous for 8192-bit RSA; the API schema cannot say it without quoting the key back. */
const MAX_KEY_CHARS = 65_536;

function openPrivateKey(text: string, passphrase: string | undefined): KeyObject {
  if (text.length > MAX_KEY_CHARS) throw invalid('private_key', `is longer than ${MAX_KEY_CHARS} characters`);
  if (passphrase !== undefined && passphrase.length > 1024) {
    throw invalid('private_key_passphrase', 'is longer than 1024 characters');
  }
  const blocks = pemBlocks('private_key', text);
  const other = blocks.find((b) => !KEY_LABELS.has(b.label));
  if (other) throw invalid('private_key', `must be one PEM private key, not ${other.label}`);
  if (blocks.length !== 1) throw invalid('private_key', `must be one PEM private key, not ${blocks.length}`);
  const block = blocks[0]!;
  const encrypted = block.label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type: 4,ENCRYPTED/m.test(block.text);
  if (encrypted && passphrase === undefined) throw new VeloxError('NeedsPassphrase');
  try {
    return createPrivateKey({ key: block.text, format: 'pem', ...(encrypted ? { passphrase } : {}) });
  } catch {
    throw invalid(
      'private_key',
      encrypted ? 'does not open with private_key_passphrase' : 'is not a readable PEM private key',
    );
  }
}

/** The certificate kind: one leaf, its key, optional intermediates. */
export function certificateMaterial(up: CertificateUpload): {
  material: CertificateMaterial;
  metadata: SecretMetadata;
} {
  if (!up.certificate) throw invalid('certificate', 'is required (one PEM certificate)');
  if (!up.private_key) throw invalid('private_key', 'is required (the PEM private key of the certificate)');
  const leaves = parseCertificates('certificate', up.certificate);
  if (leaves.length !== 1) {
    throw invalid(
      'certificate',
      `must be one certificate, not ${leaves.length}: put the chain in intermediates`,
    );
  }
  const leaf = leaves[0]!;
  const key = openPrivateKey(up.private_key, up.private_key_passphrase);
  if (!leaf.checkPrivateKey(key)) throw new VeloxError('MisMatchedKey');
  const intermediates = up.intermediates ? parseCertificates('intermediates', up.intermediates) : [];
  return {
    material: {
      kind: 'certificate',
      certificate: leaf.toString(),
      private_key: key.export({ type: 'pkcs8', format: 'pem' }) as string,
      intermediates: intermediates.map((c) => c.toString()),
    },
    metadata: {
      subject: subjectOf(leaf),
      notAfter: isoSeconds(new Date(leaf.validTo)),
      fingerprint: leaf.fingerprint256,
    },
  };
}

/** A CA bundle: one or more certificates, clients or members verified against any of them. */
export function caMaterial(payload: string | undefined): { material: PemMaterial; metadata: SecretMetadata } {
  if (!payload) throw invalid('payload', 'is required (PEM certificates)');
  const certs = parseCertificates('payload', payload);
  return {
    material: { kind: 'ca', pem: certs.map((c) => c.toString()).join('') },
    metadata: {
      subject: subjectOf(certs[0]!),
      notAfter: earliestExpiry(certs),
      fingerprint: certs[0]!.fingerprint256,
    },
  };
}

/**
 * A CRL: one or more "X509 CRL" blocks (the library label "CRL" is accepted and
 * re-labelled, as OpenSSL, hence HAProxy, reads only "X509 CRL").
 */
export function crlMaterial(payload: string | undefined): {
  material: PemMaterial;
  metadata: SecretMetadata;
} {
  if (!payload) throw invalid('payload', 'is required (PEM X509 CRL)');
  const blocks = pemBlocks('payload', payload).map((b) =>
    b.label === 'CRL' ? { ...b, label: 'X509 CRL' } : b,
  );
  onlyLabel('payload', blocks, 'X509 CRL');
  const crls = blocks.map((b, i) => {
    try {
      return new x509.X509Crl(new Uint8Array(b.der));
    } catch {
      throw invalid('payload', `CRL ${i + 1} is not a valid X.509 CRL`);
    }
  });
  const first = crls[0]!;
  return {
    material: {
      kind: 'crl',
      pem: crls.map((c) => x509.PemConverter.encode(c.rawData, 'X509 CRL')).join('\n') + '\n',
    },
    metadata: {
      subject: first.issuer,
      notAfter: first.nextUpdate ? isoSeconds(first.nextUpdate) : null,
      fingerprint: colonHex(createHash('sha256').update(Buffer.from(first.rawData)).digest()),
    },
  };
}
