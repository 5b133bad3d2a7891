// The TLS termination renderer: golden files (with real TestCa material, each accepted by
// `haproxy -c` without warnings once its PEM files are written), and a named error for every
// TLS field that cannot be served. UPDATE_GOLDEN=1 rewrites the golden files.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AmphoraConfig__Output } from '../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import { HaproxyConfigError } from '../../src/haproxy/errors.js';
import { haproxyPaths } from '../../src/haproxy/paths.js';
import {
  L7_LISTENER_PROTOCOLS,
  L7_LISTENER_PROTOCOLS_WITH_METRICS,
  renderHaproxy,
  renderHaproxyConfig,
} from '../../src/haproxy/render.js';
import { cipherOptions, tlsVersionOptions } from '../../src/haproxy/tls-options.js';
import {
  compileFresh,
  listener as fixtureListener,
  member as fixtureMember,
  pool as fixturePool,
  VIP4,
} from '../agent/compiler-fixture.js';
import { TestCa } from '../lib/test-ca.js';
import {
  labelTlsFiles,
  terminated,
  tlsCertificate,
  tlsGoldenCases,
  tlsMaterial,
  type TlsMaterial,
} from './golden-cases-tls.js';
import { amphora, listener, member, pool } from './helpers.js';

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const RUN_DIR = '/run/velox/haproxy';

