// Re-encryption rendering: golden files (key material made fresh by TestCa, file names
// normalized, see golden-cases-reencrypt.ts), `haproxy -c` on the same config with its
// files written, the files themselves, and a named error for every bad field.
// UPDATE_GOLDEN=1 rewrites the golden files.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AmphoraConfig__Output } from '../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { Pool__Output } from '../../src/grpc/gen/velox/agent/v1/Pool.js';
import { HaproxyConfigError, HaproxyUnsupportedError } from '../../src/haproxy/errors.js';
import { haproxyPaths } from '../../src/haproxy/paths.js';
import { renderHaproxy } from '../../src/haproxy/render.js';
import { normalizeTlsNames, reencryptGoldenCases, reencryptMaterial } from './golden-cases-reencrypt.js';
import { amphora, listener, member, monitor, pool } from './helpers.js';
import {
  DEFAULT_ALPN_PROTOCOLS,
  DEFAULT_TLS_CIPHERS,
  DEFAULT_TLS_VERSIONS,
} from '../../controller/api/protocol-rules.js';

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const RUN_DIR = '/run/velox/haproxy';
const TLS_DIR = haproxyPaths(RUN_DIR).tlsDir;

/** Renders into a temporary run directory, writes the TLS files there, runs `haproxy -c`. */
function haproxyCheck(config: AmphoraConfig__Output, listenerIds: string[]): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vxh2-golden-'));
  try {
    const paths = haproxyPaths(dir);
    const { text, files } = renderHaproxy(config, listenerIds, { runDir: dir });
    mkdirSync(paths.tlsDir, { mode: 0o700 });
    for (const f of files) writeFileSync(join(paths.tlsDir, f.name), f.content, { mode: 0o600 });
    writeFileSync(paths.config, text);
    const output = execFileSync('haproxy', ['-c', '-f', paths.config], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, output };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}${e.stdout ? '' : (e.message ?? '')}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const material = await reencryptMaterial();

for (const [name, c] of Object.entries(reencryptGoldenCases(material))) {
  t.test(`golden: ${name}`, async (t) => {
    const { text, files } = renderHaproxy(c.config, c.listenerIds, { runDir: RUN_DIR });
    const normalized = normalizeTlsNames(text);
    const file = join(goldenDir, `${name}.cfg`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, normalized);
    t.ok(existsSync(file), `golden/${name}.cfg exists (UPDATE_GOLDEN=1 writes it)`);
    t.equal(normalized, readFileSync(file, 'utf8'), `matches golden/${name}.cfg`);
    const named = [...text.matchAll(/ (?:crt|ca-file|crl-file) (\S+)/g)].map((m) => m[1]!);
    t.same(
      [...new Set(named)].sort(),
      files.map((f) => join(TLS_DIR, f.name)).sort(),
      'the config names exactly the files rendered, all in the TLS directory',
    );
    const check = haproxyCheck(c.config, c.listenerIds);
    t.ok(check.ok, `haproxy -c accepts it with the real files: ${check.output}`);
    t.notMatch(check.output, /\[WARNING\]/, 'without warnings');
  });
}

const tlsPool = (over: Partial<Pool__Output> = {}): Pool__Output =>
  pool([member('m1', '10.209.1.11', 8443), member('m2', '10.209.1.12', 8443)], {
    protocol: 'HTTP',
    tls_enabled: true,
    tls_certificate: material.client,
    ca_pem: material.ca.certPem,
    crl_pem: material.crlPem,
    ...over,
  });
const render = (p: Pool__Output, protocol = 'HTTP') =>
  renderHaproxy(amphora([listener({ protocol })], [p]), ['l1'], { runDir: RUN_DIR });
const serverLines = (text: string) => text.split('\n').filter((l) => /^ {4}server /.test(l));
/** A PEM as checkPem writes it: ending in one newline (the CA library's have none). */
const pem = (s: string) => `${s.trim()}\n`;

t.test('the client certificate file: certificate, intermediates, then key', async (t) => {
  const intermediate = await material.ca.issue({ subject: 'CN=not really an intermediate' });
  const { files } = render(
    tlsPool({ tls_certificate: { ...material.client, intermediates_pem: [intermediate.certPem] } }),
  );
  const cert = files.find((f) => f.name.startsWith('cert-'))!;
  t.equal(
    cert.content,
    [material.client.certificate_pem, intermediate.certPem, material.client.private_key_pem]
      .map(pem)
      .join(''),
  );
  t.same(
    files.map((f) => f.name.split('-')[0]),
    ['ca', 'cert', 'crl'],
    'one file per kind although two members and the CA appear on both lines',
  );
  t.equal(files.find((f) => f.name.startsWith('ca-'))?.content, pem(material.ca.certPem));
  t.equal(files.find((f) => f.name.startsWith('crl-'))?.content, pem(material.crlPem));
});

