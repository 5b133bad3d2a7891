// Re-encryption to members end to end on loopback (127.209.11.0/24, ports picked free): a
// real HAProxy run by the manager, TLS members (node https/http2/tls) with certificates from
// TestCa, and what the members and clients see for each of the pool's TLS fields.
import t, { type Test } from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Member__Output } from '../../src/grpc/gen/velox/agent/v1/Member.js';
import type { Pool__Output } from '../../src/grpc/gen/velox/agent/v1/Pool.js';
import { TestCa } from '../lib/test-ca.js';
import {
  amphora,
  eventually,
  exchange,
  freePort,
  listener,
  managerFor,
  member,
  monitor,
  pool,
} from './helpers.js';
import { httpDistribution, httpGet, startHttpMember } from './http-helpers.js';
import { startTlsMember, type TlsMember } from './tls-members.js';

const VIP = '127.209.11.1';
const LONG = { timeoutMs: 15_000 }; // a refused member costs HAProxy's retries before the 503

const ca = await TestCa.create('Velox reencrypt members CA');
const otherCa = await TestCa.create('Velox reencrypt other CA');
const serverCert = (address: string, from = ca) => from.issue({ subject: `CN=${address}`, names: [address] });

/** One HAProxy for a test, on a free VIP port; `apply` serves an HTTP listener with a TLS pool. */
async function harness(t: Test) {
  const { manager, runDir } = managerFor(t);
  const port = await freePort(VIP);
  const apply = async (members: Member__Output[], over: Partial<Pool__Output>): Promise<void> => {
    const config = amphora(
      [listener({ protocol: 'HTTP', vip_address: VIP, protocol_port: port })],
      [pool(members, { protocol: 'HTTP', tls_enabled: true, ...over })],
    );
    await manager.apply(config, ['l1']);
  };
  const statusOf = async (id: string) => (await manager.status()).members.find((m) => m.id === id)?.status;
  return { manager, runDir, port, apply, statusOf };
}
const asMember = (m: TlsMember | { name: string; address: string; port: number }) =>
  member(m.name, m.address, m.port);

t.test('tls_enabled: an HTTP pool reaches its members over TLS', async (t) => {
  const a = await startTlsMember(t, 'a', '127.209.11.11', await serverCert('127.209.11.11'));
  const h = await harness(t);
  await h.apply([asMember(a)], {});
  const answer = await httpGet(VIP, h.port, '/over-tls');
  t.equal(answer.status, 200);
  t.equal(answer.body, 'a', 'the TLS member answered');
  t.same(
    a.requests.map((r) => [r.path, r.encrypted]),
    [['/over-tls', true]],
    'the member got the request on a TLS socket',
  );
  t.equal(a.connections[0]?.peerCn, undefined, 'no client certificate without tls_certificate');
});

t.test('tls_enabled behind a TCP listener: the bytes are wrapped in TLS', async (t) => {
  const a = await startTlsMember(t, 'raw', '127.209.11.12', await serverCert('127.209.11.12'), { raw: true });
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  await manager.apply(
    amphora(
      [listener({ vip_address: VIP, protocol_port: port })],
      [pool([asMember(a)], { tls_enabled: true })],
    ),
    ['l1'],
  );
  t.equal((await exchange(VIP, port)).trim(), 'raw', 'a plain TCP client reached the TLS member');
  t.equal(a.connections.length, 1, 'through one TLS connection');
});

