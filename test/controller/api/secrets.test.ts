// /v2/velox/secrets: uploads of each kind, what the API shows (never key material),
// project scoping, every refusal of a bad upload, and the 409 of deleting a secret a
// listener or pool still names. Runs on SQLite, and on PostgreSQL with VELOX_TEST_PG_URL.
import { createPrivateKey } from 'node:crypto';
import t from 'tap';
import { TestCa, type TestCert } from '../../lib/test-ca.js';
import { activeLb, activeListener, activePool, fault, harness, type Harness } from './helpers.js';

const URL = '/v2/velox/secrets';
const P1 = { 'x-project-id': 'p1' };
const P2 = { 'x-project-id': 'p2' };
const P1_OBSERVER = { 'x-project-id': 'p1', 'x-roles': 'load-balancer_observer' };
const P1_READER = { 'x-project-id': 'p1', 'x-roles': 'reader' };
const ADMIN = {}; // the noauth operator

interface Material {
  ca: TestCa;
  leaf: TestCert;
  other: TestCert;
  crl: string;
}

async function material(): Promise<Material> {
  const ca = await TestCa.create('h3a api root');
  const leaf = await ca.issue({ subject: 'CN=www.example.test,O=Velox tests', names: ['www.example.test'] });
  const other = await ca.issue({ subject: 'CN=other.example.test' });
  const revoked = await ca.issue({ subject: 'CN=revoked', client: true });
  ca.revoke(revoked);
  return { ca, leaf, other, crl: await ca.crlPem() };
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s+/g, '');
}

async function upload(h: Harness, secret: Record<string, unknown>, headers: Record<string, string> = P1) {
  return h.req('POST', URL, { secret }, headers);
}

