// TERMINATED_HTTPS configs for the golden-file test (render-tls.test.ts). The key material is
// real (TestCa, made fresh each run) so `haproxy -c` loads it; the golden text names each PEM
// file by what it holds (cert-server.pem, ca-client-ca.pem...) instead of its content hash.
import type { L7Rule__Output } from '../../src/grpc/gen/velox/agent/v1/L7Rule.js';
import type { Listener__Output } from '../../src/grpc/gen/velox/agent/v1/Listener.js';
import type { TlsCertificate__Output } from '../../src/grpc/gen/velox/agent/v1/TlsCertificate.js';
import type { TlsFile } from '../../src/haproxy/tls-files.js';
import { TestCa, type TestCert } from '../lib/test-ca.js';
import type { GoldenCase } from './golden-cases.js';
import { policy, rule } from './golden-cases-http.js';
import { amphora, listener, member, pool } from './helpers.js';

export interface TlsMaterial {
  serverCa: TestCa;
  clientCa: TestCa;
  server: TestCert; // the default certificate
  sniA: TestCert;
  sniB: TestCert;
  crlPem: string; // the client CA's, listing one revoked client certificate
}

export async function tlsMaterial(): Promise<TlsMaterial> {
  const serverCa = await TestCa.create('Velox golden server CA');
  const clientCa = await TestCa.create('Velox golden client CA');
  const server = await serverCa.issue({ subject: 'CN=www.example.com', names: ['www.example.com'] });
  const sniA = await serverCa.issue({ subject: 'CN=a.example.com', names: ['a.example.com'] });
  const sniB = await serverCa.issue({
    subject: 'CN=b.example.com',
    names: ['b.example.com', '*.b.example.com'],
  });
  clientCa.revoke(await clientCa.issue({ subject: 'CN=revoked', client: true }));
  return { serverCa, clientCa, server, sniA, sniB, crlPem: await clientCa.crlPem() };
}

export function tlsCertificate(
  ref: string,
  cert: TestCert,
  intermediates: string[] = [],
): TlsCertificate__Output {
  return {
    ref,
    certificate_pem: cert.certPem,
    private_key_pem: cert.keyPem,
    intermediates_pem: intermediates,
  };
}

/** The listener fields of a TERMINATED_HTTPS listener with `m.server` as its default certificate. */
export function terminated(m: TlsMaterial, over: Partial<Listener__Output> = {}): Partial<Listener__Output> {
  return {
    protocol: 'TERMINATED_HTTPS',
    protocol_port: 443,
    default_tls: tlsCertificate('server', m.server),
    ...over,
  };
}

const http = { protocol: 'HTTP' };
const two = [member('m1', '10.209.1.11', 8080), member('m2', '10.209.1.12', 8080)];
/** Every insert_headers name a TERMINATED_HTTPS listener takes, all asked for. */
export const ALL_TLS_HEADERS = Object.fromEntries(
  [
    'X-Forwarded-For',
    'X-Forwarded-Proto',
    'X-SSL-Client-Verify',
    'X-SSL-Client-Has-Cert',
    'X-SSL-Client-DN',
    'X-SSL-Client-CN',
    'X-SSL-Issuer',
    'X-SSL-Client-SHA1',
    'X-SSL-Client-Not-Before',
    'X-SSL-Client-Not-After',
  ].map((h) => [h, 'true']),
);
const sslRule = (id: string, type: string, value: string, over: Partial<L7Rule__Output> = {}) =>
  rule(id, type, value, over);

