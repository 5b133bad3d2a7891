// TERMINATED_HTTPS end to end on loopback (127.209.10.0/24, ports picked free): real HAProxy
// started by the manager, certificates from our test CA, real TLS clients and HTTP members in
// this process. Certificates served (default and SNI), client certificate verification with a
// CRL, the X-SSL-* headers members see, HSTS, and the SSL_* L7 rules on real certificates.
import t, { type Test } from 'tap';
import { X509Certificate } from 'node:crypto';
import type { Listener__Output } from '../../src/grpc/gen/velox/agent/v1/Listener.js';
import type { Pool__Output } from '../../src/grpc/gen/velox/agent/v1/Pool.js';
import { TestCa, type TestCert } from '../lib/test-ca.js';
import { policy, rule } from './golden-cases-http.js';
import { ALL_TLS_HEADERS, tlsCertificate } from './golden-cases-tls.js';
import { member, pool } from './helpers.js';
import { startHttpMember, type HttpMember } from './http-helpers.js';
import { httpsGet, serveTerminated, type TlsClientOptions } from './tls-helpers.js';

const VIP = '127.209.10.1';

interface Pki {
  serverCa: TestCa;
  clientCa: TestCa;
  otherCa: TestCa;
  www: TestCert;
  a: TestCert;
  b: TestCert;
  alice: TestCert; // a valid client
  ops: TestCert; // a valid client in OU=ops
  revoked: TestCert;
  stranger: TestCert; // from another CA
  crlPem: string;
}

async function pki(): Promise<Pki> {
  const serverCa = await TestCa.create('Velox vxh1 server CA');
  const clientCa = await TestCa.create('Velox vxh1 client CA');
  const otherCa = await TestCa.create('Velox vxh1 other CA');
  const server = (cn: string, ...extra: string[]) =>
    serverCa.issue({ subject: `CN=${cn}`, names: [cn, ...extra] });
  const client = (ca: TestCa, subject: string) => ca.issue({ subject, client: true });
  const p = {
    serverCa,
    clientCa,
    otherCa,
    www: await server('www.example.com'),
    a: await server('a.example.com'),
    b: await server('b.example.com', '*.b.example.com'),
    alice: await client(clientCa, 'CN=alice,O=Velox tests,OU=dev'),
    ops: await client(clientCa, 'CN=olga,O=Velox tests,OU=ops'),
    revoked: await client(clientCa, 'CN=mallory,O=Velox tests,OU=dev'),
    stranger: await client(otherCa, 'CN=alice,O=Velox tests,OU=dev'),
  };
  clientCa.revoke(p.revoked);
  return { ...p, crlPem: await clientCa.crlPem() };
}

/** A manager serving `listeners` (TERMINATED_HTTPS, default certificate www, every header) to one member. */
function serve(t: Test, p: Pki, listeners: Partial<Listener__Output>[], extraPools: Pool__Output[] = []) {
  return serveTerminated(
    t,
    {
      vip: VIP,
      memberAddress: '127.209.10.11',
      www: p.www,
      common: { insert_headers: ALL_TLS_HEADERS },
      extraPools,
    },
    listeners,
  );
}

/** What the member saw on the last request. */
const lastSeen = (m: HttpMember) => m.seen[m.seen.length - 1]!.headers;

t.test('the default certificate, SNI certificates by name, HSTS', async (t) => {
  const p = await pki();
  const { ports, main } = await serve(t, p, [
    {
      sni_tls: [tlsCertificate('a', p.a), tlsCertificate('b', p.b)],
      hsts: { max_age: 31536000, include_subdomains: true, preload: false },
    },
  ]);
  const get = (servername?: string) => httpsGet(VIP, ports[0]!, { ca: p.serverCa.certPem, servername });

  const plain = await get();
  t.equal(plain.servedCn, 'www.example.com', 'no SNI: the default certificate');
  t.equal(plain.status, 200);
  t.equal(plain.body, 'main', 'the member answered through TLS');
  t.equal(
    plain.headers['strict-transport-security'],
    'max-age=31536000; includeSubDomains;',
    'HSTS as Octavia',
  );
  t.equal(lastSeen(main)['x-forwarded-proto'], 'https', 'the member sees X-Forwarded-Proto https');

  t.equal((await get('a.example.com')).servedCn, 'a.example.com', 'SNI a: certificate a');
  t.equal((await get('b.example.com')).servedCn, 'b.example.com', 'SNI b: certificate b');
  t.equal((await get('x.b.example.com')).servedCn, 'b.example.com', 'a wildcard SAN matches too');
  t.equal((await get('unknown.example.com')).servedCn, 'www.example.com', 'an unknown name: the default');
  t.equal((await get('www.example.com')).servedCn, 'www.example.com');
});