async function uploaded(h: Harness, secret: Record<string, unknown>, headers: Record<string, string> = P1) {
  const r = await upload(h, secret, headers);
  if (r.status !== 201) throw new Error(`upload: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.secret as { id: string; secret_ref: string; project_id: string };
}

t.test('upload a certificate, a CA bundle and a CRL; show, list, delete', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const m = await material();

  const r = await upload(h, {
    name: 'web',
    certificate: m.leaf.certPem,
    private_key: m.leaf.keyPem,
    intermediates: m.ca.certPem,
  });
  t.equal(r.status, 201);
  const cert = r.body.secret;
  t.same(Object.keys(cert).sort(), [
    'created_at',
    'expiration',
    'fingerprint',
    'id',
    'name',
    'project_id',
    'secret_ref',
    'subject',
    'type',
    'updated_at',
  ]);
  t.match(cert, {
    name: 'web',
    project_id: 'p1',
    type: 'certificate',
    subject: 'CN=www.example.test, O=Velox tests',
    updated_at: null,
  });
  t.equal(cert.secret_ref, `http://localhost:80/v2/velox/secrets/${cert.id}`, 'a URL back to this API');
  t.match(cert.expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  t.notOk(r.raw.body.includes(pemBody(m.leaf.keyPem).slice(0, 40)), 'no key material in the answer');
  t.notOk(r.raw.body.includes('PRIVATE KEY'), 'not even its label');

  const ca = await uploaded(h, { name: 'roots', type: 'ca', payload: m.ca.certPem });
  t.match(ca, { type: 'ca', subject: 'CN=h3a api root' });
  const crl = await uploaded(h, { type: 'crl', payload: m.crl });
  t.match(crl, { type: 'crl', name: '', subject: 'CN=h3a api root' });
  // A CRL under the library's "CRL" label is accepted and served as "X509 CRL".
  const relabelled = await uploaded(h, { type: 'crl', payload: m.crl.replace(/X509 CRL/g, 'CRL') });

  // What a listener's ref resolves to: the stored material, through the app's own driver.
  const scope = { projectId: 'p1' };
  const driver = h.secrets!;
  const bundle = await driver.getCertificate(cert.secret_ref, scope);
  t.equal(pemBody(bundle.privateKeyPem), pemBody(m.leaf.keyPem));
  t.equal(pemBody(bundle.intermediatesPem.join('')), pemBody(m.ca.certPem));
  t.equal(pemBody(await driver.getPem(ca.id, 'ca', scope)), pemBody(m.ca.certPem));
  t.match(await driver.getPem(relabelled.secret_ref, 'crl', scope), /^-----BEGIN X509 CRL-----/);

  // Show: the owner, an observer of the project, an admin; the fields= of Octavia.
  let s = await h.req('GET', `${URL}/${cert.id}`, undefined, P1);
  t.equal(s.status, 200);
  t.same(s.body.secret, cert, 'shows what the upload answered');
  t.equal((await h.req('GET', `${URL}/${cert.id}`, undefined, P1_OBSERVER)).status, 200);
  t.equal((await h.req('GET', `${URL}/${cert.id}`, undefined, ADMIN)).status, 200);
  s = await h.req('GET', `${URL}/${cert.id}?fields=id&fields=secret_ref`, undefined, P1);
  t.same(s.body.secret, { id: cert.id, secret_ref: cert.secret_ref });
  t.equal(
    (await h.req('GET', `${URL}/${cert.id}`, undefined, { host: 'lb.example.org:9876', ...P1 })).body.secret
      .secret_ref,
    `http://lb.example.org:9876/v2/velox/secrets/${cert.id}`,
    'the ref follows the Host',
  );

  // Lists: one's own project; an admin sees all, or one project with ?project_id=.
  const other = await uploaded(
    h,
    { name: 'p2 web', certificate: m.other.certPem, private_key: m.other.keyPem },
    P2,
  );
  let l = await h.req('GET', URL, undefined, P1);
  t.equal(l.status, 200);
  t.same(
    l.body.secrets.map((x: { id: string }) => x.id).sort(),
    [cert.id, ca.id, crl.id, relabelled.id].sort(),
    'p1 lists its own (created_at, then id: one second holds them all)',
  );
  t.same(l.body.secrets_links, []);
  l = await h.req('GET', URL, undefined, P2);
  t.same(
    l.body.secrets.map((x: { id: string }) => x.id),
    [other.id],
  );
  l = await h.req('GET', URL, undefined, ADMIN);
  t.equal(l.body.secrets.length, 5, 'the admin lists every project');
  l = await h.req('GET', `${URL}?project_id=p2`, undefined, ADMIN);
  t.same(
    l.body.secrets.map((x: { id: string }) => x.id),
    [other.id],
  );
  l = await h.req('GET', `${URL}?type=ca`, undefined, P1);
  t.same(
    l.body.secrets.map((x: { id: string }) => x.id),
    [ca.id],
    'filtered by type',
  );
  l = await h.req('GET', `${URL}?limit=2`, undefined, P1);
  t.equal(l.body.secrets.length, 2);
  t.equal(l.body.secrets_links[0].rel, 'next', 'paged like every collection');
  t.notOk(
    JSON.stringify((await h.req('GET', URL, undefined, ADMIN)).body).includes('PRIVATE'),
    'lists hold no key',
  );

  // Delete: 204, then gone.
  t.equal((await h.req('DELETE', `${URL}/${crl.id}`, undefined, P1)).status, 204);
  t.equal((await h.req('GET', `${URL}/${crl.id}`, undefined, P1)).status, 404);
  await t.rejects(
    driver.getPem(crl.id, 'crl', scope),
    { name: 'SecretNotFoundError' },
    'and unknown to the driver',
  );
  t.equal((await h.req('DELETE', `${URL}/${crl.id}`, undefined, P1)).status, 404);
});

t.test('a key encrypted with a passphrase is stored decrypted; other key formats', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const m = await material();
  const key = createPrivateKey(m.leaf.keyPem);
  const encrypted = key.export({
    type: 'pkcs8',
    format: 'pem',
    cipher: 'aes-256-cbc',
    passphrase: 'open sesame',
  });
  const s = await uploaded(h, {
    certificate: m.leaf.certPem,
    private_key: encrypted,
    private_key_passphrase: 'open sesame',
  });
  const bundle = await h.secrets!.getCertificate(s.id, { projectId: 'p1' });
  t.match(bundle.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/, 'unencrypted PKCS#8');
  t.equal(pemBody(bundle.privateKeyPem), pemBody(m.leaf.keyPem), 'the same key');

  const sec1 = key.export({ type: 'sec1', format: 'pem' }) as string;
  t.match(sec1, /BEGIN EC PRIVATE KEY/);
  t.equal((await upload(h, { certificate: m.leaf.certPem, private_key: sec1 })).status, 201, 'SEC1 EC key');
  const sec1Encrypted = key.export({
    type: 'sec1',
    format: 'pem',
    cipher: 'aes-128-cbc',
    passphrase: 'pw',
  }) as string;
  t.match(sec1Encrypted, /Proc-Type: 4,ENCRYPTED/);
  t.equal(
    (
      await upload(h, {
        certificate: m.leaf.certPem,
        private_key: sec1Encrypted,
        private_key_passphrase: 'pw',
      })
    ).status,
    201,
    'legacy encrypted PEM with its headers',
  );
  let r = await upload(h, { certificate: m.leaf.certPem, private_key: sec1Encrypted });
  t.equal(r.status, 400);
  t.equal(fault(r), 'Passphrase needed to decrypt key but client did not provide one.');
  r = await upload(h, {
    certificate: m.leaf.certPem,
    private_key: encrypted,
    private_key_passphrase: 'wrong',
  });
  t.equal(r.status, 400);
  t.equal(fault(r), 'Invalid secret: private_key does not open with private_key_passphrase');
  t.notOk(r.raw.body.includes('wrong'), 'the passphrase is not echoed');
});

