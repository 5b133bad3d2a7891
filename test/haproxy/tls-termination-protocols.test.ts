// TERMINATED_HTTPS end to end on loopback (127.209.10.0/24, ports picked free), the protocol
// side: HTTP/2 by ALPN, tls_versions and tls_ciphers as clients meet them, and the key
// material the manager writes (0600 files in a 0700 directory, gone with the listener).
import t, { type Test } from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Listener__Output } from '../../src/grpc/gen/velox/agent/v1/Listener.js';
import { haproxyPaths } from '../../src/haproxy/paths.js';
import { TestCa, type TestCert } from '../lib/test-ca.js';
import { tlsCertificate } from './golden-cases-tls.js';
import { amphora, freePort, listener } from './helpers.js';
import { httpGet } from './http-helpers.js';
import { http2Get, httpsGet, serveTerminated } from './tls-helpers.js';

const VIP = '127.209.10.2';

async function serverCert(): Promise<{ ca: TestCa; www: TestCert }> {
  const ca = await TestCa.create('Velox vxh1 protocols CA');
  return { ca, www: await ca.issue({ subject: 'CN=www.example.com', names: ['www.example.com'] }) };
}

function serve(t: Test, www: TestCert, listeners: Partial<Listener__Output>[]) {
  return serveTerminated(t, { vip: VIP, memberAddress: '127.209.10.21', www }, listeners);
}

t.test('HTTP/2 by ALPN, HTTP/1.1 for the clients that ask for it', async (t) => {
  const { ca, www } = await serverCert();
  const { ports } = await serve(t, www, [{ alpn_protocols: ['h2', 'http/1.1'] }, {}]);
  const [withAlpn, withoutAlpn] = ports as [number, number];

  const h2 = await http2Get(VIP, withAlpn, { ca: ca.certPem });
  t.equal(h2.alpn, 'h2', 'h2 negotiated');
  t.equal(h2.status, 200);
  t.equal(h2.body, 'main', 'an HTTP/2 request reaches the HTTP/1.1 member');

  const h1 = await httpsGet(VIP, withAlpn, { ca: ca.certPem, ALPNProtocols: ['http/1.1'] });
  t.equal(h1.alpn, 'http/1.1', 'an HTTP/1.1 client gets http/1.1');
  t.equal(h1.body, 'main');

  const none = await httpsGet(VIP, withoutAlpn, { ca: ca.certPem, ALPNProtocols: ['h2', 'http/1.1'] });
  t.equal(none.alpn, false, 'no alpn_protocols: no protocol is negotiated');
  t.equal(none.body, 'main', 'and the client speaks HTTP/1.1');
  // HAProxy reads the HTTP/2 preface on an HTTP mode connection even without ALPN.
  const prior = await http2Get(VIP, withoutAlpn, { ca: ca.certPem });
  t.equal(prior.alpn, false, 'HTTP/2 with prior knowledge: no ALPN');
  t.equal(prior.body, 'main', 'and still answered');
});

