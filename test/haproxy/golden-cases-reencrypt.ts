// Re-encryption configs for the golden-file test (render-reencrypt.test.ts). The key
// material is real (made by TestCa each run, so `haproxy -c` loads it); since it differs
// every run, the golden text has each content-named file as <sha256> (normalizeTlsNames).
import type { TlsCertificate__Output } from '../../src/grpc/gen/velox/agent/v1/TlsCertificate.js';
import { TestCa } from '../lib/test-ca.js';
import type { GoldenCase } from './golden-cases.js';
import { amphora, listener, member, monitor, pool } from './helpers.js';

/** TLS files are named `<kind>-<sha256 of content>.pem`; the golden text names them `<kind>-<sha256>.pem`. */
export function normalizeTlsNames(text: string): string {
  return text.replace(/\b(cert|ca|crl)-[0-9a-f]{64}\.pem\b/g, '$1-<sha256>.pem');
}

export interface ReencryptMaterial {
  ca: TestCa;
  client: TlsCertificate__Output;
  crlPem: string;
}

export async function reencryptMaterial(): Promise<ReencryptMaterial> {
  const ca = await TestCa.create('Velox reencrypt golden CA');
  const cert = await ca.issue({ subject: 'CN=haproxy-client,O=Velox tests', client: true });
  const revoked = await ca.issue({ subject: 'CN=revoked', names: ['127.209.11.9'] });
  ca.revoke(revoked);
  return {
    ca,
    client: {
      ref: 'client-ref',
      certificate_pem: cert.certPem,
      private_key_pem: cert.keyPem,
      intermediates_pem: [],
    },
    crlPem: await ca.crlPem(),
  };
}

const two = [member('m1', '10.209.1.11', 8443), member('m2', '10.209.1.12', 8443)];

export function reencryptGoldenCases(m: ReencryptMaterial): Record<string, GoldenCase> {
  return {
    // Everything Octavia passes: client cert, CA, CRL, ciphers of both TLS generations,
    // versions, ALPN h2, and an HTTPS monitor that verifies as the traffic does.
    'reencrypt-http-all-fields': {
      config: amphora(
        [listener({ protocol: 'HTTP' })],
        [
          pool(two, {
            protocol: 'HTTP',
            tls_enabled: true,
            tls_certificate: m.client,
            ca_pem: m.ca.certPem,
            crl_pem: m.crlPem,
            tls_ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:TLS_AES_128_GCM_SHA256',
            tls_versions: ['TLSv1.2', 'TLSv1.3'],
            alpn_protocols: ['h2', 'http/1.1'],
            health_monitor: monitor('HTTPS', { url_path: '/health', expected_codes: '200' }),
          }),
        ],
      ),
      listenerIds: ['l1'],
    },
    // TCP mode wraps the client's bytes in TLS; no CA: nothing verified. TLS-HELLO becomes
    // a handshake over the pool's TLS, also toward a monitor_port.
    'reencrypt-tcp-no-verify-tls-hello': {
      config: amphora(
        [listener({ protocol: 'TCP' })],
        [
          pool([member('m1', '10.209.1.11', 8443, { monitor_port: 9443 }), two[1]!], {
            tls_enabled: true,
            tls_versions: ['TLSv1.3'],
            health_monitor: monitor('TLS-HELLO'),
          }),
        ],
      ),
      listenerIds: ['l1'],
    },
    // A plain HTTP monitor on a TLS pool goes over TLS like the traffic, except toward a
    // monitor_port; with ALPN the check offers http/1.1, the HTTP it speaks.
    'reencrypt-http-monitor-alpn-monitor-port': {
      config: amphora(
        [listener({ protocol: 'HTTP' })],
        [
          pool([member('m1', '10.209.1.11', 8443, { monitor_port: 8080 }), two[1]!], {
            protocol: 'HTTP',
            tls_enabled: true,
            alpn_protocols: ['h2'],
            health_monitor: monitor('HTTP', {
              url_path: '/health',
              http_version: '1.1',
              domain_name: 'app.test',
            }),
          }),
        ],
      ),
      listenerIds: ['l1'],
    },
    // An HTTPS (passthrough) listener whose pool re-encrypts, verified by a CA only, TLS 1.3
    // suites only; a plain TCP pool beside it keeps ssl-hello-chk and verify-none HTTPS checks.
    'reencrypt-https-listener-ca-only': {
      config: amphora(
        [
          listener({ protocol: 'HTTPS', protocol_port: 443 }),
          listener({ id: 'l2', protocol: 'TCP', protocol_port: 444, default_pool_id: 'p2' }),
        ],
        [
          pool(two, {
            protocol: 'HTTPS',
            tls_enabled: true,
            ca_pem: m.ca.certPem,
            tls_ciphers: 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256',
            tls_versions: ['TLSv1', 'TLSv1.1', 'TLSv1.2'],
            health_monitor: monitor('TCP'),
          }),
          pool([member('m3', '10.209.1.13', 8443)], {
            id: 'p2',
            health_monitor: monitor('TLS-HELLO'),
          }),
        ],
      ),
      listenerIds: ['l1', 'l2'],
    },
  };
}