t.test('every bad upload is a 400 naming the field', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const m = await material();
  const garbageDer = `-----BEGIN CERTIFICATE-----\n${Buffer.from('not a certificate at all').toString('base64')}\n-----END CERTIFICATE-----\n`;
  const garbageCrl = `-----BEGIN X509 CRL-----\n${Buffer.from('not a crl at all').toString('base64')}\n-----END X509 CRL-----\n`;
  const cases: [string, Record<string, unknown>, RegExp | string][] = [
    [
      'no certificate',
      { private_key: m.leaf.keyPem },
      'Invalid secret: certificate is required (one PEM certificate)',
    ],
    ['no key', { certificate: m.leaf.certPem }, /^Invalid secret: private_key is required/],
    ['empty certificate', { certificate: '', private_key: m.leaf.keyPem }, /certificate is required/],
    [
      'not PEM',
      { certificate: 'hello', private_key: m.leaf.keyPem },
      'Invalid secret: certificate is not PEM: no -----BEGIN ...----- block',
    ],
    [
      'not base64',
      {
        certificate: '-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n',
        private_key: m.leaf.keyPem,
      },
      'Invalid secret: certificate its CERTIFICATE block is not base64',
    ],
    [
      'not DER of a certificate',
      { certificate: garbageDer, private_key: m.leaf.keyPem },
      'Invalid secret: certificate certificate 1 is not a valid X.509 certificate',
    ],
    [
      'a chain in certificate',
      { certificate: m.leaf.certPem + m.ca.certPem, private_key: m.leaf.keyPem },
      'Invalid secret: certificate must be one certificate, not 2: put the chain in intermediates',
    ],
    [
      'a key in certificate',
      { certificate: m.leaf.keyPem, private_key: m.leaf.keyPem },
      'Invalid secret: certificate must hold CERTIFICATE blocks only, not PRIVATE KEY',
    ],
    [
      'a certificate as key',
      { certificate: m.leaf.certPem, private_key: m.leaf.certPem },
      'Invalid secret: private_key must be one PEM private key, not CERTIFICATE',
    ],
    [
      'two keys',
      { certificate: m.leaf.certPem, private_key: m.leaf.keyPem + m.other.keyPem },
      'Invalid secret: private_key must be one PEM private key, not 2',
    ],
    [
      'an unreadable key',
      {
        certificate: m.leaf.certPem,
        private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      },
      'Invalid secret: private_key is not a readable PEM private key',
    ],
    [
      'another certificate’s key',
      { certificate: m.leaf.certPem, private_key: m.other.keyPem },
      'Key and x509 certificate do not match',
    ],
    [
      'bad intermediates',
      { certificate: m.leaf.certPem, private_key: m.leaf.keyPem, intermediates: garbageDer },
      'Invalid secret: intermediates certificate 1 is not a valid X.509 certificate',
    ],
    [
      'payload on a certificate',
      { certificate: m.leaf.certPem, private_key: m.leaf.keyPem, payload: m.crl },
      'Invalid secret: payload is not an attribute of type certificate',
    ],
    ['no CA payload', { type: 'ca' }, 'Invalid secret: payload is required (PEM certificates)'],
    [
      'a key in a CA bundle',
      { type: 'ca', payload: m.ca.certPem + m.leaf.keyPem },
      'Invalid secret: payload must hold CERTIFICATE blocks only, not PRIVATE KEY',
    ],
    [
      'a CA with a private_key',
      { type: 'ca', payload: m.ca.certPem, private_key: m.leaf.keyPem },
      'Invalid secret: private_key is not an attribute of type ca',
    ],
    ['no CRL payload', { type: 'crl' }, 'Invalid secret: payload is required (PEM X509 CRL)'],
    [
      'a certificate as CRL',
      { type: 'crl', payload: m.ca.certPem },
      'Invalid secret: payload must hold X509 CRL blocks only, not CERTIFICATE',
    ],
    [
      'a CRL that is not DER',
      { type: 'crl', payload: garbageCrl },
      'Invalid secret: payload CRL 1 is not a valid X.509 CRL',
    ],
    [
      'an unknown type',
      { type: 'pkcs12', payload: 'x' },
      /^Invalid input for field\/attribute type\. Value: 'pkcs12'\. Value should be one of: certificate, ca, crl$/,
    ],
    [
      'an unknown attribute',
      { type: 'ca', payload: m.ca.certPem, container_ref: 'x' },
      'Unknown attribute for argument secret: container_ref',
    ],
    [
      'a name too long',
      { type: 'ca', payload: m.ca.certPem, name: 'n'.repeat(256) },
      /^Invalid input for field\/attribute name/,
    ],
  ];
  // Too long: refused without quoting the secret back (a schema error would).
  cases.push(
    [
      'an oversized key',
      { certificate: m.leaf.certPem, private_key: 'K'.repeat(70_000) },
      'Invalid secret: private_key is longer than 65536 characters',
    ],
    [
      'an oversized passphrase',
      { certificate: m.leaf.certPem, private_key: m.leaf.keyPem, private_key_passphrase: 'P'.repeat(2000) },
      'Invalid secret: private_key_passphrase is longer than 1024 characters',
    ],
  );
  for (const [what, secret, message] of cases) {
    const r = await upload(h, secret);
    t.equal(r.status, 400, `${what}: 400`);
    t.equal(r.body.faultcode, 'Client');
    if (typeof message === 'string') t.equal(fault(r), message, `${what}: ${message}`);
    else t.match(fault(r), message, `${what}: ${String(message)}`);
    t.notOk(
      r.raw.body.includes(pemBody(m.leaf.keyPem).slice(0, 40)),
      `${what}: no key material in the error`,
    );
    t.notOk(/KKKK|PPPP/.test(r.raw.body), `${what}: nothing secret quoted`);
  }
  t.equal((await h.req('POST', URL, { certificate: m.leaf.certPem }, P1)).status, 400, 'no envelope');
  t.equal((await h.req('GET', URL, undefined, ADMIN)).body.secrets.length, 0, 'nothing was stored');
});

