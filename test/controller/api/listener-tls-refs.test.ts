// Listener TLS refs resolved through the secrets driver (the local store), as Octavia's
// _validate_tls_refs and _validate_client_ca_and_crl_refs: refs uploaded by the project
// are accepted; unknown refs, refs of the wrong kind, another project's, and a CRL that
// its CA did not sign are refused with Octavia's 400 and text, on create, on update and
// in the single-call graph create, and nothing is stored.
import t from 'tap';
import { TestCa } from '../../lib/test-ca.js';
import { PUBLIC_SUBNET, activeLb, fault, harness, subnetId, type Harness } from './helpers.js';
import { uploadCa, uploadCertificate, uploadCrl, uploadTlsRefs } from './secret-helpers.js';

const LISTENERS = '/v2/lbaas/listeners';
const UNKNOWN = 'https://barbican.example/v1/containers/0b7f6a7e-4b0c-4f7e-9c51-5f0f3c7c1a11';

let port = 1000;
const post = (h: Harness, lbId: string, l: Record<string, unknown>) =>
  h.req('POST', LISTENERS, {
    listener: { loadbalancer_id: lbId, protocol: 'TERMINATED_HTTPS', protocol_port: port++, ...l },
  });

const retrieval = (...refs: string[]) =>
  `Could not retrieve certificate: [${refs.map((r) => `'${r}'`).join(', ')}]`;

async function listenerCount(h: Harness): Promise<number> {
  return (await h.req('GET', LISTENERS)).body.listeners.length as number;
}

t.test('refs uploaded by the project are accepted and shown as given', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const s = await uploadTlsRefs(h);
  const r = await post(h, lb.id, {
    default_tls_container_ref: s.cert,
    sni_container_refs: s.sni,
    client_ca_tls_container_ref: s.caBundle,
    client_crl_container_ref: s.crl,
    client_authentication: 'MANDATORY',
  });
  t.equal(r.status, 201, JSON.stringify(r.body));
  t.match(r.body.listener, {
    default_tls_container_ref: s.cert,
    sni_container_refs: s.sni,
    client_ca_tls_container_ref: s.caBundle,
    client_crl_container_ref: s.crl,
    client_authentication: 'MANDATORY',
  });
  // The bare id names the same secret as its URL.
  await h.activate(lb.id);
  const bare = s.cert.split('/').pop()!;
  const r2 = await post(h, lb.id, { default_tls_container_ref: bare });
  t.equal(r2.status, 201, 'a bare secret id is a ref too');
  t.equal(r2.body.listener.default_tls_container_ref, bare);
});

