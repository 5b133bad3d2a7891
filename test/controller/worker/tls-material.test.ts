// The worker fills each amphora's config with the TLS material its listeners and pools
// name, resolved through the secrets driver (the local store) in the load balancer's
// project: default and SNI certificates with their keys, the client CA and CRL, the
// pool's client certificate, member CA and CRL. A ref that no longer resolves fails
// the apply with TlsSecretUnavailableError and the load balancer goes to ERROR; no log
// line carries key material. A whole controller with the no-op drivers (the no-op
// agent keeps the config it was given).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { listAmphorae } from '../../../controller/db/amphora-repo.js';
import { deleteSecret } from '../../../controller/db/secret-repo.js';
import { loadLoadBalancerGraph } from '../../../controller/db/worker-repo.js';
import { NoopAmphoraDriver } from '../../../controller/drivers/amphora/noop.js';
import { localSecretId } from '../../../controller/drivers/secrets/local-ref.js';
import { localSecrets } from '../../../controller/drivers/secrets/local.js';
import { startController, type ControllerHandle } from '../../../controller/main.js';
import { buildAmphoraConfig } from '../../../controller/worker/config-builder.js';
import {
  NO_TLS_SECRETS,
  resolveTlsSecrets,
  TlsSecretUnavailableError,
} from '../../../controller/worker/tls-material.js';
import { TestCa, type TestCert } from '../../lib/test-ca.js';
import { noopConfig, type Obj } from './noop-harness.js';

const PROJECT = 'p1';
const headers = { 'x-project-id': PROJECT, 'x-roles': 'admin,member' };
const logLines: string[] = [];
const capture = { info: (m: string) => logLines.push(m), error: (m: string) => logLines.push(m) };

const config = noopConfig();
let ctl: ControllerHandle;
t.before(async () => {
  ctl = await startController(config, capture);
});
t.teardown(async () => {
  await ctl?.close();
  rmSync(config.stateDir, { recursive: true, force: true });
});

async function api(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) {
  const res = await ctl.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: JSON.parse(res.body || '{}') as Obj };
}