/** Renders into a scratch run directory, writes the PEM files there and runs `haproxy -c`. */
function renderAndCheck(config: AmphoraConfig__Output, listenerIds: string[]) {
  const base = mkdtempSync(join(tmpdir(), 'vxh1-golden-'));
  try {
    const runDir = join(base, 'haproxy');
    const rendered = renderHaproxy(config, listenerIds, { runDir });
    const tlsDir = haproxyPaths(runDir).tlsDir;
    mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
    for (const f of rendered.files) writeFileSync(join(tlsDir, f.name), f.content, { mode: 0o600 });
    writeFileSync(join(runDir, 'haproxy.cfg'), rendered.text);
    let check: { ok: boolean; output: string };
    try {
      const output = execFileSync('haproxy', ['-c', '-f', join(runDir, 'haproxy.cfg')], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      check = { ok: true, output };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      check = { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
    return { ...rendered, runDir, check };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

const material: Promise<TlsMaterial> = tlsMaterial();

t.test('golden files', async (t) => {
  const m = await material;
  for (const [name, c] of Object.entries(tlsGoldenCases(m))) {
    t.test(name, async (t) => {
      const r = renderAndCheck(c.config, c.listenerIds);
      const crtLists = r.files.filter((f) => f.name.startsWith('crt-list-'));
      const labelled = [
        labelTlsFiles(r.text, r.runDir, r.files, m),
        // The crt-list file too: which certificates, in which order.
        ...crtLists.map((f) => `# crt-list.txt:\n${labelTlsFiles(f.content, r.runDir, r.files, m)}`),
      ].join('\n');
      const file = join(goldenDir, `${name}.cfg`);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, labelled);
      t.ok(existsSync(file), `golden/${name}.cfg exists (UPDATE_GOLDEN=1 writes it)`);
      t.equal(labelled, readFileSync(file, 'utf8'), `matches golden/${name}.cfg`);
      t.notMatch(labelled, /-\?/, 'every PEM file is one the case gave');
      t.ok(r.check.ok, `haproxy -c accepts it: ${r.check.output}`);
      t.notMatch(r.check.output, /\[WARNING\]/, 'without warnings');
    });
  }
});

t.test('PEM files: content-named, the certificate file is cert + chain + key', async (t) => {
  const m = await material;
  const c = tlsGoldenCases(m)['tls-sni-mandatory-crl-headers-policies']!;
  const r = renderHaproxy(c.config, c.listenerIds, { runDir: RUN_DIR });
  const certFiles = r.files.filter((f) => f.name.startsWith('cert-'));
  t.equal(certFiles.length, 3, 'default and two SNI certificates');
  const sniA = certFiles.find((f) => f.content.startsWith(m.sniA.certPem.trim()))!;
  const blocks = sniA.content.match(/-----BEGIN [A-Z ]+-----/g);
  t.same(blocks, [
    '-----BEGIN CERTIFICATE-----',
    '-----BEGIN CERTIFICATE-----',
    '-----BEGIN PRIVATE KEY-----',
  ]);
  t.ok(sniA.content.includes(m.serverCa.certPem.trim()), 'the intermediate follows the certificate');
  t.notOk(r.text.includes('PRIVATE KEY'), 'no key material in haproxy.cfg itself');
  const again = renderHaproxy(c.config, c.listenerIds, { runDir: RUN_DIR });
  t.equal(again.text, r.text, 'the same input renders the same text');
  t.same(again.files, r.files);
});

t.test('tls_ciphers: TLS 1.3 suites to ciphersuites, the rest to ciphers', async (t) => {
  t.same(cipherOptions('', 'x'), []);
  t.same(cipherOptions('ECDHE-RSA-AES128-GCM-SHA256:!aNULL', 'x'), [
    'ciphers ECDHE-RSA-AES128-GCM-SHA256:!aNULL',
  ]);
  t.same(cipherOptions('TLS_AES_128_GCM_SHA256', 'x'), ['ciphersuites TLS_AES_128_GCM_SHA256']);
  t.same(cipherOptions('TLS_AES_128_GCM_SHA256:HIGH:TLS_CHACHA20_POLY1305_SHA256', 'x'), [
    'ciphers HIGH',
    'ciphersuites TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256',
  ]);
});

t.test('tls_versions: one ssl-min-ver..ssl-max-ver range', async (t) => {
  t.same(tlsVersionOptions([], 'x'), [], 'empty: HAProxy defaults');
  t.same(tlsVersionOptions(['TLSv1.3', 'TLSv1.2'], 'x'), ['ssl-min-ver TLSv1.2', 'ssl-max-ver TLSv1.3']);
  t.same(tlsVersionOptions(['TLSv1.3'], 'x'), ['ssl-min-ver TLSv1.3', 'ssl-max-ver TLSv1.3']);
  t.same(tlsVersionOptions(['TLSv1', 'TLSv1.1'], 'x'), ['ssl-min-ver TLSv1.0', 'ssl-max-ver TLSv1.1']);
  t.same(tlsVersionOptions(['SSLv3', 'TLSv1'], 'x'), ['ssl-min-ver SSLv3', 'ssl-max-ver TLSv1.0']);
});

t.test('TLS fields of a listener that is not TERMINATED_HTTPS are not rendered', async (t) => {
  const m = await material;
  const c = amphora(
    [
      listener({
        ...terminated(m, { hsts: { max_age: 5, include_subdomains: false, preload: false } }),
        protocol: 'HTTP',
      }),
    ],
    [pool([member('m1', '10.209.1.11', 80)], { protocol: 'HTTP' })],
  );
  const r = renderHaproxy(c, ['l1'], { runDir: RUN_DIR });
  t.notMatch(r.text, /ssl|Strict-Transport-Security/);
  t.same(r.files, []);
});

type Mutate = (l: ReturnType<typeof listener>, m: TlsMaterial, other: TestCa) => void;
const refusals: [string, Mutate, string][] = [
  ['no default certificate', (l) => (l.default_tls = null), 'listeners[0].default_tls'],
  [
    'a certificate that is not PEM',
    (l) => (l.default_tls!.certificate_pem = 'not a certificate'),
    'listeners[0].default_tls.certificate_pem',
  ],
  [
    'a certificate with config text after it',
    (l) => (l.default_tls!.certificate_pem += '\n    bind :22\n'),
    'listeners[0].default_tls.certificate_pem',
  ],
  [
    'a CERTIFICATE block of garbage',
    (l) =>
      (l.default_tls!.certificate_pem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    'listeners[0].default_tls.certificate_pem',
  ],
  [
    'a key in the certificate field',
    (l, m) => (l.default_tls!.certificate_pem = m.server.keyPem),
    'listeners[0].default_tls.certificate_pem',
  ],
  [
    'an encrypted key',
    (l) =>
      (l.default_tls!.private_key_pem = l.default_tls!.private_key_pem.replaceAll(
        'PRIVATE KEY',
        'ENCRYPTED PRIVATE KEY',
      )),
    'listeners[0].default_tls.private_key_pem',
  ],
  [
    'the key of another certificate',
    (l, m) => (l.default_tls!.private_key_pem = m.sniA.keyPem),
    'listeners[0].default_tls.private_key_pem',
  ],
  [
    'an SNI intermediate that is a CRL',
    (l, m) => (l.sni_tls = [tlsCertificate('a', m.sniA, [m.crlPem])]),
    'listeners[0].sni_tls[0].intermediates_pem[0]',
  ],
  [
    'a bad SNI certificate',
    (l, m) =>
      (l.sni_tls = [tlsCertificate('a', m.sniA), { ...tlsCertificate('b', m.sniB), private_key_pem: '' }]),
    'listeners[0].sni_tls[1].private_key_pem',
  ],
  [
    'OPTIONAL without a client CA',
    (l) => (l.client_authentication = 'OPTIONAL'),
    'listeners[0].client_authentication',
  ],
  [
    'MANDATORY without a client CA',
    (l) => (l.client_authentication = 'MANDATORY'),
    'listeners[0].client_authentication',
  ],
  [
    'an unknown client_authentication',
    (l) => (l.client_authentication = 'SOMETIMES'),
    'listeners[0].client_authentication',
  ],
  ['a CRL without a client CA', (l, m) => (l.client_crl_pem = m.crlPem), 'listeners[0].client_crl_pem'],
  [
    'a client CA that is not PEM',
    (l) => Object.assign(l, { client_authentication: 'MANDATORY', client_ca_pem: 'ca-file /etc/passwd' }),
    'listeners[0].client_ca_pem',
  ],
  [
    'a CRL that is a certificate',
    (l, _m, other) => Object.assign(l, { client_ca_pem: other.certPem, client_crl_pem: other.certPem }),
    'listeners[0].client_crl_pem',
  ],
  [
    'an unknown TLS version',
    (l) => (l.tls_versions = ['TLSv1.2', 'TLSv1.4']),
    'listeners[0].tls_versions[1]',
  ],
  ['SSLv3 alone', (l) => (l.tls_versions = ['SSLv3']), 'listeners[0].tls_versions'],
  ['a gap in tls_versions', (l) => (l.tls_versions = ['TLSv1.1', 'TLSv1.3']), 'listeners[0].tls_versions'],
  ['a cipher string with a space', (l) => (l.tls_ciphers = 'HIGH alpn x'), 'listeners[0].tls_ciphers'],
  [
    'a cipher string with an empty element',
    (l) => (l.tls_ciphers = 'HIGH::MEDIUM'),
    'listeners[0].tls_ciphers',
  ],
  ['an unknown ALPN protocol', (l) => (l.alpn_protocols = ['h2', 'h3']), 'listeners[0].alpn_protocols[1]'],
  [
    'an unknown X-SSL header',
    (l) => (l.insert_headers = { 'X-SSL-Client-Key': 'true' }),
    'listeners[0].insert_headers',
  ],
];

for (const [what, mutate, path] of refusals) {
  t.test(`refuses ${what} with HaproxyConfigError naming ${path}`, async (t) => {
    const m = await material;
    const other = await TestCa.create('Velox other CA');
    const l = listener(terminated(m));
    const c = amphora([l], [pool([member('m1', '10.209.1.11', 80)], { protocol: 'HTTP' })]);
    t.doesNotThrow(() => renderHaproxyConfig(c, ['l1'], { runDir: RUN_DIR }), 'the unchanged config renders');
    mutate(l, m, other);
    let err: unknown;
    try {
      renderHaproxyConfig(c, ['l1'], { runDir: RUN_DIR });
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof HaproxyConfigError, `a HaproxyConfigError (or a subclass): ${String(err)}`);
    t.equal((err as HaproxyConfigError | undefined)?.path, path);
  });
}

t.test('the agent routes TERMINATED_HTTPS listeners and their pools to HAProxy', async (t) => {
  for (const protocols of [L7_LISTENER_PROTOCOLS, L7_LISTENER_PROTOCOLS_WITH_METRICS]) {
    const c = compileFresh(
      [
        fixtureListener('tls', 'p-web', { protocol: 'TERMINATED_HTTPS', protocol_port: 443 }),
        fixtureListener('tcp', 'p-tcp', { protocol_port: 81 }),
      ],
      [
        fixturePool('p-web', [fixtureMember('w', '10.201.2.11')], { protocol: 'HTTP' }),
        fixturePool('p-tcp', [fixtureMember('t', '10.201.2.13')]),
      ],
      { haproxyProtocols: protocols },
    );
    t.same(c.haproxyListeners, ['tls']);
    t.same(
      c.pools.map((p) => [p.id, p.servedBy]),
      [
        ['p-web', 'haproxy'],
        ['p-tcp', 'xdp'],
      ],
    );
    t.notOk(c.desired.vips.has(`TCP ${VIP4} 443`), 'no fast path entry: XDP passes it to HAProxy');
  }
});
