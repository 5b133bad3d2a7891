// The amphora config carries the HTTP-family fields: L7 policies with their rules, TLS
// certificates with the PEMs resolved for their refs (BuildOptions.secrets), client
// authentication, TLS knobs, HSTS and header insertion on listeners, and re-encryption on pools.
import t from 'tap';
import type { L7PolicyGraph } from '../../../controller/db/l7-graph-repo.js';
import type { ProvisioningStatus } from '../../../controller/db/schema.js';
import type { LoadBalancerGraph } from '../../../controller/db/worker-repo.js';
import { buildAmphoraConfig, type AmphoraAddresses } from '../../../controller/worker/config-builder.js';
import type { TlsSecrets } from '../../../controller/worker/tls-material.js';
import { ConfigError } from '../../../src/config/config-error.js';
import { readAmphoraConfig } from '../../../src/config/proto-json.js';
import { validateAmphoraConfig } from '../../../src/config/validate.js';
import { TestCa, type TestCert } from '../../lib/test-ca.js';
import { common, listenerRow, loadBalancerRow, poolRow } from './graph-rows.js';

const listener = (id: string, protocol: string, port: number, pool: string | null) =>
  listenerRow(id, protocol, port, pool);

const pool = (id: string, protocol = 'HTTP', status?: ProvisioningStatus) => ({
  pool: poolRow(id, protocol, status),
  members: [],
});

const policy = (
  id: string,
  listenerId: string,
  position: number,
  extra: Partial<L7PolicyGraph['policy']> = {},
): L7PolicyGraph['policy'] => ({
  ...common(id),
  listener_id: listenerId,
  action: 'REJECT',
  redirect_pool_id: null,
  redirect_url: null,
  redirect_prefix: null,
  redirect_http_code: null,
  position,
  ...extra,
});

const rule = (id: string, policyId: string, extra: Partial<L7PolicyGraph['rules'][number]> = {}) => ({
  ...common(id),
  l7policy_id: policyId,
  type: 'PATH',
  compare_type: 'STARTS_WITH',
  key: null,
  value: '/api',
  invert: 0,
  ...extra,
});

function graph(): LoadBalancerGraph {
  return {
    loadBalancer: loadBalancerRow(),
    listeners: [
      {
        ...listener('http', 'HTTP', 80, 'web'),
        insert_headers: JSON.stringify({ 'X-Forwarded-For': 'true', 'X-Forwarded-Proto': 'true' }),
      },
      {
        ...listener('tls', 'TERMINATED_HTTPS', 443, 'web'),
        tls_certificate_id: 'https://secrets.example/containers/default',
        sni_containers: JSON.stringify(['sni-a', 'sni-b']),
        client_ca_tls_certificate_id: 'ca-ref',
        client_authentication: 'OPTIONAL',
        client_crl_container_id: 'crl-ref',
        tls_ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
        tls_versions: JSON.stringify(['TLSv1.2', 'TLSv1.3']),
        alpn_protocols: JSON.stringify(['h2', 'http/1.1']),
        hsts_max_age: 31536000,
        hsts_include_subdomains: 1,
        hsts_preload: 0,
        insert_headers: JSON.stringify({ 'X-SSL-Client-CN': 'true' }),
      },
    ],
    pools: [
      {
        ...pool('web'),
        pool: {
          ...pool('web').pool,
          tls_enabled: 1,
          tls_certificate_id: 'client-cert-ref',
          ca_tls_certificate_id: 'member-ca',
          tls_ciphers: 'ECDHE-RSA-AES256-GCM-SHA384',
          tls_versions: JSON.stringify(['TLSv1.3']),
          alpn_protocols: JSON.stringify(['http/1.1']),
        },
      },
      // Reached only through an L7 redirect: it must still be in the config.
      pool('api'),
      pool('gone', 'HTTP', 'PENDING_DELETE'),
    ],
    l7policies: [
      {
        policy: policy('p3', 'http', 3, {
          action: 'REDIRECT_PREFIX',
          redirect_prefix: 'https://example.org',
          redirect_http_code: 308,
        }),
        rules: [],
      },
      {
        policy: policy('p1', 'http', 1, { action: 'REDIRECT_TO_POOL', redirect_pool_id: 'api' }),
        rules: [
          rule('r1', 'p1'),
          rule('r2', 'p1', {
            type: 'HEADER',
            compare_type: 'EQUAL_TO',
            key: 'X-Env',
            value: 'test',
            invert: 1,
            enabled: 0,
          }),
          rule('r3', 'p1', { provisioning_status: 'PENDING_DELETE' }),
        ],
      },
      {
        policy: policy('p2', 'http', 2, {
          action: 'REDIRECT_TO_URL',
          redirect_url: 'https://x.example',
          enabled: 0,
        }),
        rules: [],
      },
      { policy: policy('p4', 'http', 4, { provisioning_status: 'PENDING_DELETE' }), rules: [] },
      {
        policy: policy('t1', 'tls', 1),
        rules: [rule('tr1', 't1', { type: 'SSL_CONN_HAS_CERT', compare_type: 'EQUAL_TO', value: 'True' })],
      },
    ],
  };
}