async function upload(secret: Obj): Promise<string> {
  const r = await api('POST', '/v2/velox/secrets', { secret });
  if (r.status !== 201) throw new Error(`upload: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.secret.secret_ref as string;
}

/** Polls the load balancer until `done` (bounded: the no-op worker settles in milliseconds). */
async function lbUntil(id: string, done: (status: string) => boolean): Promise<string> {
  let status = '';
  for (let i = 0; i < 200; i++) {
    status = (await api('GET', `/v2/lbaas/loadbalancers/${id}`)).body.loadbalancer.provisioning_status;
    if (done(status)) return status;
    await sleep(25);
  }
  throw new Error(`load balancer ${id} still ${status}`);
}

const settled = (s: string) => s === 'ACTIVE' || s === 'ERROR';
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
const keyDer = (pem: string) =>
  createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }).toString('hex');
const pemBody = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');

interface Material {
  ca: TestCa;
  memberCa: TestCa;
  leaf: TestCert;
  sni: TestCert[];
  poolClient: TestCert;
  intermediate: TestCert;
  clientCrlPem: string;
  memberCrlPem: string;
  refs: Record<
    'cert' | 'sni0' | 'sni1' | 'clientCa' | 'clientCrl' | 'poolCert' | 'memberCa' | 'memberCrl',
    string
  >;
}

async function uploadMaterial(): Promise<Material> {
  const ca = await TestCa.create('Velox worker test CA');
  const memberCa = await TestCa.create('Velox member CA');
  const leaf = await ca.issue({ subject: 'CN=www.example.com', names: ['www.example.com'] });
  const intermediate = await ca.issue({ subject: 'CN=pretend intermediate' });
  const sni = [
    await ca.issue({ subject: 'CN=a.example.com', names: ['a.example.com'] }),
    await ca.issue({ subject: 'CN=b.example.com', names: ['b.example.com'] }),
  ];
  const poolClient = await memberCa.issue({ subject: 'CN=velox-lb', client: true });
  const revoked = await ca.issue({ subject: 'CN=revoked', client: true });
  ca.revoke(revoked);
  const clientCrlPem = await ca.crlPem();
  const memberCrlPem = await memberCa.crlPem();
  const cert = (c: TestCert, chain?: string) =>
    upload({ certificate: c.certPem, private_key: c.keyPem, ...(chain ? { intermediates: chain } : {}) });
  return {
    ca,
    memberCa,
    leaf,
    sni,
    poolClient,
    intermediate,
    clientCrlPem,
    memberCrlPem,
    refs: {
      cert: await cert(leaf, intermediate.certPem),
      sni0: await cert(sni[0]!),
      sni1: await cert(sni[1]!),
      clientCa: await upload({ type: 'ca', payload: ca.certPem }),
      clientCrl: await upload({ type: 'crl', payload: clientCrlPem }),
      poolCert: await cert(poolClient),
      memberCa: await upload({ type: 'ca', payload: memberCa.certPem }),
      memberCrl: await upload({ type: 'crl', payload: memberCrlPem }),
    },
  };
}

/** A load balancer with a TERMINATED_HTTPS listener and a re-encrypting default pool, all refs set. */
async function tlsLoadBalancer(m: Material): Promise<{ lbId: string; listenerId: string; poolId: string }> {
  const r = await api('POST', '/v2/lbaas/loadbalancers', {
    loadbalancer: {
      name: 'tls',
      vip_subnet_id: '6b3f0f57-2b7a-4a63-9d0e-8f3d1b2c4e10',
      listeners: [
        {
          name: 'https',
          protocol: 'TERMINATED_HTTPS',
          protocol_port: 443,
          default_tls_container_ref: m.refs.cert,
          sni_container_refs: [m.refs.sni0, m.refs.sni1],
          client_ca_tls_container_ref: m.refs.clientCa,
          client_crl_container_ref: m.refs.clientCrl,
          client_authentication: 'MANDATORY',
          default_pool: {
            name: 'web',
            protocol: 'HTTP',
            lb_algorithm: 'ROUND_ROBIN',
            tls_enabled: true,
            tls_container_ref: m.refs.poolCert,
            ca_tls_container_ref: m.refs.memberCa,
            crl_container_ref: m.refs.memberCrl,
          },
        },
      ],
    },
  });
  if (r.status !== 201) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`);
  const lb = r.body.loadbalancer;
  return { lbId: lb.id, listenerId: lb.listeners[0].id, poolId: lb.pools[0].id };
}

async function configOf(lbId: string) {
  const [amp] = await listAmphorae(ctl.db, { loadBalancerId: lbId });
  if (!(ctl.amphora instanceof NoopAmphoraDriver)) throw new Error('not the no-op amphora driver');
  return { amp: amp!, config: ctl.amphora.lastConfig(amp!.id)! };
}

t.test('the config of the amphora carries every PEM its listener and pool name', async (t) => {
  const m = await uploadMaterial();
  const { lbId } = await tlsLoadBalancer(m);
  t.equal(await lbUntil(lbId, settled), 'ACTIVE');
  const { config } = await configOf(lbId);
  const l = config.listeners![0]!;
  const d = l.default_tls!;
  t.equal(d.ref, m.refs.cert, 'the ref stays, for logs and file ids');
  t.equal(fingerprint(d.certificate_pem!), fingerprint(m.leaf.certPem), 'default certificate');
  t.equal(keyDer(d.private_key_pem!), keyDer(m.leaf.keyPem), 'its private key');
  t.same(d.intermediates_pem!.map(fingerprint), [fingerprint(m.intermediate.certPem)], 'its chain');
  t.same(
    l.sni_tls!.map((c) => [c.ref, fingerprint(c.certificate_pem!), keyDer(c.private_key_pem!)]),
    m.sni.map((c, i) => [[m.refs.sni0, m.refs.sni1][i], fingerprint(c.certPem), keyDer(c.keyPem)]),
    'SNI certificates with their keys, in the order given',
  );
  t.equal(fingerprint(l.client_ca_pem!), fingerprint(m.ca.certPem), 'client CA');
  // The store re-encodes a CRL from its DER: the signed bytes are the ones uploaded.
  t.equal(pemBody(l.client_crl_pem!), pemBody(m.clientCrlPem), 'client CRL');
  t.match(l.client_crl_pem!, /^-----BEGIN X509 CRL-----/, 'labelled as OpenSSL reads it');
  t.equal(l.client_authentication, 'MANDATORY');

  const p = config.pools![0]!;
  t.equal(p.tls_enabled, true);
  t.equal(p.tls_certificate!.ref, m.refs.poolCert);
  t.equal(
    fingerprint(p.tls_certificate!.certificate_pem!),
    fingerprint(m.poolClient.certPem),
    'pool client cert',
  );
  t.equal(keyDer(p.tls_certificate!.private_key_pem!), keyDer(m.poolClient.keyPem), 'its key');
  t.equal(fingerprint(p.ca_pem!), fingerprint(m.memberCa.certPem), 'member CA');
  t.equal(pemBody(p.crl_pem!), pemBody(m.memberCrlPem), 'member CRL');

  t.notOk(
    logLines.some((line) => /PRIVATE KEY|BEGIN CERTIFICATE|X509 CRL/.test(line)),
    'no log line carries TLS material',
  );
});