t.test('RBAC: projects are apart, observers read, readers and strangers do not', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const m = await material();
  const mine = await uploaded(h, { type: 'ca', payload: m.ca.certPem });

  t.equal((await h.req('GET', `${URL}/${mine.id}`, undefined, P2)).status, 403, 'another project: 403');
  t.equal((await h.req('DELETE', `${URL}/${mine.id}`, undefined, P2)).status, 403);
  t.equal(
    (await h.req('DELETE', `${URL}/${mine.id}`, undefined, P1_OBSERVER)).status,
    403,
    'an observer does not delete',
  );
  t.equal((await upload(h, { type: 'ca', payload: m.ca.certPem }, P1_OBSERVER)).status, 403, 'nor upload');
  t.equal(
    (await h.req('GET', `${URL}/${mine.id}`, undefined, P1_READER)).status,
    403,
    'plain reader: no access',
  );
  t.equal((await h.req('GET', URL, undefined, P1_READER)).status, 403);
  t.equal((await h.req('GET', `${URL}?project_id=p1`, undefined, P2)).status, 403, 'another project’s list');
  const global = { 'x-project-id': 'p3', 'x-roles': 'load-balancer_global_observer' };
  t.equal((await h.req('GET', URL, undefined, global)).body.secrets.length, 1, 'a global observer lists all');
  t.equal((await h.req('GET', `${URL}/c0ffee00-0000-4000-8000-000000000000`, undefined, P1)).status, 404);
  t.equal(fault(await h.req('GET', `${URL}/nope`, undefined, P1)), 'Secret nope not found.');

  // project_id in the body: an admin uploads for a tenant; a member only for itself.
  t.equal((await upload(h, { type: 'ca', payload: m.ca.certPem, project_id: 'p2' }, P1)).status, 403);
  const forP2 = await uploaded(h, { type: 'ca', payload: m.ca.certPem, project_id: 'p2' }, ADMIN);
  t.equal(forP2.project_id, 'p2');
  t.equal((await h.req('GET', `${URL}/${forP2.id}`, undefined, P2)).status, 200, 'the tenant sees it');
  const byOperator = await uploaded(h, { type: 'ca', payload: m.ca.certPem }, ADMIN);
  t.equal(byOperator.project_id, 'admin', 'the noauth operator’s own project');
  t.equal(
    (await h.req('DELETE', `${URL}/${forP2.id}`, undefined, ADMIN)).status,
    204,
    'an admin deletes any',
  );
});

