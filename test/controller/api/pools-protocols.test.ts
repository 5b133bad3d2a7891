// /v2/lbaas/pools: every Octavia pool protocol, the protocol a listener allows, session
// persistence per protocol, and the re-encryption fields with Octavia's rules and defaults.
import t from 'tap';
import { activeLb, activeListener, activePool, fault, harness, type Harness } from './helpers.js';
import { uploadTlsRefs } from './secret-helpers.js';

const POOLS = '/v2/lbaas/pools';
const DEFAULT_CIPHERS =
  'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:' +
  'DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:' +
  'ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA256:DHE-RSA-AES128-SHA256:' +
  'ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256';

const post = (h: Harness, p: Record<string, unknown>) =>
  h.req('POST', POOLS, { pool: { protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN', ...p } });

t.test('every pool protocol is accepted; TLS fields are empty until asked for', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  for (const protocol of ['TCP', 'UDP', 'SCTP', 'HTTP', 'HTTPS', 'PROXY', 'PROXYV2']) {
    const r = await post(h, { loadbalancer_id: lb.id, protocol });
    t.equal(r.status, 201, protocol);
    t.match(r.body.pool, {
      protocol,
      tls_enabled: false,
      tls_container_ref: null,
      ca_tls_container_ref: null,
      crl_container_ref: null,
      tls_ciphers: null,
      tls_versions: null,
      alpn_protocols: null,
    });
    await h.activate(lb.id);
  }
});

t.test('a pool created on a listener follows the listener/pool protocol map', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const { cert } = await uploadTlsRefs(h);
  const cases: [string, string, boolean][] = [
    ['HTTP', 'HTTP', true],
    ['HTTP', 'PROXYV2', true],
    ['HTTP', 'TCP', false],
    ['HTTPS', 'TCP', true],
    ['HTTPS', 'HTTP', false],
    ['TCP', 'PROXY', true],
    ['TCP', 'UDP', false],
    ['TERMINATED_HTTPS', 'PROXY', true],
    ['TERMINATED_HTTPS', 'HTTPS', false],
    ['UDP', 'UDP', true],
    ['SCTP', 'SCTP', true],
    ['SCTP', 'UDP', false],
  ];
  let port = 2000;
  for (const [listenerProtocol, poolProtocol, ok] of cases) {
    const l = await activeListener(h, lb.id, {
      protocol: listenerProtocol,
      protocol_port: port++,
      ...(listenerProtocol === 'TERMINATED_HTTPS' ? { default_tls_container_ref: cert } : {}),
    });
    const r = await post(h, { listener_id: l.id, protocol: poolProtocol });
    const pair = `${listenerProtocol} -> ${poolProtocol}`;
    if (ok) {
      t.equal(r.status, 201, pair);
      t.same(r.body.pool.listeners, [{ id: l.id }]);
      await h.activate(lb.id);
    } else {
      t.equal(r.status, 400, pair);
      t.equal(
        fault(r),
        `Validation failure: The pool protocol '${poolProtocol}' is invalid while the listener protocol is '${listenerProtocol}'.`,
      );
    }
  }
  const prom = await activeListener(h, lb.id, { protocol: 'PROMETHEUS', protocol_port: port++ });
  const r = await post(h, { listener_id: prom.id, protocol: 'HTTP' });
  t.equal(r.status, 400);
  t.equal(fault(r), 'Protocol PROMETHEUS listeners cannot have child objects.');
});

t.test('session persistence by protocol', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  for (const sp of [
    { type: 'HTTP_COOKIE' },
    { type: 'APP_COOKIE', cookie_name: 'sid' },
    { type: 'SOURCE_IP' },
  ]) {
    const r = await post(h, { loadbalancer_id: lb.id, session_persistence: sp });
    t.equal(r.status, 201, `HTTP pool with ${sp.type}`);
    t.equal(r.body.pool.session_persistence.type, sp.type);
    await h.activate(lb.id);
  }
  const cases: [Record<string, unknown>, string][] = [
    [
      { protocol: 'SCTP', session_persistence: { type: 'APP_COOKIE', cookie_name: 'x' } },
      'Validation failure: Cookie names are not supported for UDP/SCTP pools.',
    ],
    [
      { protocol: 'SCTP', session_persistence: { type: 'HTTP_COOKIE' } },
      'Validation failure: Session persistence of type HTTP_COOKIE is not supported for UDP/SCTP protocol pools.',
    ],
    [
      { protocol: 'UDP', session_persistence: { type: 'SOURCE_IP', cookie_name: 'x' } },
      'Validation failure: session_persistence SOURCE_IP type for UDP and SCTP protocols only accepts: type, persistence_timeout, persistence_granularity.',
    ],
    [
      { protocol: 'HTTP', session_persistence: { type: 'HTTP_COOKIE', cookie_name: 'x' } },
      'Validation failure: Field "cookie_name" can only be specified with session persistence of type "APP_COOKIE".',
    ],
    [
      {
        protocol: 'PROXY',
        session_persistence: { type: 'SOURCE_IP', persistence_granularity: '255.255.255.0' },
      },
      'Validation failure: persistence_timeout and persistence_granularity is only for UDP and SCTP protocol pools.',
    ],
  ];
  for (const [body, message] of cases) {
    const r = await post(h, { loadbalancer_id: lb.id, ...body });
    t.equal(r.status, 400, JSON.stringify(body));
    t.equal(fault(r), message);
  }
  const sctp = await post(h, {
    loadbalancer_id: lb.id,
    protocol: 'SCTP',
    session_persistence: {
      type: 'SOURCE_IP',
      persistence_timeout: 30,
      persistence_granularity: '255.255.255.0',
    },
  });
  t.equal(sctp.status, 201);
  await h.activate(lb.id);
  const tcp = await activePool(h, { loadbalancer_id: lb.id, protocol: 'TCP' });
  const r = await h.req('PUT', `${POOLS}/${tcp.id}`, {
    pool: { session_persistence: { type: 'SOURCE_IP', persistence_timeout: 5 } },
  });
  t.equal(r.status, 400);
  t.equal(
    fault(r),
    'Validation failure: persistence_timeout and persistence_granularity is only for UDP protocol pools.',
  );
});

