// A certificate authority for tests: made fresh by each test, so no key material is a
// fixture. Issues server certificates (SANs), client certificates (subject fields for the
// X-SSL-* headers and SSL_DN_FIELD rules) and CRLs, all ECDSA P-256 with @peculiar/x509.
import { isIP } from 'node:net';
import {
  DAY_MS,
  keyToPem,
  newKeyPair,
  randomSerial,
  SIGNING,
  x509,
} from '../../controller/drivers/certs/x509-keys.js';

export interface TestCert {
  certPem: string;
  keyPem: string; // PKCS#8, unencrypted
  serial: string; // hex, as in a CRL entry
  subject: string; // RFC 4514 form, e.g. "CN=client,O=Velox tests"
}

export interface IssueOptions {
  /** The subject: "CN=..." or more fields ("CN=a,O=b,OU=c"). */
  subject: string;
  /** DNS names and IP addresses for the SAN extension (servers). */
  names?: string[];
  /** A client certificate (clientAuth) rather than a server one (serverAuth). */
  client?: boolean;
  /** Already expired (notAfter yesterday). */
  expired?: boolean;
}

export class TestCa {
  private readonly revoked: string[] = [];

  private constructor(
    readonly cert: TestCert,
    private readonly x509Cert: x509.X509Certificate,
    private readonly key: CryptoKey,
  ) {}

  /** A self-signed root named `CN=<name>`. */
  static async create(name: string): Promise<TestCa> {
    const keys = await newKeyPair();
    const now = Date.now();
    const serialNumber = randomSerial();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber,
      name: `CN=${name}`,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 30 * DAY_MS),
      signingAlgorithm: SIGNING,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const testCert = {
      certPem: cert.toString('pem'),
      keyPem: await keyToPem(keys.privateKey),
      serial: serialNumber,
      subject: cert.subject,
    };
    return new TestCa(testCert, cert, keys.privateKey);
  }

  get certPem(): string {
    return this.cert.certPem;
  }

  async issue(opts: IssueOptions): Promise<TestCert> {
    const keys = await newKeyPair();
    const now = Date.now();
    const serialNumber = randomSerial();
    const names = opts.names ?? [];
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber,
      subject: opts.subject,
      issuer: this.x509Cert.subject,
      notBefore: new Date(now - (opts.expired ? 3 : 1) * DAY_MS),
      notAfter: new Date(opts.expired ? now - DAY_MS : now + 7 * DAY_MS),
      signingAlgorithm: SIGNING,
      publicKey: keys.publicKey,
      signingKey: this.key,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([
          opts.client ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth,
        ]),
        ...(names.length > 0
          ? [
              new x509.SubjectAlternativeNameExtension(
                names.map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n })),
              ),
            ]
          : []),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.x509Cert),
      ],
    });
    return {
      certPem: cert.toString('pem'),
      keyPem: await keyToPem(keys.privateKey),
      serial: serialNumber,
      subject: cert.subject,
    };
  }

  /** Marks `cert` revoked: the next crlPem() lists it. */
  revoke(cert: TestCert): void {
    this.revoked.push(cert.serial);
  }

  /** A CRL signed by this CA listing every revoked certificate, valid for a day. */
  async crlPem(): Promise<string> {
    const now = Date.now();
    const crl = await x509.X509CrlGenerator.create({
      issuer: this.x509Cert.subject,
      thisUpdate: new Date(now - 60_000),
      nextUpdate: new Date(now + DAY_MS),
      signingAlgorithm: SIGNING,
      signingKey: this.key,
      entries: this.revoked.map((serialNumber) => ({
        serialNumber,
        revocationDate: new Date(now - 60_000),
        reason: x509.X509CrlReason.keyCompromise,
      })),
      extensions: [await x509.AuthorityKeyIdentifierExtension.create(this.x509Cert)],
    });
    // OpenSSL (HAProxy's crl-file) reads the "X509 CRL" label only, not the library's "CRL".
    return x509.PemConverter.encode(crl.rawData, 'X509 CRL');
  }
}