t.test('a secret a live listener or pool names cannot be deleted (409)', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const m = await material();
  const lb = await activeLb(h, {}, P1);
  const listener = await activeListener(h, lb.id);
  const pool = await activePool(h, { loadbalancer_id: lb.id });
  // Owned by p1 like its secrets (the operator created them for project "admin").
  await h.db.updateTable('listener').set({ project_id: 'p1' }).where('id', '=', listener.id).execute();
  await h.db.updateTable('pool').set({ project_id: 'p1' }).where('id', '=', pool.id).execute();

  const cert = await uploaded(h, { certificate: m.leaf.certPem, private_key: m.leaf.keyPem });
  const sni = await uploaded(h, { certificate: m.other.certPem, private_key: m.other.keyPem });
  const ca = await uploaded(h, { type: 'ca', payload: m.ca.certPem });
  const crl = await uploaded(h, { type: 'crl', payload: m.crl });
  const free = await uploaded(h, { type: 'ca', payload: m.ca.certPem });

  // The columns the listener and pool APIs store refs in, as the user gave them: the
  // secret_ref URL (any host) or the bare id.
  const setListener = (cols: Record<string, string | null>) =>
    h.db.updateTable('listener').set(cols).where('id', '=', listener.id).execute();
  const setPool = (cols: Record<string, string | null>) =>
    h.db.updateTable('pool').set(cols).where('id', '=', pool.id).execute();
  await setListener({
    tls_certificate_id: cert.secret_ref,
    sni_containers: JSON.stringify([`https://other.host:9876/v2/velox/secrets/${sni.id}`]),
    client_ca_tls_certificate_id: ca.id,
    client_crl_container_id: crl.secret_ref,
  });

  const refused = async (id: string, user: string, resource: string) => {
    const r = await h.req('DELETE', `${URL}/${id}`, undefined, P1);
    t.equal(r.status, 409, `${resource} ${user} holds it: 409`);
    t.equal(fault(r), `Secret ${id} is in use by ${resource} ${user} and cannot be deleted.`);
  };
  await refused(cert.id, listener.id, 'Listener');
  await refused(sni.id, listener.id, 'Listener');
  await refused(ca.id, listener.id, 'Listener');
  await refused(crl.id, listener.id, 'Listener');

  await setListener({
    tls_certificate_id: null,
    sni_containers: '[]',
    client_ca_tls_certificate_id: null,
    client_crl_container_id: null,
  });
  await setPool({
    tls_certificate_id: cert.id,
    ca_tls_certificate_id: ca.secret_ref,
    crl_container_id: crl.id,
  });
  await refused(cert.id, pool.id, 'Pool');
  await refused(ca.id, pool.id, 'Pool');
  await refused(crl.id, pool.id, 'Pool');

  // Another project's objects naming p1's id do not hold it (they cannot use it anyway).
  await h.db.updateTable('pool').set({ project_id: 'p2' }).where('id', '=', pool.id).execute();
  t.equal((await h.req('DELETE', `${URL}/${crl.id}`, undefined, P1)).status, 204, 'another project’s pool');
  // A deleted listener holds nothing.
  await setListener({ tls_certificate_id: sni.id });
  await refused(sni.id, listener.id, 'Listener');
  await h.db
    .updateTable('listener')
    .set({ provisioning_status: 'DELETED' })
    .where('id', '=', listener.id)
    .execute();
  t.equal((await h.req('DELETE', `${URL}/${sni.id}`, undefined, P1)).status, 204, 'a DELETED listener');
  t.equal((await h.req('DELETE', `${URL}/${free.id}`, undefined, P1)).status, 204, 'an unused secret');
  t.equal((await h.req('GET', `${URL}/${cert.id}`, undefined, P1)).status, 200, 'the refused ones stay');
});

