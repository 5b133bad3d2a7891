// The controller's certificate authority: one ECDSA P-256 key and self-signed cert kept
// under `${stateDir}/ca/`, issuing the mTLS certificates of the amphorae (agent gRPC
// server + heartbeat client) and of the controller (agent client + health server).
import { webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_MS, EC_KEY, keyToPem, newKeyPair, randomSerial, SIGNING, x509 } from './x509-keys.js';

export interface IssuedCert {
  certPem: string;
  keyPem: string;
  notAfter: Date;
}

async function keyFromPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return (await webcrypto.subtle.importKey('pkcs8', der, EC_KEY, false, ['sign'])) as CryptoKey;
}

export class CertificateAuthority {
  private constructor(
    readonly certPem: string,
    private readonly cert: x509.X509Certificate,
    private readonly key: CryptoKey,
    private readonly validityDays: number,
  ) {}

  /** Loads the CA from `dir` (ca.key + ca.pem), creating both on first use. */
  static async loadOrCreate(dir: string, validityDays = 365): Promise<CertificateAuthority> {
    const keyFile = join(dir, 'ca.key');
    const certFile = join(dir, 'ca.pem');
    if (existsSync(keyFile) && existsSync(certFile)) {
      const certPem = readFileSync(certFile, 'utf8');
      const key = await keyFromPem(readFileSync(keyFile, 'utf8'));
      return new CertificateAuthority(certPem, new x509.X509Certificate(certPem), key, validityDays);
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keys = await newKeyPair();
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: 'CN=Velox controller CA',
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 10 * 365 * DAY_MS),
      signingAlgorithm: SIGNING,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const certPem = cert.toString('pem');
    writeFileSync(keyFile, await keyToPem(keys.privateKey), { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    writeFileSync(certFile, certPem, { mode: 0o644 });
    return new CertificateAuthority(certPem, cert, keys.privateKey, validityDays);
  }

  /** Server + client certificate of one amphora: CN its id, IP SAN its management address. */
  issueAmphoraCert(amphoraId: string, managementIp: string): Promise<IssuedCert> {
    return this.issue(amphoraId, [managementIp]);
  }

  /** The controller's own certificate (agent client, health server). */
  issueControllerCert(ips: string[]): Promise<IssuedCert> {
    return this.issue('velox-controller', ips);
  }

  private async issue(commonName: string, ips: string[]): Promise<IssuedCert> {
    const keys = await newKeyPair();
    const now = Date.now();
    const notAfter = new Date(now + this.validityDays * DAY_MS);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${commonName}`,
      issuer: this.cert.subject,
      notBefore: new Date(now - 60_000), // tolerate small clock differences
      notAfter,
      signingAlgorithm: SIGNING,
      publicKey: keys.publicKey,
      signingKey: this.key,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns' as const, value: commonName },
          ...ips.map((ip) => ({ type: 'ip' as const, value: ip })),
        ]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.cert),
      ],
    });
    return { certPem: cert.toString('pem'), keyPem: await keyToPem(keys.privateKey), notAfter };
  }
}