t.test('tls_enabled false: the TLS fields are ignored, as Octavia ignores them', async (t) => {
  const plain = render(pool([member('m1', '10.209.1.11', 8443)], { protocol: 'HTTP' }));
  const disabled = render(
    tlsPool({
      tls_enabled: false,
      members: [member('m1', '10.209.1.11', 8443)],
      tls_ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
      tls_versions: ['TLSv1.3'],
      alpn_protocols: ['h2'],
    }),
  );
  t.equal(disabled.text, plain.text, 'no ssl, crt, ca-file or other option');
  t.same(disabled.files, [], 'and no key material written');
  const badButDisabled = render(tlsPool({ tls_enabled: false, ca_pem: 'junk' }));
  t.same(badButDisabled.files, [], 'unused material is not even read');
});

t.test('without a CA: verify none; with one: verify required (also without a CRL)', async (t) => {
  const none = serverLines(render(tlsPool({ ca_pem: '', crl_pem: '', tls_certificate: null })).text);
  t.match(none[0], / ssl verify none sni ssl_fc_sni$/);
  const caOnly = serverLines(render(tlsPool({ crl_pem: '', tls_certificate: null })).text);
  t.match(caOnly[0], / ssl ca-file \S+ verify required sni ssl_fc_sni$/);
  t.notMatch(caOnly[0], /crl-file/);
});

t.test('health checks on a TLS pool use the pool TLS settings', async (t) => {
  const https = serverLines(render(tlsPool({ health_monitor: monitor('HTTPS') })).text)[0]!;
  t.match(https, / check check-ssl inter 1s /);
  t.notMatch(https, /verify none/, 'the CA verifies health checks as it verifies traffic');
  const hello = render(tlsPool({ health_monitor: monitor('TLS-HELLO') }), 'HTTP').text;
  t.notMatch(hello, /ssl-hello-chk/, 'no raw SSLv3 hello inside TLS');
  t.match(serverLines(hello)[0], / check check-ssl inter 1s /);
  const h2 = serverLines(render(tlsPool({ alpn_protocols: ['h2'], health_monitor: monitor('HTTPS') })).text);
  t.match(
    h2[0],
    / check check-ssl check-alpn http\/1\.1 inter /,
    'an HTTP check on an ALPN pool offers http/1.1',
  );
  const noAlpn = serverLines(render(tlsPool({ health_monitor: monitor('HTTP') })).text);
  t.notMatch(noAlpn[0], /check-alpn/);
  const plainHello = render(
    pool([member('m1', '10.209.1.11', 8443)], { health_monitor: monitor('TLS-HELLO') }),
    'TCP',
  );
  t.match(plainHello.text, /option ssl-hello-chk/, 'a plain pool keeps ssl-hello-chk');
  const plainHttps = render(
    pool([member('m1', '10.209.1.11', 8443)], { health_monitor: monitor('HTTPS') }),
    'TCP',
  );
  t.match(
    serverLines(plainHttps.text)[0],
    / check check-ssl verify none /,
    "a plain pool keeps Octavia's verify none",
  );
});

t.test('tls_versions become one ssl-min-ver/ssl-max-ver range', async (t) => {
  const line = (tls_versions: string[]) => serverLines(render(tlsPool({ tls_versions })).text)[0];
  t.match(line(['TLSv1.3']), / ssl-min-ver TLSv1\.3 ssl-max-ver TLSv1\.3/);
  t.match(line(['TLSv1.2', 'TLSv1', 'TLSv1.1']), / ssl-min-ver TLSv1\.0 ssl-max-ver TLSv1\.2/);
  t.match(line(['SSLv3', 'TLSv1']), / ssl-min-ver SSLv3 ssl-max-ver TLSv1\.0/);
  t.notMatch(line([]), /ssl-m..-ver/, 'none given: HAProxy defaults');
});

t.test('ciphers: TLS 1.3 suites to ciphersuites, the rest to ciphers', async (t) => {
  const line = (tls_ciphers: string) => serverLines(render(tlsPool({ tls_ciphers })).text)[0];
  t.match(
    line('ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256:!aNULL'),
    / ciphers ECDHE-RSA-AES128-GCM-SHA256:!aNULL ciphersuites TLS_AES_128_GCM_SHA256/,
  );
  t.notMatch(line('TLS_AES_128_GCM_SHA256'), / ciphers /);
  t.notMatch(line('HIGH:@STRENGTH'), /ciphersuites/);
});

t.test('ALPN is offered in HTTP mode only: TCP mode cannot speak what the member picks', async (t) => {
  const p = tlsPool({
    protocol: 'TCP',
    alpn_protocols: ['h2', 'http/1.1'],
    health_monitor: monitor('HTTPS'),
  });
  const tcp = serverLines(render(p, 'TCP').text)[0]!;
  t.notMatch(tcp, /alpn/);
  t.throws(() => render({ ...p, alpn_protocols: ['spdy/3'] }, 'TCP'), HaproxyConfigError, 'but validated');
});