t.test('create: every refusal is Octavia 400 with its text, and stores nothing', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const s = await uploadTlsRefs(h);
  const otherCa = await TestCa.create('Another CA');
  const otherCrl = await uploadCrl(h, otherCa);
  const p2 = { 'x-project-id': 'p2' };
  const foreignCert = await uploadCertificate(h, s.ca, 'www.example.com', p2);
  const foreignCa = await uploadCa(h, s.ca, p2);
  const cases: [string, Record<string, unknown>, string][] = [
    ['an unknown default certificate', { default_tls_container_ref: UNKNOWN }, retrieval(UNKNOWN)],
    [
      'unknown SNI and default refs, all named, SNI first (Octavia order)',
      { default_tls_container_ref: 'nope-default', sni_container_refs: [s.sni[0], 'nope-sni'] },
      retrieval('nope-sni', 'nope-default'),
    ],
    [
      'a CA bundle as the default certificate',
      { default_tls_container_ref: s.caBundle },
      retrieval(s.caBundle),
    ],
    [
      'a CRL as an SNI certificate',
      { default_tls_container_ref: s.cert, sni_container_refs: [s.crl] },
      retrieval(s.crl),
    ],
    ["another project's certificate", { default_tls_container_ref: foreignCert }, retrieval(foreignCert)],
    [
      'a certificate as the client CA',
      { default_tls_container_ref: s.cert, client_ca_tls_container_ref: s.sni[0] },
      retrieval(s.sni[0]!),
    ],
    [
      "another project's client CA",
      { default_tls_container_ref: s.cert, client_ca_tls_container_ref: foreignCa },
      retrieval(foreignCa),
    ],
    [
      'a client CA and a CRL of the wrong kinds: both named',
      {
        default_tls_container_ref: s.cert,
        client_ca_tls_container_ref: s.crl,
        client_crl_container_ref: s.caBundle,
      },
      retrieval(s.crl, s.caBundle),
    ],
    [
      'an unknown CRL',
      {
        default_tls_container_ref: s.cert,
        client_ca_tls_container_ref: s.caBundle,
        client_crl_container_ref: UNKNOWN,
      },
      retrieval(UNKNOWN),
    ],
    [
      'a CRL without a client CA',
      { default_tls_container_ref: s.cert, client_crl_container_ref: s.crl },
      'Validation failure: A client authentication CA reference is required to specify a client authentication revocation list.',
    ],
    [
      'a CRL its CA did not sign',
      {
        default_tls_container_ref: s.cert,
        client_ca_tls_container_ref: s.caBundle,
        client_crl_container_ref: otherCrl,
      },
      'Validation failure: The CRL specified is not valid for client certificate authority reference supplied.',
    ],
  ];
  for (const [what, body, message] of cases) {
    const r = await post(h, lb.id, body);
    t.equal(r.status, 400, what);
    t.equal(fault(r), message, what);
  }
  t.equal(await listenerCount(h), 0, 'no refused listener was stored');
  const lbNow = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}`);
  t.equal(lbNow.body.loadbalancer.provisioning_status, 'ACTIVE', 'the load balancer was not touched');
});

t.test(
  'update: the given refs and the stored CA and CRL are checked; a refusal changes nothing',
  async (t) => {
    const h = await harness();
    t.teardown(() => h.close());
    const lb = await activeLb(h);
    const s = await uploadTlsRefs(h);
    const created = await post(h, lb.id, {
      default_tls_container_ref: s.cert,
      client_ca_tls_container_ref: s.caBundle,
      client_authentication: 'OPTIONAL',
    });
    t.equal(created.status, 201);
    const id = created.body.listener.id as string;
    await h.activate(lb.id);
    const put = (l: Record<string, unknown>) => h.req('PUT', `${LISTENERS}/${id}`, { listener: l });

    let r = await put({ default_tls_container_ref: UNKNOWN });
    t.equal(r.status, 400);
    t.equal(fault(r), retrieval(UNKNOWN));
    r = await put({ sni_container_refs: [s.caBundle] });
    t.equal(fault(r), retrieval(s.caBundle), 'an SNI ref of the wrong kind');

    const otherCa = await TestCa.create('Another CA');
    r = await put({ client_crl_container_ref: await uploadCrl(h, otherCa) });
    t.equal(r.status, 400);
    t.equal(
      fault(r),
      'Validation failure: The CRL specified is not valid for client certificate authority reference supplied.',
      'a new CRL is checked against the stored CA',
    );
    r = await put({ client_ca_tls_container_ref: UNKNOWN });
    t.equal(fault(r), retrieval(UNKNOWN), 'a new client CA');

    const shown = (await h.req('GET', `${LISTENERS}/${id}`)).body.listener;
    t.match(
      shown,
      {
        default_tls_container_ref: s.cert,
        sni_container_refs: [],
        client_ca_tls_container_ref: s.caBundle,
        client_crl_container_ref: null,
        provisioning_status: 'ACTIVE',
      },
      'refused updates left the listener as it was',
    );

    r = await put({ sni_container_refs: s.sni, client_crl_container_ref: s.crl });
    t.equal(r.status, 200, 'valid SNI refs and a CRL of the stored CA');
    t.match(r.body.listener, { sni_container_refs: s.sni, client_crl_container_ref: s.crl });
  },
);

t.test('graph create: a bad ref anywhere refuses the whole graph and leaves no row', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const s = await uploadTlsRefs(h);
  const createLb = (listeners: Record<string, unknown>[]) =>
    h.req('POST', '/v2/lbaas/loadbalancers', {
      loadbalancer: { name: 'graph', vip_subnet_id: subnetId(h, PUBLIC_SUBNET), listeners },
    });
  const tls = (extra: Record<string, unknown>) => ({
    name: 'tls',
    protocol: 'TERMINATED_HTTPS',
    protocol_port: 443,
    ...extra,
  });
  const otherCrl = await uploadCrl(h, await TestCa.create('Another CA'));
  const cases: [string, Record<string, unknown>[], string][] = [
    ['unknown default certificate', [tls({ default_tls_container_ref: UNKNOWN })], retrieval(UNKNOWN)],
    [
      'the second listener has an SNI ref of the wrong kind',
      [
        { name: 'plain', protocol: 'HTTP', protocol_port: 80 },
        tls({ default_tls_container_ref: s.cert, sni_container_refs: [s.crl] }),
      ],
      retrieval(s.crl),
    ],
    [
      'a CRL its CA did not sign',
      [
        tls({
          default_tls_container_ref: s.cert,
          client_ca_tls_container_ref: s.caBundle,
          client_crl_container_ref: otherCrl,
        }),
      ],
      'Validation failure: The CRL specified is not valid for client certificate authority reference supplied.',
    ],
  ];
  for (const [what, listeners, message] of cases) {
    const r = await createLb(listeners);
    t.equal(r.status, 400, what);
    t.equal(fault(r), message, what);
  }
  t.same((await h.req('GET', '/v2/lbaas/loadbalancers')).body.loadbalancers, [], 'no load balancer');
  t.equal(await listenerCount(h), 0, 'no listener');
  const ports = await h.db.selectFrom('port').select('id').execute();
  t.same(ports, [], 'no VIP port');

  const ok = await createLb([
    tls({
      default_tls_container_ref: s.cert,
      sni_container_refs: s.sni,
      client_ca_tls_container_ref: s.caBundle,
      client_crl_container_ref: s.crl,
    }),
  ]);
  t.equal(ok.status, 201, 'the same graph with good refs is created');
  t.equal(ok.body.loadbalancer.listeners[0].default_tls_container_ref, s.cert);
});