t.test(
  'a secret that no longer resolves fails the apply: TlsSecretUnavailableError, load balancer ERROR',
  async (t) => {
    const m = await uploadMaterial();
    const { lbId, listenerId } = await tlsLoadBalancer(m);
    t.equal(await lbUntil(lbId, settled), 'ACTIVE');
    const before = await configOf(lbId);

    // Gone behind the API's back (the API refuses to delete a secret in use).
    await deleteSecret(ctl.db, localSecretId(m.refs.sni1)!);
    const graph = (await loadLoadBalancerGraph(ctl.db, lbId))!;
    const err = await resolveTlsSecrets(localSecrets(ctl.db, ctl.config), graph).catch((e: unknown) => e);
    t.type(err, TlsSecretUnavailableError, 'the named error');
    t.match(err, {
      name: 'TlsSecretUnavailableError',
      ref: m.refs.sni1,
      usedBy: `listener ${listenerId} sni_container_refs`,
    });

    const r = await api('PUT', `/v2/lbaas/listeners/${listenerId}`, { listener: { name: 'renamed' } });
    t.equal(r.status, 200, 'the update itself names no new ref');
    t.equal(await lbUntil(lbId, settled), 'ERROR', 'the failed apply puts the load balancer in ERROR');
    const job = await ctl.db
      .selectFrom('job')
      .select(['state', 'error'])
      .where('load_balancer_id', '=', lbId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    t.equal(job.state, 'failed');
    t.match(job.error, `TLS secret ${JSON.stringify(m.refs.sni1)} cannot be resolved`);
    t.notMatch(job.error, /BEGIN/, 'the error names the ref, never material');
    const after = await configOf(lbId);
    t.equal(String(after.config.version), String(before.config.version), 'the amphora keeps its last config');
    t.equal(after.amp.desired_version, before.amp.desired_version, 'no new version was recorded');
    t.notOk(
      logLines.some((line) => /PRIVATE KEY|BEGIN CERTIFICATE|X509 CRL/.test(line)),
      'no log line carries TLS material',
    );
  },
);

t.test('the builder refuses a graph ref the resolution step did not resolve (a flow bug)', async (t) => {
  const m = await uploadMaterial();
  const { lbId } = await tlsLoadBalancer(m);
  t.equal(await lbUntil(lbId, settled), 'ACTIVE');
  const graph = (await loadLoadBalancerGraph(ctl.db, lbId))!;
  const amp = {
    amphoraId: 'a',
    vip: { address: '198.19.0.9', vrrpAddress: '198.19.0.8', prefix: 24 },
    memberNics: [],
  };
  const opts = { version: 1, heartbeat: { target: '127.0.0.1:1', interval_ms: 1000 } };
  t.throws(() => buildAmphoraConfig(graph, amp, { ...opts, secrets: NO_TLS_SECRETS }), /was not resolved/);
  const secrets = await resolveTlsSecrets(localSecrets(ctl.db, ctl.config), graph);
  t.equal(buildAmphoraConfig(graph, amp, { ...opts, secrets }).listeners!.length, 1);
});
