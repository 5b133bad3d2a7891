// Pool TLS refs (re-encryption: client certificate, member CA, CRL) resolved through the
// secrets driver (the local store), as Octavia's pool controller does: uploaded refs are
// accepted; unknown ones, the wrong kind, another project's, and a CRL its CA did not sign
// are refused with Octavia's 400 and text, on create, update and graph create, and
// nothing is stored.
import t from 'tap';
import { TestCa } from '../../lib/test-ca.js';
import { PUBLIC_SUBNET, activeLb, fault, harness, subnetId, type Harness } from './helpers.js';
import { uploadCertificate, uploadCrl, uploadTlsRefs } from './secret-helpers.js';

const POOLS = '/v2/lbaas/pools';
const UNKNOWN = 'https://barbican.example/v1/secrets/6a0d8a0e-4c1f-4a55-8f64-0a7d1f0e9b22';

const post = (h: Harness, lbId: string, p: Record<string, unknown>) =>
  h.req('POST', POOLS, {
    pool: { loadbalancer_id: lbId, protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN', tls_enabled: true, ...p },
  });

const retrieval = (...refs: string[]) =>
  `Could not retrieve certificate: [${refs.map((r) => `'${r}'`).join(', ')}]`;
const NOT_ITS_CRL =
  'Validation failure: The CRL specified is not valid for client certificate authority reference supplied.';

async function poolCount(h: Harness): Promise<number> {
  return (await h.req('GET', POOLS)).body.pools.length as number;
}

t.test('a client certificate, member CA and CRL uploaded by the project are accepted', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const s = await uploadTlsRefs(h);
  const r = await post(h, lb.id, {
    tls_container_ref: s.cert,
    ca_tls_container_ref: s.caBundle,
    crl_container_ref: s.crl,
  });
  t.equal(r.status, 201, JSON.stringify(r.body));
  t.match(r.body.pool, {
    tls_enabled: true,
    tls_container_ref: s.cert,
    ca_tls_container_ref: s.caBundle,
    crl_container_ref: s.crl,
  });
});

t.test('create: every refusal is Octavia 400 with its text, and stores nothing', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const s = await uploadTlsRefs(h);
  const otherCrl = await uploadCrl(h, await TestCa.create('Another CA'));
  const foreignCert = await uploadCertificate(h, s.ca, 'client', { 'x-project-id': 'p2' });
  const cases: [string, Record<string, unknown>, string][] = [
    ['an unknown client certificate', { tls_container_ref: UNKNOWN }, retrieval(UNKNOWN)],
    ['a CA bundle as the client certificate', { tls_container_ref: s.caBundle }, retrieval(s.caBundle)],
    ["another project's client certificate", { tls_container_ref: foreignCert }, retrieval(foreignCert)],
    ['a certificate as the member CA', { ca_tls_container_ref: s.cert }, retrieval(s.cert)],
    [
      'a CA and a CRL of the wrong kinds: both named',
      { ca_tls_container_ref: s.crl, crl_container_ref: s.cert },
      retrieval(s.crl, s.cert),
    ],
    ['an unknown CRL', { ca_tls_container_ref: s.caBundle, crl_container_ref: UNKNOWN }, retrieval(UNKNOWN)],
    [
      'a CRL without a CA',
      { crl_container_ref: s.crl },
      'Validation failure: A CA certificate reference is required to specify a revocation list.',
    ],
    [
      'a CRL its CA did not sign',
      { ca_tls_container_ref: s.caBundle, crl_container_ref: otherCrl },
      NOT_ITS_CRL,
    ],
  ];
  for (const [what, body, message] of cases) {
    const r = await post(h, lb.id, body);
    t.equal(r.status, 400, what);
    t.equal(fault(r), message, what);
  }
  t.equal(await poolCount(h), 0, 'no refused pool was stored');
});

t.test('update: given refs and the stored CA are checked; a refusal changes nothing', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const s = await uploadTlsRefs(h);
  const created = await post(h, lb.id, { ca_tls_container_ref: s.caBundle });
  t.equal(created.status, 201);
  const id = created.body.pool.id as string;
  await h.activate(lb.id);
  const put = (p: Record<string, unknown>) => h.req('PUT', `${POOLS}/${id}`, { pool: p });

  let r = await put({ tls_container_ref: s.crl });
  t.equal(r.status, 400);
  t.equal(fault(r), retrieval(s.crl), 'a CRL as the client certificate');
  r = await put({ crl_container_ref: await uploadCrl(h, await TestCa.create('Another CA')) });
  t.equal(fault(r), NOT_ITS_CRL, 'a new CRL is checked against the stored CA');
  r = await put({ ca_tls_container_ref: UNKNOWN });
  t.equal(fault(r), retrieval(UNKNOWN), 'a new CA');
  t.match(
    (await h.req('GET', `${POOLS}/${id}`)).body.pool,
    { tls_container_ref: null, ca_tls_container_ref: s.caBundle, crl_container_ref: null },
    'refused updates left the pool as it was',
  );

  r = await put({ tls_container_ref: s.cert, crl_container_ref: s.crl });
  t.equal(r.status, 200, 'a client certificate and a CRL of the stored CA');
  t.match(r.body.pool, { tls_container_ref: s.cert, crl_container_ref: s.crl });
});

t.test('graph create: a bad pool ref refuses the whole graph and leaves no row', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const s = await uploadTlsRefs(h);
  const createLb = (graph: Record<string, unknown>) =>
    h.req('POST', '/v2/lbaas/loadbalancers', {
      loadbalancer: { name: 'graph', vip_subnet_id: subnetId(h, PUBLIC_SUBNET), ...graph },
    });
  const pool = (extra: Record<string, unknown>) => ({
    name: 'web',
    protocol: 'HTTP',
    lb_algorithm: 'ROUND_ROBIN',
    tls_enabled: true,
    ...extra,
  });
  const otherCrl = await uploadCrl(h, await TestCa.create('Another CA'));
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'a top-level pool with an unknown client certificate',
      { pools: [pool({ tls_container_ref: UNKNOWN })] },
      retrieval(UNKNOWN),
    ],
    [
      "a listener's nested default pool whose CRL its CA did not sign",
      {
        listeners: [
          {
            protocol: 'HTTP',
            protocol_port: 80,
            default_pool: pool({ ca_tls_container_ref: s.caBundle, crl_container_ref: otherCrl }),
          },
        ],
      },
      NOT_ITS_CRL,
    ],
  ];
  for (const [what, graph, message] of cases) {
    const r = await createLb(graph);
    t.equal(r.status, 400, what);
    t.equal(fault(r), message, what);
  }
  t.same((await h.req('GET', '/v2/lbaas/loadbalancers')).body.loadbalancers, [], 'no load balancer');
  t.equal(await poolCount(h), 0, 'no pool');
  t.same(await h.db.selectFrom('port').select('id').execute(), [], 'no VIP port');

  const ok = await createLb({
    pools: [pool({ tls_container_ref: s.cert, ca_tls_container_ref: s.caBundle, crl_container_ref: s.crl })],
  });
  t.equal(ok.status, 201, 'the same graph with good refs is created');
  t.equal(ok.body.loadbalancer.pools[0].ca_tls_container_ref, s.caBundle);
});
