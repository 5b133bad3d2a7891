// /v2/lbaas/listeners: every Octavia protocol, the listener/pool protocol map, and the
// TLS, client-authentication, header-insertion and HSTS rules with Octavia's messages.
import t from 'tap';
import { activeLb, activeListener, activePool, fault, harness, type Harness } from './helpers.js';
import { uploadTlsRefs } from './secret-helpers.js';

const LISTENERS = '/v2/lbaas/listeners';
const DEFAULT_CIPHERS =
  'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:' +
  'DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:' +
  'ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA256:DHE-RSA-AES128-SHA256:' +
  'ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256';
/** Refs resolve through the secrets store: each test uploads its own (secret-helpers.ts). */
async function tlsRefs(h: Harness) {
  const s = await uploadTlsRefs(h);
  return { s, CERT: { default_tls_container_ref: s.cert } };
}

let port = 1000;
const post = (h: Harness, lbId: string, l: Record<string, unknown>) =>
  h.req('POST', LISTENERS, { listener: { loadbalancer_id: lbId, protocol_port: port++, ...l } });

t.test(
  'every listener protocol is accepted and stored; TLS defaults only for TERMINATED_HTTPS',
  async (t) => {
    const h = await harness();
    t.teardown(() => h.close());
    const lb = await activeLb(h);
    const { CERT } = await tlsRefs(h);
    for (const protocol of ['TCP', 'UDP', 'SCTP', 'HTTP', 'HTTPS', 'TERMINATED_HTTPS', 'PROMETHEUS']) {
      const r = await post(h, lb.id, { protocol, ...(protocol === 'TERMINATED_HTTPS' ? CERT : {}) });
      t.equal(r.status, 201, protocol);
      const l = r.body.listener;
      t.equal(l.protocol, protocol);
      t.match(l, {
        client_authentication: 'NONE',
        client_ca_tls_container_ref: null,
        client_crl_container_ref: null,
        hsts_max_age: null,
        hsts_include_subdomains: false,
        hsts_preload: false,
        insert_headers: {},
      });
      if (protocol === 'TERMINATED_HTTPS') {
        t.equal(l.default_tls_container_ref, CERT.default_tls_container_ref);
        t.equal(l.tls_ciphers, DEFAULT_CIPHERS, 'Octavia default ciphers');
        t.same(l.tls_versions, ['TLSv1.2', 'TLSv1.3']);
        t.same(l.alpn_protocols, ['h2', 'http/1.1', 'http/1.0']);
      } else {
        t.same(
          [l.tls_ciphers, l.tls_versions, l.alpn_protocols],
          [null, null, null],
          `${protocol}: no TLS defaults`,
        );
      }
      const shown = await h.req('GET', `${LISTENERS}/${l.id}`);
      t.same(
        shown.body.listener,
        { ...l, provisioning_status: 'PENDING_CREATE' },
        'GET shows what POST returned',
      );
      await h.activate(lb.id);
    }
  },
);

const COMPATIBLE: Record<string, string[]> = {
  TCP: ['HTTP', 'HTTPS', 'PROXY', 'PROXYV2', 'TCP'],
  HTTP: ['HTTP', 'PROXY', 'PROXYV2'],
  HTTPS: ['HTTPS', 'PROXY', 'PROXYV2', 'TCP'],
  TERMINATED_HTTPS: ['HTTP', 'PROXY', 'PROXYV2'],
  UDP: ['UDP'],
  SCTP: ['SCTP'],
  PROMETHEUS: [],
};
const POOL_PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'HTTP', 'HTTPS', 'PROXY', 'PROXYV2'];