t.test('re-encryption: create rules, defaults for TLS-enabled pools, refs stored as given', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const s = await uploadTlsRefs(h);
  const cases: [Record<string, unknown>, string | RegExp][] = [
    [
      { crl_container_ref: 'crl' },
      'Validation failure: A CA certificate reference is required to specify a revocation list.',
    ],
    [
      { tls_enabled: true, tls_versions: ['TLSv1.2', 'SSLv2'] },
      'Validation failure: Invalid TLS versions: SSLv2',
    ],
    [
      { tls_enabled: true, alpn_protocols: [] },
      'Validation failure: Empty ALPN protocol list. Either specify at least one ALPN protocol or remove this parameter to use the default.',
    ],
    [
      { alpn_protocols: ['grpc'] },
      "Invalid input for field/attribute alpn_protocols. Value: '['grpc']'. Value should be a valid ALPN protocol ID",
    ],
    [
      { tls_ciphers: 'AES;rm' },
      'Validation failure: Invalid characters in cipher string. Only alphanumeric, -, +, !, :, @, =, _, and . are allowed.',
    ],
    [{ tls_container_ref: 'x'.repeat(256) }, /tls_container_ref/],
  ];
  for (const [body, message] of cases) {
    const r = await post(h, { loadbalancer_id: lb.id, protocol: 'HTTPS', ...body });
    t.equal(r.status, 400, JSON.stringify(body).slice(0, 100));
    t.match(fault(r), message);
  }
  let r = await post(h, { loadbalancer_id: lb.id, protocol: 'HTTP', tls_enabled: true });
  t.equal(r.status, 201);
  t.match(r.body.pool, {
    tls_enabled: true,
    tls_ciphers: DEFAULT_CIPHERS,
    tls_versions: ['TLSv1.2', 'TLSv1.3'],
    alpn_protocols: ['h2', 'http/1.1', 'http/1.0'],
  });
  await h.activate(lb.id);
  r = await post(h, {
    loadbalancer_id: lb.id,
    protocol: 'HTTPS',
    tls_enabled: true,
    tls_container_ref: s.cert,
    ca_tls_container_ref: s.caBundle,
    crl_container_ref: s.crl,
    tls_ciphers: 'ECDHE-RSA-AES256-GCM-SHA384',
    tls_versions: ['TLSv1.3'],
    alpn_protocols: ['http/1.1'],
  });
  t.equal(r.status, 201);
  const p = r.body.pool;
  t.match(p, {
    tls_container_ref: s.cert,
    ca_tls_container_ref: s.caBundle,
    crl_container_ref: s.crl,
    tls_ciphers: 'ECDHE-RSA-AES256-GCM-SHA384',
    tls_versions: ['TLSv1.3'],
    alpn_protocols: ['http/1.1'],
  });
  t.same((await h.req('GET', `${POOLS}/${p.id}`)).body.pool.tls_versions, ['TLSv1.3']);
  t.same(
    (await h.req('GET', `${POOLS}?tls_enabled=true`)).body.pools.map((x: { id: string }) => x.id).length,
    2,
    'tls_enabled is a filter',
  );
  await h.activate(lb.id);
  r = await post(h, { loadbalancer_id: lb.id, tls_versions: ['whatever'] });
  t.equal(r.status, 201, 'versions of a pool without TLS are stored unchecked, as Octavia does');
  t.same(r.body.pool.tls_versions, ['whatever']);
});