const amp: AmphoraAddresses = {
  amphoraId: 'amp',
  vip: { address: '172.29.1.100', vrrpAddress: '172.29.1.10', prefix: 24 },
  memberNics: [{ name: 'mem0', address: '172.29.2.10', prefix: 24 }],
};
// The material resolved for the graph's refs (tls-material.ts does it through the driver).
const ca = await TestCa.create('config builder CA');
const crlPem = await ca.crlPem();
const issued: Record<string, TestCert> = {};
for (const ref of ['https://secrets.example/containers/default', 'sni-a', 'sni-b', 'client-cert-ref']) {
  issued[ref] = await ca.issue({ subject: `CN=${ref.length > 20 ? 'default' : ref}` });
}
const secrets: TlsSecrets = {
  certificates: new Map(
    Object.entries(issued).map(([ref, c]) => [
      ref,
      { certificatePem: c.certPem, privateKeyPem: c.keyPem, intermediatesPem: [] },
    ]),
  ),
  cas: new Map([
    ['ca-ref', ca.certPem],
    ['member-ca', ca.certPem],
  ]),
  crls: new Map([['crl-ref', crlPem]]),
};
const opts = { version: 7, heartbeat: { target: '172.29.0.1:5555', interval_ms: 1000 }, secrets };

t.test('L7 policies in position order with their rules; disabled kept, deleted left out', async (t) => {
  const c = buildAmphoraConfig(graph(), amp, opts);
  const http = c.listeners!.find((l) => l.id === 'http')!;
  t.same(
    http.l7policies!.map((p) => [p.id, p.position, p.action, p.admin_state_up]),
    [
      ['p1', 1, 'REDIRECT_TO_POOL', true],
      ['p2', 2, 'REDIRECT_TO_URL', false],
      ['p3', 3, 'REDIRECT_PREFIX', true],
    ],
  );
  const [p1, p2, p3] = http.l7policies!;
  t.equal(p1!.redirect_pool_id, 'api');
  t.same(p1!.rules, [
    {
      id: 'r1',
      type: 'PATH',
      compare_type: 'STARTS_WITH',
      key: '',
      value: '/api',
      invert: false,
      admin_state_up: true,
    },
    {
      id: 'r2',
      type: 'HEADER',
      compare_type: 'EQUAL_TO',
      key: 'X-Env',
      value: 'test',
      invert: true,
      admin_state_up: false,
    },
  ]);
  t.same(
    [p2!.redirect_url, p2!.redirect_http_code],
    ['https://x.example', 0],
    'unset code: 0 (the agent uses 302)',
  );
  t.same(
    [p3!.redirect_prefix, p3!.redirect_http_code, p3!.redirect_pool_id],
    ['https://example.org', 308, ''],
  );
  const tls = c.listeners!.find((l) => l.id === 'tls')!;
  t.same(
    tls.l7policies!.map((p) => [p.id, p.rules!.map((r) => r.type)]),
    [['t1', ['SSL_CONN_HAS_CERT']]],
    'each listener gets only its own policies',
  );
  t.same(
    c.pools!.map((p) => p.id),
    ['web', 'api'],
    'a pool used only by a redirect is in the config; a deleted one is not',
  );
});