t.test('default pool: every listener/pool protocol pair, allowed or refused as in Octavia', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const { CERT } = await tlsRefs(h);
  const pools: Record<string, string> = {};
  for (const protocol of POOL_PROTOCOLS)
    pools[protocol] = (await activePool(h, { loadbalancer_id: lb.id, protocol })).id;
  for (const [listenerProtocol, allowed] of Object.entries(COMPATIBLE)) {
    for (const poolProtocol of POOL_PROTOCOLS) {
      const r = await post(h, lb.id, {
        protocol: listenerProtocol,
        default_pool_id: pools[poolProtocol],
        ...(listenerProtocol === 'TERMINATED_HTTPS' ? CERT : {}),
      });
      const pair = `${listenerProtocol} -> ${poolProtocol}`;
      if (listenerProtocol === 'PROMETHEUS') {
        t.equal(r.status, 400, pair);
        t.equal(fault(r), 'Protocol PROMETHEUS listeners cannot have child objects.');
      } else if (allowed.includes(poolProtocol)) {
        t.equal(r.status, 201, pair);
        t.equal(r.body.listener.default_pool_id, pools[poolProtocol]);
        await h.activate(lb.id);
      } else {
        t.equal(r.status, 400, pair);
        t.equal(
          fault(r),
          `Validation failure: The pool protocol '${poolProtocol}' is invalid while the listener protocol is '${listenerProtocol}'.`,
        );
      }
    }
  }
  // The same map on update.
  const http = await activeListener(h, lb.id, { protocol: 'HTTP', protocol_port: port++ });
  let r = await h.req('PUT', `${LISTENERS}/${http.id}`, { listener: { default_pool_id: pools.TCP } });
  t.equal(r.status, 400);
  t.equal(
    fault(r),
    "Validation failure: The pool protocol 'TCP' is invalid while the listener protocol is 'HTTP'.",
  );
  r = await h.req('PUT', `${LISTENERS}/${http.id}`, { listener: { default_pool_id: pools.PROXYV2 } });
  t.equal(r.status, 200);
  t.equal(r.body.listener.default_pool_id, pools.PROXYV2);
  await h.activate(lb.id);
  const prom = await activeListener(h, lb.id, { protocol: 'PROMETHEUS', protocol_port: port++ });
  r = await h.req('PUT', `${LISTENERS}/${prom.id}`, { listener: { default_pool_id: pools.HTTP } });
  t.equal(r.status, 400);
  t.equal(fault(r), 'Protocol PROMETHEUS listeners cannot have child objects.');
});