t.test("a TCP listener does not offer the pool's ALPN: the client's bytes are not HTTP/2", async (t) => {
  const m = await startTlsMember(t, 'h2-capable', '127.209.11.13', await serverCert('127.209.11.13'), {
    http2: true,
  });
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  await manager.apply(
    amphora(
      [listener({ vip_address: VIP, protocol_port: port })],
      [pool([asMember(m)], { tls_enabled: true, alpn_protocols: ['h2', 'http/1.1', 'http/1.0'] })],
    ),
    ['l1'],
  );
  const answer = await exchange(VIP, port, {
    send: 'GET /tcp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  });
  t.match(
    answer,
    /^HTTP\/1\.1 200 [\s\S]*\r\nh2-capable\r\n/,
    "Octavia's default ALPN list still reaches an h2 member",
  );
  t.equal(m.connections.at(-1)?.alpn, false, 'no protocol negotiated');
});

t.test('ca_pem: members are verified; one from another CA is never used', async (t) => {
  const good = await startTlsMember(t, 'good', '127.209.11.21', await serverCert('127.209.11.21'));
  const bad = await startTlsMember(t, 'bad', '127.209.11.22', await serverCert('127.209.11.22', otherCa));
  const h = await harness(t);
  await h.apply([asMember(bad)], { ca_pem: ca.certPem });
  t.equal((await httpGet(VIP, h.port, '/', LONG)).status, 503, 'the only member is refused: 503');
  t.equal(bad.requests.length, 0, 'it never got the request');
  t.ok(bad.handshakeErrors.length > 0, `its handshakes failed: ${bad.handshakeErrors[0]}`);

  await h.apply([asMember(good), asMember(bad)], { ca_pem: ca.certPem });
  t.same(await httpDistribution(VIP, h.port, 4), { good: 4 }, 'only the verified member serves');
  t.equal(bad.requests.length, 0, 'the other one still got nothing');
  await h.apply([asMember(good), asMember(bad)], {});
  t.same(
    await httpDistribution(VIP, h.port, 4),
    { good: 2, bad: 2 },
    'without ca_pem nothing is verified (verify none)',
  );
});

t.test('an HTTPS monitor on a verified pool: the unverifiable member is ERROR', async (t) => {
  const good = await startTlsMember(t, 'good', '127.209.11.31', await serverCert('127.209.11.31'));
  const bad = await startTlsMember(t, 'bad', '127.209.11.32', await serverCert('127.209.11.32', otherCa));
  const h = await harness(t);
  await h.apply([asMember(good), asMember(bad)], {
    ca_pem: ca.certPem,
    health_monitor: monitor('HTTPS', { url_path: '/health', expected_codes: '200' }),
  });
  await eventually('good ONLINE and bad ERROR', async () =>
    (await h.statusOf('good')) === 'ONLINE' && (await h.statusOf('bad')) === 'ERROR' ? true : undefined,
  );
  t.pass('good ONLINE, bad ERROR');
  t.ok(
    good.requests.some((r) => r.path === '/health' && r.encrypted),
    'the check reached /health over TLS',
  );
  t.same(await httpDistribution(VIP, h.port, 3), { good: 3 });

  good.healthStatus = 500;
  await eventually('good ERROR on a 500', async () =>
    (await h.statusOf('good')) === 'ERROR' ? true : undefined,
  );
  t.pass('a failing /health takes the member out');
  good.healthStatus = 200;
  await eventually('good back ONLINE', async () =>
    (await h.statusOf('good')) === 'ONLINE' ? true : undefined,
  );
  t.pass('and it comes back');
});

t.test('crl_pem: a revoked member certificate is refused, also by a TLS-HELLO monitor', async (t) => {
  const revokedCert = await serverCert('127.209.11.42');
  const ok = await startTlsMember(t, 'ok', '127.209.11.41', await serverCert('127.209.11.41'));
  const revoked = await startTlsMember(t, 'revoked', '127.209.11.42', revokedCert);
  const plain = await startHttpMember(t, 'plain', '127.209.11.43');
  ca.revoke(revokedCert);
  const crl = await ca.crlPem();
  const h = await harness(t);

  await h.apply([asMember(revoked)], { ca_pem: ca.certPem, crl_pem: crl });
  t.equal((await httpGet(VIP, h.port, '/', LONG)).status, 503, 'the revoked member alone: 503');
  t.equal(revoked.requests.length, 0);
  await h.apply([asMember(revoked)], { ca_pem: ca.certPem });
  t.equal((await httpGet(VIP, h.port, '/')).body, 'revoked', 'without the CRL it is trusted');

  await h.apply([asMember(ok), asMember(revoked), member('plain', plain.address, plain.port)], {
    ca_pem: ca.certPem,
    crl_pem: crl,
    health_monitor: monitor('TLS-HELLO'),
  });
  await eventually('ok ONLINE, revoked and plain ERROR', async () => {
    const s = await Promise.all(['ok', 'revoked', 'plain'].map((id) => h.statusOf(id)));
    return s.join(' ') === 'ONLINE ERROR ERROR' ? true : undefined;
  });
  t.pass('TLS-HELLO: the member with a valid certificate is ONLINE, the revoked and the plain one ERROR');
  t.same(await httpDistribution(VIP, h.port, 3), { ok: 3 });
});

t.test('tls_certificate: the member sees HAProxy present the client certificate', async (t) => {
  const clientCa = await TestCa.create('Velox reencrypt client CA');
  const client = await clientCa.issue({ subject: 'CN=velox-haproxy,O=Velox tests', client: true });
  const m = await startTlsMember(t, 'mtls', '127.209.11.51', await serverCert('127.209.11.51'), {
    clientCaPem: clientCa.certPem,
  });
  const h = await harness(t);
  await h.apply([asMember(m)], {});
  // TLS 1.3: HAProxy's handshake is done before the member checks the certificate, so the
  // refusal usually meets the request already sent (502); a refusal during the handshake is 503.
  const refused = await httpGet(VIP, h.port, '/', LONG);
  t.ok([502, 503].includes(refused.status), `no client certificate: refused (${refused.status})`);
  t.equal(m.requests.length, 0);

  await h.apply([asMember(m)], {
    tls_certificate: {
      ref: 'client',
      certificate_pem: client.certPem,
      private_key_pem: client.keyPem,
      intermediates_pem: [],
    },
  });
  t.equal((await httpGet(VIP, h.port, '/mtls')).body, 'mtls');
  t.equal(m.connections.at(-1)?.peerCn, 'velox-haproxy', "the member saw HAProxy's client certificate");
  const tlsDir = join(h.runDir, 'tls');
  t.equal(statSync(tlsDir).mode & 0o777, 0o700, 'the TLS directory is 0700');
  const written = readdirSync(tlsDir);
  t.same(
    written.map((f) => f.split('-')[0]),
    ['cert'],
    'one file: the client certificate with its key',
  );
  t.equal(statSync(join(tlsDir, written[0]!)).mode & 0o777, 0o600, 'written 0600');
  t.match(readFileSync(join(tlsDir, written[0]!), 'utf8'), /BEGIN PRIVATE KEY/);
});

t.test('alpn_protocols h2: HAProxy speaks HTTP/2 to the member', async (t) => {
  const m = await startTlsMember(t, 'h2', '127.209.11.61', await serverCert('127.209.11.61'), {
    http2: true,
  });
  const h = await harness(t);
  await h.apply([asMember(m)], { alpn_protocols: ['h2'] });
  t.equal((await httpGet(VIP, h.port, '/h2')).body, 'h2');
  t.equal(m.connections.at(-1)?.alpn, 'h2', 'ALPN negotiated h2');
  t.equal(m.requests.find((r) => r.path === '/h2')?.httpVersion, '2.0', 'the request came as HTTP/2');

  await h.apply([asMember(m)], {
    alpn_protocols: ['h2', 'http/1.1'],
    health_monitor: monitor('HTTPS', { url_path: '/health', expected_codes: '200' }),
  });
  await eventually('the h2 member ONLINE', async () =>
    (await h.statusOf('h2')) === 'ONLINE' ? true : undefined,
  );
  t.ok(
    m.requests.some((r) => r.path === '/health'),
    'an HTTPS check works on an h2 pool',
  );

  await h.apply([asMember(m)], {});
  t.equal((await httpGet(VIP, h.port, '/h1')).body, 'h2');
  t.equal(m.requests.find((r) => r.path === '/h1')?.httpVersion, '1.1', 'without ALPN: HTTP/1.1');
});

t.test(
  'tls_versions: a member offering only TLSv1.2 is refused when the pool allows TLSv1.3 only',
  async (t) => {
    const old = await startTlsMember(t, 'old', '127.209.11.71', await serverCert('127.209.11.71'), {
      maxVersion: 'TLSv1.2',
    });
    const h = await harness(t);
    await h.apply([asMember(old)], { tls_versions: ['TLSv1.3'] });
    t.equal((await httpGet(VIP, h.port, '/', LONG)).status, 503, 'TLSv1.3 only: refused');
    t.equal(old.requests.length, 0);
    await h.apply([asMember(old)], { tls_versions: ['TLSv1.2', 'TLSv1.3'] });
    t.equal((await httpGet(VIP, h.port, '/')).body, 'old', 'TLSv1.2 allowed: served');
    t.equal(old.connections.at(-1)?.protocol, 'TLSv1.2');
  },
);