t.test(
  'end to end: a TERMINATED_HTTPS listener names the secret_ref it got; deleted, it lets go',
  async (t) => {
    const h = await harness();
    t.teardown(() => h.close());
    const m = await material();
    const cert = await uploaded(h, { name: 'web', certificate: m.leaf.certPem, private_key: m.leaf.keyPem });
    const lb = await activeLb(h, {}, P1);
    let r = await h.req(
      'POST',
      '/v2/lbaas/listeners',
      {
        listener: {
          loadbalancer_id: lb.id,
          protocol: 'TERMINATED_HTTPS',
          protocol_port: 443,
          default_tls_container_ref: cert.secret_ref,
        },
      },
      P1,
    );
    t.equal(r.status, 201, 'the listener API resolves the ref through the same store');
    const listenerId = r.body.listener.id as string;
    await h.activate(lb.id);
    r = await h.req('DELETE', `${URL}/${cert.id}`, undefined, P1);
    t.equal(r.status, 409);
    t.equal(fault(r), `Secret ${cert.id} is in use by Listener ${listenerId} and cannot be deleted.`);
    t.equal((await h.req('DELETE', `/v2/lbaas/listeners/${listenerId}`, undefined, P1)).status, 204);
    await h.activate(lb.id);
    t.equal(
      (await h.req('DELETE', `${URL}/${cert.id}`, undefined, P1)).status,
      204,
      'free once the listener is gone',
    );
  },
);