t.test('re-encryption: update rules and null resets', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const s = await uploadTlsRefs(h);
  const plain = await activePool(h, { loadbalancer_id: lb.id, protocol: 'HTTP' });
  const put = async (id: string, p: Record<string, unknown>) => {
    const r = await h.req('PUT', `${POOLS}/${id}`, { pool: p });
    if (r.status === 200) await h.activate(lb.id);
    return r;
  };
  let r = await put(plain.id, { crl_container_ref: 'crl' });
  t.equal(r.status, 400);
  t.equal(
    fault(r),
    'Validation failure: A CA reference is required to specify a certificate revocation list.',
  );
  r = await put(plain.id, { ca_tls_container_ref: null, crl_container_ref: 'crl' });
  t.equal(
    fault(r),
    'Validation failure: A CA reference is required to specify a certificate revocation list.',
  );
  r = await put(plain.id, {
    tls_enabled: true,
    ca_tls_container_ref: s.caBundle,
    crl_container_ref: s.crl,
    tls_container_ref: s.cert,
  });
  t.equal(r.status, 200);
  t.match(r.body.pool, {
    tls_enabled: true,
    ca_tls_container_ref: s.caBundle,
    crl_container_ref: s.crl,
    tls_container_ref: s.cert,
  });
  r = await put(plain.id, { ca_tls_container_ref: null });
  t.equal(r.status, 400);
  t.equal(
    fault(r),
    'Validation failure: A CA reference cannot be removed when a certificate revocation list is present.',
  );
  r = await put(plain.id, { ca_tls_container_ref: null, crl_container_ref: null });
  t.equal(r.status, 200, 'CA and CRL removed together');
  t.match(r.body.pool, { ca_tls_container_ref: null, crl_container_ref: null });
  r = await put(plain.id, { tls_versions: ['TLSv1.1'], tls_ciphers: 'AES128-SHA' });
  t.match(r.body.pool, { tls_versions: ['TLSv1.1'], tls_ciphers: 'AES128-SHA' });
  r = await put(plain.id, { tls_versions: null, tls_ciphers: null });
  t.match(
    r.body.pool,
    { tls_versions: ['TLSv1.2', 'TLSv1.3'], tls_ciphers: DEFAULT_CIPHERS },
    'null resets to the defaults',
  );
  r = await put(plain.id, { tls_versions: [] });
  t.equal(
    fault(r),
    'Validation failure: Empty TLS version list. Either specify at least one TLS version or remove this parameter to use the default.',
  );
  r = await put(plain.id, { alpn_protocols: ['h2'] });
  t.same(r.body.pool.alpn_protocols, ['h2']);
  r = await put(plain.id, { tls_enabled: false, tls_container_ref: null });
  t.match(r.body.pool, { tls_enabled: false, tls_container_ref: null });
});