t.test('listener TLS, client authentication, HSTS and header insertion', async (t) => {
  const c = buildAmphoraConfig(graph(), amp, opts);
  const tls = c.listeners!.find((l) => l.id === 'tls')!;
  const cert = (ref: string) => ({
    ref,
    certificate_pem: issued[ref]!.certPem,
    private_key_pem: issued[ref]!.keyPem,
    intermediates_pem: [],
  });
  t.same(tls.default_tls, cert('https://secrets.example/containers/default'));
  t.same(tls.sni_tls, [cert('sni-a'), cert('sni-b')], 'SNI in the order given');
  t.equal(tls.client_authentication, 'OPTIONAL');
  t.same([tls.client_ca_pem, tls.client_crl_pem], [ca.certPem, crlPem], 'the client CA and CRL PEMs');
  t.equal(tls.tls_ciphers, 'ECDHE-RSA-AES128-GCM-SHA256');
  t.same(tls.tls_versions, ['TLSv1.2', 'TLSv1.3']);
  t.same(tls.alpn_protocols, ['h2', 'http/1.1']);
  t.same(tls.hsts, { max_age: 31536000, include_subdomains: true, preload: false });
  t.same(tls.insert_headers, { 'X-SSL-Client-CN': 'true' });
  const http = c.listeners!.find((l) => l.id === 'http')!;
  t.same(http.insert_headers, { 'X-Forwarded-For': 'true', 'X-Forwarded-Proto': 'true' });
  t.equal(http.default_tls, null);
  t.same(http.sni_tls, []);
  t.equal(http.hsts, null, 'no hsts_max_age: no Strict-Transport-Security');
  t.equal(http.client_authentication, 'NONE');
  t.same([http.tls_ciphers, http.tls_versions, http.alpn_protocols], ['', [], []]);
});

t.test('pool re-encryption fields', async (t) => {
  const c = buildAmphoraConfig(graph(), amp, opts);
  const [web, api] = c.pools!;
  t.equal(web!.tls_enabled, true);
  t.same(web!.tls_certificate, {
    ref: 'client-cert-ref',
    certificate_pem: issued['client-cert-ref']!.certPem,
    private_key_pem: issued['client-cert-ref']!.keyPem,
    intermediates_pem: [],
  });
  t.same([web!.ca_pem, web!.crl_pem], [ca.certPem, ''], 'member CA; no CRL');
  t.same(
    [web!.tls_ciphers, web!.tls_versions, web!.alpn_protocols],
    ['ECDHE-RSA-AES256-GCM-SHA384', ['TLSv1.3'], ['http/1.1']],
  );
  t.same([api!.tls_enabled, api!.tls_certificate, api!.tls_versions], [false, null, []]);
});

t.test('the agent accepts the config; its checks refuse dangling or unknown L7 values', async (t) => {
  const json = JSON.parse(JSON.stringify(buildAmphoraConfig(graph(), amp, opts))) as unknown;
  t.doesNotThrow(() => validateAmphoraConfig(readAmphoraConfig(json)));

  const bad = (edit: (c: ReturnType<typeof readAmphoraConfig>) => void, field: RegExp) => {
    const c = readAmphoraConfig(JSON.parse(JSON.stringify(json)));
    edit(c);
    t.throws(() => validateAmphoraConfig(c), ConfigError);
    try {
      validateAmphoraConfig(c);
    } catch (err) {
      t.match((err as Error).message, field);
    }
  };
  bad(
    (c) => (c.listeners[0]!.l7policies[0]!.redirect_pool_id = 'nowhere'),
    /l7policies\[0\]\.redirect_pool_id/,
  );
  bad((c) => (c.listeners[0]!.l7policies[0]!.action = 'TELEPORT'), /l7policies\[0\]\.action/);
  bad((c) => (c.listeners[0]!.l7policies[0]!.rules[0]!.type = 'MOON_PHASE'), /rules\[0\]\.type/);
  bad((c) => (c.listeners[1]!.tls_versions = ['TLSv9']), /tls_versions\[0\]/);
  bad((c) => (c.listeners[1]!.alpn_protocols = ['spdy/3']), /alpn_protocols\[0\]/);
  bad((c) => (c.pools[0]!.protocol = 'FTP'), /pools\[0\]\.protocol/);
  bad((c) => (c.listeners[0]!.protocol = 'QUIC'), /listeners\[0\]\.protocol/);
  bad((c) => {
    // HTTP and TCP are both TCP: they cannot share the VIP's port 80.
    c.listeners[1]!.protocol = 'TCP';
    c.listeners[1]!.protocol_port = 80;
  }, /duplicate service/);
  const udp = readAmphoraConfig(JSON.parse(JSON.stringify(json)));
  udp.listeners[1]!.protocol = 'UDP';
  udp.listeners[1]!.protocol_port = 80;
  udp.listeners[1]!.l7policies = [];
  t.doesNotThrow(() => validateAmphoraConfig(udp), 'UDP and HTTP share port 80');
});