t.test('tls_versions and tls_ciphers restrict what clients can use', async (t) => {
  const { ca, www } = await serverCert();
  const { ports } = await serve(t, www, [
    { tls_versions: ['TLSv1.3'], tls_ciphers: 'TLS_CHACHA20_POLY1305_SHA256' },
    { tls_versions: ['TLSv1.2'], tls_ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' },
  ]);
  const [tls13, tls12] = ports as [number, number];
  const get = (port: number, over: Parameters<typeof httpsGet>[2] extends infer O ? Partial<O> : never) =>
    httpsGet(VIP, port, { ca: ca.certPem, ...over });

  const modern = await get(tls13, {});
  t.equal(modern.protocol, 'TLSv1.3');
  t.equal(modern.cipher, 'TLS_CHACHA20_POLY1305_SHA256', 'the one TLS 1.3 suite allowed (ciphersuites)');
  await t.rejects(
    get(tls13, { maxVersion: 'TLSv1.2' }),
    'a TLSv1.2-only client is refused where only TLSv1.3 is',
  );

  const older = await get(tls12, {});
  t.equal(older.protocol, 'TLSv1.2', 'a TLSv1.3 capable client falls back to TLSv1.2');
  t.equal(older.cipher, 'ECDHE-ECDSA-AES128-GCM-SHA256', 'the one TLS 1.2 cipher allowed (ciphers)');
  await t.rejects(
    get(tls12, { minVersion: 'TLSv1.3' }),
    'a TLSv1.3-only client is refused where only TLSv1.2 is',
  );
  await t.rejects(
    get(tls12, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' }),
    'a client without the allowed cipher is refused',
  );
});

t.test('key material: 0600 files in a 0700 directory, removed with the listener', async (t) => {
  const { ca, www } = await serverCert();
  const plainPort = await freePort(VIP);
  const { manager, runDir, config } = await serve(t, www, [{}]);
  const tlsDir = haproxyPaths(runDir).tlsDir;
  t.equal(statSync(tlsDir).mode & 0o777, 0o700, 'the TLS directory is 0700');
  const names = readdirSync(tlsDir);
  t.equal(names.filter((n) => n.startsWith('cert-')).length, 1, 'one certificate file');
  t.equal(names.filter((n) => n.startsWith('crt-list-')).length, 1, 'one crt-list');
  for (const n of names)
    t.equal(statSync(join(tlsDir, n)).mode & 0o777, 0o600, `${n.slice(0, n.lastIndexOf('-'))} file is 0600`);
  const keyFile = names.find((n) => n.startsWith('cert-'))!;
  t.ok(
    readFileSync(join(tlsDir, keyFile), 'utf8').includes(www.keyPem.trim()),
    'the key is in the certificate file',
  );
  t.notOk(
    readFileSync(join(runDir, 'haproxy.cfg'), 'utf8').includes('PRIVATE KEY'),
    'and not in haproxy.cfg',
  );
  const port = config.listeners[0]!.protocol_port;
  t.equal((await httpsGet(VIP, port, { ca: ca.certPem })).servedCn, 'www.example.com');

  // A new certificate: a new file, served after the reload; the old key file is removed.
  const renewed = await ca.issue({ subject: 'CN=renewed.example.com', names: ['renewed.example.com'] });
  config.listeners[0]!.default_tls = tlsCertificate('www', renewed);
  await manager.apply(config, ['l1']);
  t.equal((await httpsGet(VIP, port, { ca: ca.certPem })).servedCn, 'renewed.example.com', 'renewed');
  const renamed = readdirSync(tlsDir);
  t.equal(renamed.length, 2, 'still one certificate file and one crt-list');
  t.notOk(renamed.includes(keyFile), 'the old certificate and key file is gone');

  // The TLS listener goes, an HTTP one stays: HAProxy reloads and the files are removed.
  const plain = listener({ id: 'plain', vip_address: VIP, protocol: 'HTTP', protocol_port: plainPort });
  await manager.apply(amphora([...config.listeners, plain], config.pools), ['plain']);
  t.same(readdirSync(tlsDir), [], 'no key material left once no listener uses it');
  t.equal((await httpGet(VIP, plainPort, '/')).body, 'main', 'the other listener still serves');
  await t.rejects(
    httpsGet(VIP, config.listeners[0]!.protocol_port, { ca: ca.certPem }),
    'the TLS listener is gone',
  );

  // Back again, then nothing served at all: the directory itself goes.
  await manager.apply(config, ['l1']);
  t.equal(readdirSync(tlsDir).length, 2, 'certificate and crt-list written again');
  await manager.apply(config, []);
  t.throws(() => statSync(tlsDir), { code: 'ENOENT' }, 'HAProxy stopped: the TLS directory is removed');
});

t.test('a refused certificate leaves the previous configuration serving and writes nothing', async (t) => {
  const { ca, www } = await serverCert();
  const other = await ca.issue({ subject: 'CN=other.example.com', names: ['other.example.com'] });
  const { manager, runDir, config } = await serve(t, www, [{}]);
  const tlsDir = haproxyPaths(runDir).tlsDir;
  const before = readdirSync(tlsDir).sort();
  const bad = structuredClone(config);
  bad.listeners[0]!.default_tls = { ...tlsCertificate('www', www), private_key_pem: other.keyPem };
  await t.rejects(manager.apply(bad, ['l1']), {
    name: 'HaproxyConfigError',
    path: 'listeners[0].default_tls.private_key_pem',
  });
  t.same(readdirSync(tlsDir).sort(), before, 'no file of the refused configuration written');
  const port = config.listeners[0]!.protocol_port;
  t.equal((await httpsGet(VIP, port, { ca: ca.certPem })).servedCn, 'www.example.com', 'still served');
});