t.test("the controller's defaults for a TLS pool (Octavia's) render and pass haproxy -c", async (t) => {
  const p = tlsPool({
    tls_ciphers: DEFAULT_TLS_CIPHERS,
    tls_versions: DEFAULT_TLS_VERSIONS,
    alpn_protocols: DEFAULT_ALPN_PROTOCOLS,
    health_monitor: monitor('HTTP'),
  });
  const line = serverLines(render(p).text)[0]!;
  t.match(
    line,
    / ciphers \S+ ciphersuites TLS_AES_256_GCM_SHA384:\S+ ssl-min-ver TLSv1\.2 ssl-max-ver TLSv1\.3 alpn h2,http\/1\.1,http\/1\.0$/,
  );
  t.match(line, / check-alpn http\/1\.1 /);
  const check = haproxyCheck(amphora([listener({ protocol: 'HTTP' })], [p]), ['l1']);
  t.ok(check.ok, check.output);
  t.notMatch(check.output, /\[WARNING\]/);
});

type Mutate = (p: Pool__Output) => void;
const refusals: [string, Mutate, string, typeof HaproxyConfigError][] = [
  ['a CA that is not PEM', (p) => (p.ca_pem = 'not a certificate'), 'pools[0].ca_pem', HaproxyConfigError],
  [
    'a CA with a config line after it',
    (p) => (p.ca_pem = `${material.ca.certPem}    server evil 1.2.3.4:1\n`),
    'pools[0].ca_pem',
    HaproxyConfigError,
  ],
  [
    'a key given as the CA',
    (p) => (p.ca_pem = material.client.private_key_pem),
    'pools[0].ca_pem',
    HaproxyConfigError,
  ],
  [
    'a key given as the certificate',
    (p) => (p.tls_certificate = { ...material.client, certificate_pem: material.client.private_key_pem }),
    'pools[0].tls_certificate.certificate_pem',
    HaproxyConfigError,
  ],
  [
    'a certificate without its key',
    (p) => (p.tls_certificate = { ...material.client, private_key_pem: '' }),
    'pools[0].tls_certificate.private_key_pem',
    HaproxyConfigError,
  ],
  [
    'a certificate given as the key',
    (p) => (p.tls_certificate = { ...material.client, private_key_pem: material.client.certificate_pem }),
    'pools[0].tls_certificate.private_key_pem',
    HaproxyConfigError,
  ],
  [
    'a bad intermediate',
    (p) => (p.tls_certificate = { ...material.client, intermediates_pem: ['x'] }),
    'pools[0].tls_certificate.intermediates_pem[0]',
    HaproxyConfigError,
  ],
  [
    'a CRL labelled CRL (OpenSSL reads X509 CRL only)',
    (p) => (p.crl_pem = material.crlPem.replaceAll('X509 CRL', 'CRL')),
    'pools[0].crl_pem',
    HaproxyConfigError,
  ],
  ['a CRL without a CA', (p) => (p.ca_pem = ''), 'pools[0].crl_pem', HaproxyConfigError],
  [
    'an unknown TLS version',
    (p) => (p.tls_versions = ['TLSv1.2', 'TLSv1.4']),
    'pools[0].tls_versions[1]',
    HaproxyConfigError,
  ],
  [
    'TLS versions with a gap',
    (p) => (p.tls_versions = ['TLSv1', 'TLSv1.2']),
    'pools[0].tls_versions',
    HaproxyUnsupportedError,
  ],
  [
    'a cipher string with a space',
    (p) => (p.tls_ciphers = 'HIGH verify none'),
    'pools[0].tls_ciphers',
    HaproxyConfigError,
  ],
  [
    'a cipher string with a newline',
    (p) => (p.tls_ciphers = 'HIGH\n    bind :1'),
    'pools[0].tls_ciphers',
    HaproxyConfigError,
  ],
  [
    'an unknown ALPN protocol',
    (p) => (p.alpn_protocols = ['h2', 'spdy/3']),
    'pools[0].alpn_protocols[1]',
    HaproxyConfigError,
  ],
  [
    'an ALPN list in one entry',
    (p) => (p.alpn_protocols = ['h2,http/1.1']),
    'pools[0].alpn_protocols[0]',
    HaproxyConfigError,
  ],
];

for (const [what, mutate, path, type] of refusals) {
  t.test(`refused: ${what}`, async (t) => {
    const p = tlsPool();
    mutate(p);
    t.throws(() => render(p), type, `throws ${type.name}`);
    try {
      render(p);
    } catch (err) {
      t.equal((err as HaproxyConfigError).path, path, `names ${path}`);
    }
  });
}