t.test('create: TLS, client authentication, header insertion and HSTS rules', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const { s, CERT } = await tlsRefs(h);
  const cases: [Record<string, unknown>, number, string | RegExp][] = [
    [
      { protocol: 'TCP', ...CERT },
      400,
      'Validation failure: Certificate container references are not allowed on TCP protocol listeners.',
    ],
    [
      { protocol: 'HTTP', sni_container_refs: ['sni'] },
      400,
      'Validation failure: Certificate container references are not allowed on HTTP protocol listeners.',
    ],
    [
      { protocol: 'HTTPS', ...CERT },
      400,
      'Validation failure: Certificate container references are not allowed on HTTPS protocol listeners.',
    ],
    [{ protocol: 'UDP', ...CERT }, 400, 'Validation failure: UDP protocol listener does not support TLS.'],
    [
      { protocol: 'SCTP', sni_container_refs: ['sni'] },
      400,
      'Validation failure: SCTP protocol listener does not support TLS.',
    ],
    [
      { protocol: 'TERMINATED_HTTPS' },
      400,
      'Validation failure: An SNI or default certificate container reference must be provided for TERMINATED_HTTPS protocol listeners.',
    ],
    [
      { protocol: 'TERMINATED_HTTPS', client_ca_tls_container_ref: 'ca' },
      400,
      'Validation failure: An SNI or default certificate container reference must be provided with a client CA container reference.',
    ],
    [
      { protocol: 'TERMINATED_HTTPS', ...CERT, client_authentication: 'MANDATORY' },
      400,
      'Validation failure: Client authentication setting MANDATORY requires a client CA container reference.',
    ],
    [
      { protocol: 'TERMINATED_HTTPS', ...CERT, client_crl_container_ref: 'crl' },
      400,
      'Validation failure: A client authentication CA reference is required to specify a client authentication revocation list.',
    ],
    [
      { protocol: 'TERMINATED_HTTPS', ...CERT, tls_versions: [] },
      400,
      'Validation failure: Empty TLS version list. Either specify at least one TLS version or remove this parameter to use the default.',
    ],
    [
      { protocol: 'TERMINATED_HTTPS', ...CERT, tls_versions: ['TLSv1.2', 'TLSv9'] },
      400,
      'Validation failure: Invalid TLS versions: TLSv9',
    ],
    [
      { protocol: 'TERMINATED_HTTPS', ...CERT, tls_versions: ['TLSv1', 'TLSv1.3', 'TLSv1.2'] },
      400,
      'Validation failure: TLS versions must be a contiguous range: TLSv1.1 left out between TLSv1 and TLSv1.3',
    ],
    [
      { protocol: 'TERMINATED_HTTPS', ...CERT, alpn_protocols: [] },
      400,
      'Validation failure: Empty ALPN protocol list. Either specify at least one ALPN protocol or remove this parameter to use the default.',
    ],
    [
      { protocol: 'HTTP', alpn_protocols: ['h2', 'spdy/3'] },
      400,
      "Invalid input for field/attribute alpn_protocols. Value: '['h2', 'spdy/3']'. Value should be a valid ALPN protocol ID",
    ],
    [
      { protocol: 'TERMINATED_HTTPS', ...CERT, tls_ciphers: 'AES128 SHA' },
      400,
      'Validation failure: Invalid characters in cipher string. Only alphanumeric, -, +, !, :, @, =, _, and . are allowed.',
    ],
    [
      { protocol: 'TERMINATED_HTTPS', sni_container_refs: ['a', ''] },
      400,
      "Could not retrieve certificate: ['a', '']",
    ],
    [{ protocol: 'TERMINATED_HTTPS', ...CERT, tls_ciphers: 'x'.repeat(2049) }, 400, /tls_ciphers/],
    [
      { protocol: 'TCP', insert_headers: { 'X-Forwarded-For': 'true' } },
      400,
      'insert-headers is not a valid option for a TCP protocol listener.',
    ],
    [
      { protocol: 'UDP', insert_headers: { 'X-Forwarded-For': 'true' } },
      400,
      'insert-headers is not a valid option for a UDP protocol listener.',
    ],
    [
      { protocol: 'HTTPS', insert_headers: { 'X-Forwarded-For': 'true' } },
      400,
      'insert-headers is not a valid option for a HTTPS protocol listener.',
    ],
    [
      { protocol: 'HTTP', insert_headers: { 'X-Forwarded-For': 'true', 'X-Bogus': 'true' } },
      400,
      "dict_keys(['X-Forwarded-For', 'X-Bogus']) is not a valid option for insert_headers",
    ],
    [
      {
        protocol: 'HTTP',
        insert_headers: { 'X-Forwarded-For': 'true', 'X-SSL-Client-DN': 'true', 'X-SSL-Issuer': 'true' },
      },
      400,
      "['X-SSL-Client-DN', 'X-SSL-Issuer'] is not a valid option for HTTP protocol listener.",
    ],
    [
      { protocol: 'HTTP', insert_headers: { 'X-Forwarded-For': 'x'.repeat(256) } },
      400,
      /insert_headers|X-Forwarded-For/,
    ],
    [
      { protocol: 'HTTP', hsts_max_age: 3600 },
      400,
      'Validation failure: The HSTS feature can only be used for listeners using the TERMINATED_HTTPS protocol.',
    ],
    [
      { protocol: 'TERMINATED_HTTPS', ...CERT, hsts_preload: true },
      400,
      'Validation failure: HSTS configuration options hsts_include_subdomains and hsts_preload only make sense if hsts_max_age is set as well.',
    ],
    [{ protocol: 'TERMINATED_HTTPS', ...CERT, hsts_max_age: -1 }, 400, /hsts_max_age/],
    [
      { protocol: 'TERMINATED_HTTPS', ...CERT, client_authentication: 'SOMETIMES' },
      400,
      /client_authentication/,
    ],
  ];
  for (const [body, status, message] of cases) {
    const r = await post(h, lb.id, body);
    t.equal(r.status, status, JSON.stringify(body).slice(0, 120));
    t.match(fault(r), message);
  }
  t.equal((await h.db.selectFrom('listener').select('id').execute()).length, 0, 'nothing was written');
  t.equal(
    (await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}`)).body.loadbalancer.provisioning_status,
    'ACTIVE',
  );

  // What Octavia accepts, stored and shown as given.
  const sni = [s.sni[1]!, s.sni[0]!];
  let r = await post(h, lb.id, {
    protocol: 'TERMINATED_HTTPS',
    sni_container_refs: sni,
    client_ca_tls_container_ref: s.caBundle,
    client_authentication: 'OPTIONAL',
    client_crl_container_ref: s.crl,
    tls_ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
    tls_versions: ['TLSv1.3'],
    alpn_protocols: ['h2'],
    hsts_max_age: 0,
    hsts_include_subdomains: true,
    insert_headers: { 'X-Forwarded-Proto': 'true', 'X-SSL-Client-Verify': 'true' },
  });
  t.equal(r.status, 201);
  t.match(r.body.listener, {
    default_tls_container_ref: null,
    sni_container_refs: sni,
    client_ca_tls_container_ref: s.caBundle,
    client_authentication: 'OPTIONAL',
    client_crl_container_ref: s.crl,
    tls_ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
    tls_versions: ['TLSv1.3'],
    alpn_protocols: ['h2'],
    hsts_max_age: 0,
    hsts_include_subdomains: true,
    hsts_preload: false,
    insert_headers: { 'X-Forwarded-Proto': 'true', 'X-SSL-Client-Verify': 'true' },
  });
  await h.activate(lb.id);
  r = await post(h, lb.id, {
    protocol: 'HTTP',
    insert_headers: { 'X-Forwarded-For': 'true', 'X-Forwarded-Port': 'false' },
  });
  t.equal(r.status, 201);
  t.same(r.body.listener.insert_headers, { 'X-Forwarded-For': 'true', 'X-Forwarded-Port': 'false' });
  await h.activate(lb.id);
  r = await post(h, lb.id, { protocol: 'PROMETHEUS', ...CERT });
  t.equal(r.status, 201, 'a PROMETHEUS listener may terminate TLS');
  t.same(r.body.listener.tls_versions, null, 'without the TERMINATED_HTTPS defaults');
  await h.activate(lb.id);
  r = await post(h, lb.id, { protocol: 'HTTP', tls_versions: ['anything'] });
  t.equal(r.status, 201, 'TLS versions of a listener without TLS are stored unchecked, as Octavia does');
});

t.test('one listener per L4 protocol and port', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const { CERT } = await tlsRefs(h);
  await activeListener(h, lb.id, { protocol: 'HTTP', protocol_port: 80 });
  for (const protocol of ['TCP', 'HTTP', 'HTTPS', 'TERMINATED_HTTPS', 'PROMETHEUS']) {
    const r = await h.req('POST', LISTENERS, {
      listener: {
        loadbalancer_id: lb.id,
        protocol,
        protocol_port: 80,
        ...(protocol === 'TERMINATED_HTTPS' ? CERT : {}),
      },
    });
    t.equal(r.status, 409, protocol);
    t.equal(
      fault(r),
      'Another Listener on this Load Balancer is already using protocol HTTP and protocol_port 80',
    );
  }
  await activeListener(h, lb.id, { protocol: 'UDP', protocol_port: 80 });
  await activeListener(h, lb.id, { protocol: 'SCTP', protocol_port: 80 });
  const r = await h.req('POST', LISTENERS, {
    listener: { loadbalancer_id: lb.id, protocol: 'SCTP', protocol_port: 80 },
  });
  t.equal(r.status, 409);
  t.equal(
    fault(r),
    'Another Listener on this Load Balancer is already using protocol SCTP and protocol_port 80',
  );
  t.equal(
    (await h.req('GET', `${LISTENERS}?protocol_port=80`)).body.listeners.length,
    3,
    'HTTP, UDP and SCTP share port 80',
  );
});

t.test('update: TLS fields, null resets to the defaults, and the update-only rules', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const { s, CERT } = await tlsRefs(h);
  const tls = await activeListener(h, lb.id, { protocol: 'TERMINATED_HTTPS', protocol_port: 443, ...CERT });
  const put = async (id: string, l: Record<string, unknown>) => {
    const r = await h.req('PUT', `${LISTENERS}/${id}`, { listener: l });
    if (r.status === 200) await h.activate(lb.id);
    return r;
  };
  let r = await put(tls.id, {
    tls_versions: ['TLSv1.3'],
    tls_ciphers: 'AES256-SHA',
    alpn_protocols: ['http/1.1'],
  });
  t.equal(r.status, 200);
  t.match(r.body.listener, {
    tls_versions: ['TLSv1.3'],
    tls_ciphers: 'AES256-SHA',
    alpn_protocols: ['http/1.1'],
  });
  r = await put(tls.id, { client_authentication: null });
  t.equal(r.status, 400, 'null is not NONE before the reset (Octavia checks first)');
  t.equal(
    fault(r),
    'Validation failure: Client authentication setting None requires a client CA container reference.',
  );
  r = await put(tls.id, { tls_versions: null, tls_ciphers: null, alpn_protocols: null });
  t.equal(r.status, 200);
  t.match(
    r.body.listener,
    {
      tls_versions: ['TLSv1.2', 'TLSv1.3'],
      tls_ciphers: DEFAULT_CIPHERS,
      alpn_protocols: ['h2', 'http/1.1', 'http/1.0'],
    },
    'null resets to the defaults',
  );
  r = await put(tls.id, { client_authentication: 'MANDATORY' });
  t.equal(r.status, 400);
  t.equal(
    fault(r),
    'Validation failure: Client authentication setting MANDATORY requires a client CA container reference.',
  );
  r = await put(tls.id, { client_crl_container_ref: 'crl' });
  t.equal(r.status, 400);
  t.equal(
    fault(r),
    'Validation failure: A client authentication CA reference is required to specify a client authentication revocation list.',
  );
  r = await put(tls.id, {
    client_ca_tls_container_ref: s.caBundle,
    client_authentication: 'MANDATORY',
    client_crl_container_ref: s.crl,
  });
  t.equal(r.status, 200);
  t.match(r.body.listener, {
    client_ca_tls_container_ref: s.caBundle,
    client_authentication: 'MANDATORY',
    client_crl_container_ref: s.crl,
  });
  r = await put(tls.id, { tls_versions: [] });
  t.equal(
    fault(r),
    'Validation failure: Empty TLS version list. Either specify at least one TLS version or remove this parameter to use the default.',
  );
  r = await put(tls.id, { alpn_protocols: ['h3'] });
  t.equal(
    fault(r),
    "Invalid input for field/attribute alpn_protocols. Value: '['h3']'. Value should be a valid ALPN protocol ID",
  );
  r = await put(tls.id, { hsts_include_subdomains: true });
  t.equal(r.status, 400);
  t.equal(
    fault(r),
    'Validation failure: Cannot enable hsts_include_subdomains or hsts_preload if hsts_max_age was not set as well.',
  );
  r = await put(tls.id, { hsts_max_age: 600 });
  t.equal(r.status, 200);
  r = await put(tls.id, { hsts_include_subdomains: true, hsts_preload: true });
  t.equal(r.status, 200, 'the stored max age enables the other HSTS options');
  t.match(r.body.listener, { hsts_max_age: 600, hsts_include_subdomains: true, hsts_preload: true });
  r = await put(tls.id, { insert_headers: { 'X-SSL-Client-CN': 'true' }, sni_container_refs: [s.sni[0]] });
  t.equal(r.status, 200);
  t.match(r.body.listener, { insert_headers: { 'X-SSL-Client-CN': 'true' }, sni_container_refs: [s.sni[0]] });
  r = await put(tls.id, {
    insert_headers: null,
    sni_container_refs: null,
    default_tls_container_ref: s.sni[1],
  });
  t.match(r.body.listener, {
    insert_headers: {},
    sni_container_refs: [],
    default_tls_container_ref: s.sni[1],
  });
  r = await put(tls.id, { insert_headers: { 'X-Nope': '1' } });
  t.equal(fault(r), "['X-Nope'] is not a valid option for insert_headers");

  const http = await activeListener(h, lb.id, { protocol: 'HTTP', protocol_port: 80 });
  r = await put(http.id, { hsts_max_age: 10 });
  t.equal(
    fault(r),
    'Validation failure: The HSTS feature can only be used for listeners using the TERMINATED_HTTPS protocol.',
  );
  r = await put(http.id, { insert_headers: { 'X-SSL-Client-SHA1': 'true' } });
  t.equal(fault(r), "['X-SSL-Client-SHA1'] is not a valid option for HTTP protocol listener.");
  r = await put(http.id, CERT);
  t.equal(
    fault(r),
    'Validation failure: Certificate container references are not allowed on HTTP protocol listeners.',
  );
  r = await put(http.id, { tls_ciphers: null });
  t.equal(
    r.body.listener.tls_ciphers,
    DEFAULT_CIPHERS,
    "null takes the default on any protocol (Octavia's _set_default_on_none)",
  );

  const udp = await activeListener(h, lb.id, { protocol: 'UDP', protocol_port: 53 });
  for (const body of [CERT, { insert_headers: { 'X-Forwarded-For': 'true' } }]) {
    r = await put(udp.id, body);
    t.equal(r.status, 400);
    t.equal(fault(r), 'Validation failure: UDP protocol listener does not support TLS or header insertion.');
  }
  const tcp = await activeListener(h, lb.id, { protocol: 'TCP', protocol_port: 81 });
  r = await put(tcp.id, { insert_headers: { 'X-Forwarded-For': 'true' } });
  t.equal(fault(r), 'insert-headers is not a valid option for a TCP protocol listener.');
});
