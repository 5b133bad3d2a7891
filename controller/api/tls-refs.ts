// The TLS refs a listener or pool names, resolved through the secrets driver as Octavia's
// _validate_tls_refs and _validate_client_ca_and_crl_refs do (api/v2/controllers/base.py):
// a ref the caller's project cannot read, or of the wrong kind, is "Could not retrieve
// certificate"; a client or member CA that does not parse, a CRL that does not parse,
// or a CRL not signed by that CA is a ValidationException.
//
// Fetching is async and runs before the write transaction (the local store reads the same
// database, and SQLite's one connection would wait on the open transaction); the checks
// are synchronous and run where Octavia runs them among the other checks, so the first
// error a client sees is Octavia's. Nothing kept here is key material: certificates are
// only fetched to prove they resolve, and CA/CRL PEMs are public.
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it, loaded first
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { VeloxError } from '../errors.js';
import {
  SecretContentError,
  SecretNotFoundError,
  type SecretScope,
  type SecretsDriver,
} from '../drivers/secrets/types.js';
import { pyList } from './validate.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** What a create or update names: certificates (default, SNI, pool client cert), CA bundles, CRLs. */
export interface WantedRefs {
  certificates: string[];
  cas: string[];
  crls: string[];
}

export const NO_REFS: WantedRefs = { certificates: [], cas: [], crls: [] };

/** The refs of several objects (the load balancer graph create), fetched once. */
export function mergeRefs(all: WantedRefs[]): WantedRefs {
  return {
    certificates: all.flatMap((w) => w.certificates),
    cas: all.flatMap((w) => w.cas),
    crls: all.flatMap((w) => w.crls),
  };
}

/** A fetched PEM, parsed; or why it did not parse (Octavia quotes the parser's error). */
type Parsed<T> = { ok: true; items: T[] } | { ok: false; error: string };

/** The refs are not the driver's to answer: an unknown ref, another project's, the wrong kind. */
function unavailable(err: unknown): boolean {
  return err instanceof SecretNotFoundError || err instanceof SecretContentError;
}

const blank = (ref: string) => ref.trim() === '';

function parseBlocks<T>(pem: string, label: string, make: (der: ArrayBuffer) => T): Parsed<T> {
  try {
    const blocks = x509.PemConverter.decodeWithHeaders(pem).filter((b) => b.type === label);
    if (blocks.length === 0) return { ok: false, error: `no ${label} PEM block` };
    return { ok: true, items: blocks.map((b) => make(b.rawData)) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Every CRL block is signed by one of the CA bundle's certificates. */
async function issuedBy(crls: x509.X509Crl[], cas: x509.X509Certificate[]): Promise<boolean> {
  for (const crl of crls) {
    let signed = false;
    for (const ca of cas) {
      if (await crl.verify({ publicKey: ca }).catch(() => false)) {
        signed = true;
        break;
      }
    }
    if (!signed) return false;
  }
  return true;
}

export class TlsRefs {
  private constructor(
    /** Certificate refs that did not resolve. */
    private readonly badCertificates: ReadonlySet<string>,
    /** CA refs: parsed, or absent when they did not resolve. */
    private readonly cas: ReadonlyMap<string, Parsed<x509.X509Certificate>>,
    private readonly crls: ReadonlyMap<string, Parsed<x509.X509Crl>>,
    /** `${ca}\n${crl}` of every pair that parsed: whether the CRL is the CA's. */
    private readonly pairs: ReadonlyMap<string, boolean>,
  ) {}

  /** Resolves every ref in `scope`; a driver failure other than a bad ref propagates (500). */
  static async fetch(driver: SecretsDriver, scope: SecretScope, wanted: WantedRefs): Promise<TlsRefs> {
    // A blank ref names nothing: it is never asked for, and checked as unresolved.
    const unique = (refs: string[]) => [...new Set(refs.filter((r) => !blank(r)))];
    const badCertificates = new Set<string>();
    for (const ref of unique(wanted.certificates)) {
      try {
        await driver.getCertificate(ref, scope);
      } catch (err) {
        if (!unavailable(err)) throw err;
        badCertificates.add(ref);
      }
    }
    const fetchPems = async <T>(refs: string[], kind: 'ca' | 'crl', parse: (pem: string) => Parsed<T>) => {
      const out = new Map<string, Parsed<T>>();
      for (const ref of unique(refs)) {
        try {
          out.set(ref, parse(await driver.getPem(ref, kind, scope)));
        } catch (err) {
          if (!unavailable(err)) throw err;
        }
      }
      return out;
    };
    const cas = await fetchPems(wanted.cas, 'ca', (pem) =>
      parseBlocks(pem, 'CERTIFICATE', (der) => new x509.X509Certificate(der)),
    );
    const crls = await fetchPems(wanted.crls, 'crl', (pem) =>
      parseBlocks(pem, 'X509 CRL', (der) => new x509.X509Crl(der)),
    );
    const pairs = new Map<string, boolean>();
    for (const [caRef, ca] of cas) {
      for (const [crlRef, crl] of crls) {
        if (ca.ok && crl.ok) pairs.set(`${caRef}\n${crlRef}`, await issuedBy(crl.items, ca.items));
      }
    }
    return new TlsRefs(badCertificates, cas, crls, pairs);
  }

  /** Octavia's _validate_tls_refs: every certificate ref resolves, or all bad ones are named. */
  checkCertificates(refs: readonly string[]): void {
    const bad = refs.filter((r) => this.badCertificates.has(r) || blank(r));
    if (bad.length) throw new VeloxError('CertificateRetrievalException', { ref: pyList(bad) });
  }

  /** Octavia's _validate_client_ca_and_crl_refs, for a listener's client CA or a pool's member CA. */
  checkCaAndCrl(caRef: string, crlRef: string | null | undefined): void {
    const ca = this.cas.get(caRef);
    const crl = crlRef ? this.crls.get(crlRef) : undefined;
    const bad = [...(ca ? [] : [caRef]), ...(crlRef && !crl ? [crlRef] : [])];
    if (bad.length) throw new VeloxError('CertificateRetrievalException', { ref: pyList(bad) });
    if (!ca!.ok) {
      throw new VeloxError('ValidationException', {
        detail: `The client authentication CA certificate is invalid. It must be a valid x509 PEM format certificate. Error: ${ca!.error}`,
      });
    }
    if (!crl) return;
    if (!crl.ok) {
      throw new VeloxError('ValidationException', {
        detail: `The client authentication certificate revocation list is invalid. It must be a valid x509 PEM format certificate revocation list. Error: ${crl.error}`,
      });
    }
    if (!this.pairs.get(`${caRef}\n${crlRef!}`)) {
      throw new VeloxError('ValidationException', {
        detail: 'The CRL specified is not valid for client certificate authority reference supplied.',
      });
    }
  }
}
