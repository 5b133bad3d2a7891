// The secrets driver: where the controller gets the TLS material a listener or pool names by
// ref (Octavia's *_container_ref fields). The local driver keeps it in the controller's own
// store, encrypted at rest (local.ts); a Barbican driver implements the same interface with
// the user's token (a ref is then a Barbican secret or certificate container URL).
//
// Resolution happens twice: at API time, so a bad ref is refused with Octavia's 400 before
// anything is stored, and when the worker builds an amphora's config, whose key material
// then travels to the agent only inside Apply over mTLS. Nothing here is ever logged.

/** Who asks: secrets belong to a project, and a project uses only its own. */
export interface SecretScope {
  projectId: string;
}

/** A certificate with its private key, for a listener (default or SNI) or a pool (client cert to members). */
export interface CertificateBundle {
  certificatePem: string; // the leaf certificate
  privateKeyPem: string; // unencrypted PKCS#8 or PKCS#1 PEM
  intermediatesPem: string[]; // chain, leaf-side first; may be empty
}

/** A CA bundle (client_ca_tls_container_ref, ca_tls_container_ref) or a CRL (*crl_container_ref). */
export type PemSecretKind = 'ca' | 'crl';

export interface SecretsDriver {
  readonly name: string; // "local", "barbican", ...
  /** Throws SecretNotFoundError (unknown ref, or another project's) or SecretContentError (wrong kind). */
  getCertificate(ref: string, scope: SecretScope): Promise<CertificateBundle>;
  /** A PEM document of one or more CERTIFICATE blocks ('ca') or X509 CRL blocks ('crl'). */
  getPem(ref: string, kind: PemSecretKind, scope: SecretScope): Promise<string>;
}

/** The ref names nothing this project may read. */
export class SecretNotFoundError extends Error {
  override readonly name = 'SecretNotFoundError';
  constructor(readonly ref: string) {
    super(`no secret ${JSON.stringify(ref)}`);
  }
}

/** The ref names a secret of the wrong kind, or material that does not parse. */
export class SecretContentError extends Error {
  override readonly name = 'SecretContentError';
  constructor(
    readonly ref: string,
    reason: string,
  ) {
    super(`secret ${JSON.stringify(ref)}: ${reason}`);
  }
}
