// Real TLS material for API tests: certificates from a fresh test CA (test/lib/test-ca.ts)
// uploaded through the local store's API (POST /v2/velox/secrets), so listeners and pools
// name refs that resolve, exactly as a user's would.
import { TestCa } from '../../lib/test-ca.js';
import type { Harness } from './helpers.js';

type Headers = Record<string, string> | undefined;

async function upload(h: Harness, secret: Record<string, unknown>, headers?: Headers): Promise<string> {
  const r = await h.req('POST', '/v2/velox/secrets', { secret }, headers);
  if (r.status !== 201) throw new Error(`upload secret: ${r.status} ${JSON.stringify(r.body)}`);
  return (r.body as { secret: { secret_ref: string } }).secret.secret_ref;
}

/** A server certificate of `ca` with its key; the ref to put in *_tls_container_ref(s). */
export async function uploadCertificate(h: Harness, ca: TestCa, cn = 'www.example.com', headers?: Headers) {
  const c = await ca.issue({ subject: `CN=${cn}`, names: [cn] });
  return upload(h, { type: 'certificate', certificate: c.certPem, private_key: c.keyPem }, headers);
}

/** `ca`'s certificate as a CA bundle (client_ca_tls_container_ref, ca_tls_container_ref). */
export function uploadCa(h: Harness, ca: TestCa, headers?: Headers) {
  return upload(h, { type: 'ca', payload: ca.certPem }, headers);
}

/** `ca`'s current CRL (client_crl_container_ref, crl_container_ref). */
export async function uploadCrl(h: Harness, ca: TestCa, headers?: Headers) {
  return upload(h, { type: 'crl', payload: await ca.crlPem() }, headers);
}

export interface TlsRefSet {
  ca: TestCa;
  cert: string;
  sni: string[];
  caBundle: string;
  crl: string;
}

/** One of everything, all from one CA and owned by the caller's project. */
export async function uploadTlsRefs(h: Harness, headers?: Headers): Promise<TlsRefSet> {
  const ca = await TestCa.create('Velox API test CA');
  return {
    ca,
    cert: await uploadCertificate(h, ca, 'www.example.com', headers),
    sni: [
      await uploadCertificate(h, ca, 'a.example.com', headers),
      await uploadCertificate(h, ca, 'b.example.com', headers),
    ],
    caBundle: await uploadCa(h, ca, headers),
    crl: await uploadCrl(h, ca, headers),
  };
}