t.test('client_authentication NONE, OPTIONAL, MANDATORY with a CRL', async (t) => {
  const p = await pki();
  const auth = (client_authentication: string) => ({
    client_authentication,
    client_ca_pem: p.clientCa.certPem,
    client_crl_pem: p.crlPem,
  });
  const { ports, main } = await serve(t, p, [{}, auth('OPTIONAL'), auth('MANDATORY')]);
  const get = (port: number, client?: TestCert) =>
    httpsGet(VIP, port, { ca: p.serverCa.certPem, client } satisfies TlsClientOptions);
  const [none, optional, mandatory] = ports as [number, number, number];

  // NONE: no certificate is asked for, so none is seen even when the client has one.
  for (const c of [undefined, p.alice, p.revoked, p.stranger]) {
    const a = await get(none, c);
    t.equal(a.status, 200, `NONE serves ${c?.subject ?? 'a client without certificate'}`);
    t.equal(lastSeen(main)['x-ssl-client-has-cert'], '0');
  }

  // OPTIONAL: no certificate is fine, a bad one is refused in the handshake.
  t.equal((await get(optional)).status, 200, 'OPTIONAL serves a client without certificate');
  t.equal(lastSeen(main)['x-ssl-client-has-cert'], '0');
  t.equal((await get(optional, p.alice)).status, 200, 'OPTIONAL serves a valid certificate');
  t.equal(lastSeen(main)['x-ssl-client-has-cert'], '1');
  t.equal(lastSeen(main)['x-ssl-client-verify'], '0', 'verified (0 = X509_V_OK)');
  await t.rejects(get(optional, p.revoked), 'OPTIONAL refuses a revoked certificate (CRL)');
  await t.rejects(get(optional, p.stranger), 'OPTIONAL refuses a certificate of another CA');

  // MANDATORY: only a valid certificate.
  t.equal((await get(mandatory, p.alice)).status, 200, 'MANDATORY serves a valid certificate');
  await t.rejects(get(mandatory), 'MANDATORY refuses a client without certificate');
  await t.rejects(get(mandatory, p.revoked), 'MANDATORY refuses a revoked certificate (CRL)');
  await t.rejects(get(mandatory, p.stranger), 'MANDATORY refuses a certificate of another CA');
  const served = main.seen.length;
  await t.rejects(get(mandatory));
  t.equal(main.seen.length, served, 'a refused client reaches no member');
});

t.test('the X-SSL-* headers the member sees, as Octavia writes them', async (t) => {
  const p = await pki();
  const { ports, main } = await serve(t, p, [
    { client_authentication: 'MANDATORY', client_ca_pem: p.clientCa.certPem },
  ]);
  t.equal((await httpsGet(VIP, ports[0]!, { ca: p.serverCa.certPem, client: p.alice })).status, 200);
  const h = lastSeen(main);
  const x509 = new X509Certificate(p.alice.certPem);
  t.equal(h['x-ssl-client-verify'], '0');
  t.equal(h['x-ssl-client-has-cert'], '1');
  t.equal(h['x-ssl-client-dn'], '/CN=alice/O=Velox tests/OU=dev', 'subject DN');
  t.equal(h['x-ssl-client-cn'], 'alice');
  t.equal(h['x-ssl-issuer'], '/CN=Velox vxh1 client CA');
  t.equal(h['x-ssl-client-sha1'], x509.fingerprint.replaceAll(':', ''), 'the certificate SHA-1');
  const asn1Time = (d: string) =>
    new Date(d).toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d).*/, '$1$2$3$4$5$6Z');
  t.equal(h['x-ssl-client-not-before'], asn1Time(x509.validFrom));
  t.equal(h['x-ssl-client-not-after'], asn1Time(x509.validTo));
  t.equal(h['x-forwarded-proto'], 'https');
});

t.test('SSL_CONN_HAS_CERT, SSL_VERIFY_RESULT and SSL_DN_FIELD act on real certificates', async (t) => {
  const p = await pki();
  const verified = await startHttpMember(t, 'verified', '127.209.10.12');
  const verifiedPool = pool([member('verified', verified.address, verified.port)], {
    id: 'p-verified',
    protocol: 'HTTP',
  });
  const { ports } = await serve(
    t,
    p,
    [
      {
        client_authentication: 'OPTIONAL',
        client_ca_pem: p.clientCa.certPem,
        client_crl_pem: p.crlPem,
        l7policies: [
          policy('no-ops', 'REJECT', 1, [rule('ou-ops', 'SSL_DN_FIELD', 'ops', { key: 'OU' })]),
          policy(
            'cert-only',
            'REDIRECT_TO_URL',
            2,
            [rule('has-cert', 'SSL_CONN_HAS_CERT', 'True', { invert: true })],
            {
              redirect_url: 'https://www.example.com/get-a-certificate',
            },
          ),
          policy('to-verified', 'REDIRECT_TO_POOL', 3, [rule('ok', 'SSL_VERIFY_RESULT', '0')], {
            redirect_pool_id: 'p-verified',
          }),
        ],
      },
    ],
    [verifiedPool],
  );
  const get = (client?: TestCert) => httpsGet(VIP, ports[0]!, { ca: p.serverCa.certPem, client });

  const none = await get();
  t.equal(none.status, 302, 'no certificate: SSL_CONN_HAS_CERT (inverted) redirects');
  t.equal(none.headers.location, 'https://www.example.com/get-a-certificate');
  t.equal((await get(p.alice)).body, 'verified', 'SSL_VERIFY_RESULT 0: to the pool of verified clients');
  t.equal((await get(p.ops)).status, 403, 'SSL_DN_FIELD OU = ops: rejected');
});