export function tlsGoldenCases(m: TlsMaterial): Record<string, GoldenCase> {
  return {
    'tls-proxyv2-pool-sends-client-cn': {
      // Octavia's send-proxy-v2-ssl-cn: a PROXYV2 pool behind TLS termination gets the TLS TLVs.
      config: amphora([listener(terminated(m))], [pool(two, { protocol: 'PROXYV2' })]),
      listenerIds: ['l1'],
    },
    'tls-default-certificate': {
      config: amphora(
        [listener(terminated(m, { insert_headers: { 'X-Forwarded-Proto': 'true' } }))],
        [pool(two, http)],
      ),
      listenerIds: ['l1'],
    },
    'tls-sni-mandatory-crl-headers-policies': {
      config: amphora(
        [
          listener(
            terminated(m, {
              connection_limit: 5000,
              sni_tls: [
                tlsCertificate('sni-a', m.sniA, [m.serverCa.certPem]), // with its chain
                tlsCertificate('sni-b', m.sniB),
              ],
              client_authentication: 'MANDATORY',
              client_ca_pem: m.clientCa.certPem,
              client_crl_pem: m.crlPem,
              // TLS 1.3 suites and older ciphers in one string, as Octavia's API takes them.
              tls_ciphers: 'TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:ECDHE-ECDSA-AES256-GCM-SHA384',
              tls_versions: ['TLSv1.2', 'TLSv1.3'],
              alpn_protocols: ['h2', 'http/1.1'],
              hsts: { max_age: 31536000, include_subdomains: true, preload: true },
              insert_headers: ALL_TLS_HEADERS,
              l7policies: [
                policy('no-ops', 'REJECT', 1, [
                  sslRule('ou-ops', 'SSL_DN_FIELD', 'ops', { key: 'OU' }),
                  sslRule('has-cert', 'SSL_CONN_HAS_CERT', 'True'),
                ]),
                policy(
                  'bad-cert',
                  'REDIRECT_TO_URL',
                  2,
                  [sslRule('verify-failed', 'SSL_VERIFY_RESULT', '0', { invert: true })],
                  {
                    redirect_url: 'https://www.example.com/cert-help',
                  },
                ),
              ],
            }),
          ),
        ],
        [pool(two, http)],
      ),
      listenerIds: ['l1'],
    },
    'tls-optional-tls13-only-hsts-max-age': {
      config: amphora(
        [
          listener(
            terminated(m, {
              client_authentication: 'OPTIONAL',
              client_ca_pem: m.clientCa.certPem,
              tls_ciphers: 'TLS_CHACHA20_POLY1305_SHA256',
              tls_versions: ['TLSv1.3'],
              hsts: { max_age: 0, include_subdomains: false, preload: false },
              insert_headers: { 'X-SSL-Client-Verify': 'true', 'X-SSL-Client-Has-Cert': 'True' },
            }),
          ),
        ],
        [pool(two, http)],
      ),
      listenerIds: ['l1'],
    },
    'tls-none-with-ca-beside-http': {
      config: amphora(
        [
          listener({ ...http, id: 'plain', insert_headers: { 'X-Forwarded-Proto': 'true' } }),
          listener(
            terminated(m, {
              id: 'secure',
              // NONE with a CA: Octavia still writes the CA, with `verify none`.
              client_authentication: 'NONE',
              client_ca_pem: m.clientCa.certPem,
              client_crl_pem: m.crlPem,
              // The default certificate again among the SNI ones: one file, listed once.
              sni_tls: [tlsCertificate('server-again', m.server), tlsCertificate('sni-a', m.sniA)],
              tls_versions: ['TLSv1.1', 'TLSv1', 'TLSv1.2'], // any order: a range
              alpn_protocols: ['http/1.1', 'http/1.0'],
              insert_headers: { 'X-Forwarded-Proto': 'true', 'X-SSL-Client-DN': 'true' },
            }),
          ),
        ],
        [pool(two, http)],
      ),
      listenerIds: ['plain', 'secure'],
    },
  };
}

/**
 * The rendered text with the run directory as /run/velox/haproxy and each PEM file named by
 * what it holds; `files` are those the rendering returned.
 */
export function labelTlsFiles(text: string, runDir: string, files: TlsFile[], m: TlsMaterial): string {
  const certs: [string, TestCert][] = [
    ['server', m.server],
    ['sni-a', m.sniA],
    ['sni-b', m.sniB],
  ];
  const label = (f: TlsFile): string => {
    const kind = f.name.slice(0, f.name.lastIndexOf('-'));
    if (kind === 'crt-list') return 'crt-list';
    if (kind === 'cert')
      return `cert-${certs.find(([, c]) => f.content.startsWith(c.certPem.trim()))?.[0] ?? '?'}`;
    if (kind === 'ca' && f.content.trim() === m.clientCa.certPem.trim()) return 'ca-client-ca';
    if (kind === 'crl' && f.content.trim() === m.crlPem.trim()) return 'crl-client-ca';
    return `${kind}-?`;
  };
  let out = text.replaceAll(runDir, '/run/velox/haproxy');
  for (const f of files) {
    out = out.replaceAll(f.name, `${label(f)}.${f.name.split('.').pop()}`);
  }
  return out;
}
