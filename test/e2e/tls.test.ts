// End to end for TLS: a user moving an Octavia HTTPS load balancer. The whole controller in
// process (REST API with the local secrets store, worker, local drivers, health), a real
// amphora namespace with the real agent and HAProxy, real member and client namespaces, and
// certificates made here by TestCa. Secrets go in through /v2/velox/secrets, the chain is
// built through the REST API and then through the real `openstack` CLI.
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startController } from '../../controller/main.js';
import { addHost, delHost, nodeIn, ready, startIn } from '../../scripts/lib/hosts.js';
import { localCloud } from '../../scripts/lib/local-cloud.js';
import { Octavia } from '../../scripts/lib/octavia.js';
import { TestCa, type TestCert } from '../lib/test-ca.js';
import { loadbalancerCli } from './openstack-cli.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const agentJs = join(root, 'dist/src/main.js');
const PORT = 19878;

if (process.getuid?.() !== 0) throw new Error('end-to-end tests need root (network namespaces, XDP)');
if (!existsSync(agentJs)) throw new Error(`the agent is not built (${agentJs}): run make build`);
if (!existsSync('/usr/bin/openstack'))
  throw new Error(
    'the openstack CLI is missing: apt-get install python3-openstackclient python3-octaviaclient',
  );

/** A member answering every request with what it saw, as JSON: HTTPS when given a certificate. */
const ECHO_MEMBER = `
const fs = require('node:fs');
const [name, port, certFile, keyFile] = process.argv.slice(1);
const handler = (req, res) => {
  res.setHeader('connection', 'close');
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({
    name,
    path: req.url,
    tls: Boolean(req.socket.encrypted),
    servername: req.socket.servername || null,
    headers: req.headers,
  }));
};
const server = certFile
  ? require('node:https').createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, handler)
  : require('node:http').createServer(handler);
server.listen(Number(port), () => console.log('ready'));
`;

/**
 * One HTTPS GET with SNI `servername`, verifying the VIP's certificate against caFile,
 * optionally with a client certificate; prints {status, peerCn, headers, body} or {error}.
 */
const HTTPS_CLIENT = `
const fs = require('node:fs');
const https = require('node:https');
const [host, port, servername, path, caFile, certFile, keyFile] = process.argv.slice(1);
const opts = {
  host, port: Number(port), path, servername, agent: false, timeout: 5000,
  headers: { host: servername }, ca: fs.readFileSync(caFile),
};
if (certFile) { opts.cert = fs.readFileSync(certFile); opts.key = fs.readFileSync(keyFile); }
const req = https.get(opts, (res) => {
  const peer = res.socket.getPeerCertificate();
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (d) => (body += d));
  res.on('end', () => console.log(JSON.stringify({
    status: res.statusCode, peerCn: peer.subject && peer.subject.CN, headers: res.headers, body,
  })));
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (e) => console.log(JSON.stringify({ error: e.code || e.message, message: e.message })));
`;

const state = mkdtempSync(join(tmpdir(), 'velox-e2e-tls-'));
const pemDir = join(state, 'pem');
mkdirSync(pemDir, { mode: 0o700 });
const { config, net, bridges } = localCloud('vxs', 28, PORT, 5561, state);
config.health.heartbeatIntervalMs = 500;

const hosts = ['vxsm1', 'vxsm2', 'vxsm3', 'vxsc'];
const controller = await startController(config);
const servers: ReturnType<typeof startIn>[] = [];
t.teardown(async () => {
  for (const s of servers) s.kill('SIGKILL');
  for (const h of hosts) delHost(h);
  await controller.close();
  rmSync(state, { recursive: true, force: true });
});

/** Writes a PEM for the scripts in the namespaces (they share the filesystem). */
function pemFile(name: string, content: string): string {
  const path = join(pemDir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

// Certificates: a server CA for the VIP's certificates, a client CA (one client revoked),
// and a members' CA that signed the HTTPS member's certificate (re-encryption).
const serverCa = await TestCa.create('Velox e2e server CA');
const www = await serverCa.issue({ subject: 'CN=www.example.test', names: ['www.example.test'] });
const apiCert = await serverCa.issue({ subject: 'CN=api.example.test', names: ['api.example.test'] });
const clientCa = await TestCa.create('Velox e2e client CA');
const alice = await clientCa.issue({ subject: 'CN=alice,O=Velox tests', client: true });
const mallory = await clientCa.issue({ subject: 'CN=mallory,O=Velox tests', client: true });
clientCa.revoke(mallory);
const memberCa = await TestCa.create('Velox e2e members CA');
// HAProxy sends the client's SNI to the member and, verifying, checks the certificate names it.
const secureMember = await memberCa.issue({
  subject: 'CN=www.example.test',
  names: ['www.example.test', `${net(2)}.103`],
});

const files = {
  serverCa: pemFile('server-ca.pem', serverCa.certPem),
  aliceCert: pemFile('alice.crt', alice.certPem),
  aliceKey: pemFile('alice.key', alice.keyPem),
  malloryCert: pemFile('mallory.crt', mallory.certPem),
  malloryKey: pemFile('mallory.key', mallory.keyPem),
};

for (const [i, name] of ['vxsm1', 'vxsm2'].entries()) {
  addHost(name, bridges.private, `${net(2)}.${101 + i}/24`, `${net(2)}.1`);
  const s = startIn(name, ECHO_MEMBER, [name, '8080']);
  servers.push(s);
  await ready(s);
}
addHost('vxsm3', bridges.private, `${net(2)}.103/24`, `${net(2)}.1`);
{
  const s = startIn('vxsm3', ECHO_MEMBER, [
    'vxsm3',
    '8443',
    pemFile('member.crt', secureMember.certPem),
    pemFile('member.key', secureMember.keyPem),
  ]);
  servers.push(s);
  await ready(s);
}
addHost('vxsc', bridges.public, `${net(1)}.200/24`, `${net(1)}.1`);

const api = new Octavia(`http://127.0.0.1:${PORT}`);

interface HttpsAnswer {
  status?: number;
  peerCn?: string;
  headers?: Record<string, string>;
  body?: string;
  error?: string;
  message?: string;
}

/** One HTTPS request from the client namespace to the VIP. */
async function https(
  vip: string,
  port: number,
  servername: string,
  path: string,
  client?: { cert: string; key: string },
): Promise<HttpsAnswer> {
  const args = [vip, String(port), servername, path, files.serverCa];
  if (client) args.push(client.cert, client.key);
  return JSON.parse(await nodeIn('vxsc', HTTPS_CLIENT, args)) as HttpsAnswer;
}

/** What the member saw, from its JSON answer. */
function seen(a: HttpsAnswer): {
  name: string;
  path: string;
  tls: boolean;
  servername: string | null;
  headers: Record<string, string>;
} {
  return JSON.parse(a.body ?? '{}');
}

async function upload(secret: Record<string, unknown>): Promise<{ id: string; secret_ref: string }> {
  const r = await api.call('POST', '/v2/velox/secrets', { secret });
  if (r.status !== 201) throw new Error(`secret upload: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.secret;
}

const certSecret = (name: string, c: TestCert) => ({ name, certificate: c.certPem, private_key: c.keyPem });

// Shared by the steps below, which build on each other as a user's session does.
const secrets: Record<string, { id: string; secret_ref: string }> = {};
let lbId = '';
let vip = '';
let listenerId = '';

t.test('secrets: certificates, a client CA and a CRL uploaded through the REST API', async (t) => {
  secrets.www = await upload(certSecret('www', www));
  secrets.api = await upload(certSecret('api', apiCert));
  secrets.clientCa = await upload({ name: 'clients', type: 'ca', payload: clientCa.certPem });
  secrets.crl = await upload({ name: 'clients-crl', type: 'crl', payload: await clientCa.crlPem() });
  secrets.memberCa = await upload({ name: 'members', type: 'ca', payload: memberCa.certPem });
  t.equal(
    secrets.www.secret_ref,
    `http://127.0.0.1:${PORT}/v2/velox/secrets/${secrets.www.id}`,
    'the ref is the URL of the secret on the API',
  );
  const list = await api.ok('GET', '/v2/velox/secrets');
  t.equal(list.secrets.length, 5, 'five secrets listed');
  const www0 = list.secrets.find((s: { id: string }) => s.id === secrets.www!.id);
  t.match(www0, { type: 'certificate', subject: /www\.example\.test/ });
  t.notMatch(JSON.stringify(list), /PRIVATE KEY/, 'no key material comes back');
});

t.test('TERMINATED_HTTPS: default and SNI certificates, client auth with a CRL, headers, HSTS', async (t) => {
  const lb = (
    await api.ok('POST', '/v2/lbaas/loadbalancers', {
      loadbalancer: { name: 'e2e-tls', vip_subnet_id: await api.subnetId('public-subnet') },
    })
  ).loadbalancer;
  lbId = lb.id;
  vip = lb.vip_address;
  await api.waitLb(lb.id, { timeoutMs: 120_000 });
  const listener = (
    await api.ok('POST', '/v2/lbaas/listeners', {
      listener: {
        loadbalancer_id: lb.id,
        name: 'e2e-https',
        protocol: 'TERMINATED_HTTPS',
        protocol_port: 443,
        default_tls_container_ref: secrets.www!.secret_ref,
        sni_container_refs: [secrets.api!.secret_ref],
        client_authentication: 'OPTIONAL',
        client_ca_tls_container_ref: secrets.clientCa!.secret_ref,
        client_crl_container_ref: secrets.crl!.secret_ref,
        insert_headers: { 'X-Forwarded-Proto': 'true', 'X-SSL-Client-CN': 'true' },
        hsts_max_age: 31536000,
        hsts_include_subdomains: true,
      },
    })
  ).listener;
  listenerId = listener.id;
  t.equal(listener.default_tls_container_ref, secrets.www!.secret_ref);
  t.same(listener.sni_container_refs, [secrets.api!.secret_ref]);
  await api.waitLb(lb.id);
  const pool = (
    await api.ok('POST', '/v2/lbaas/pools', {
      pool: { listener_id: listener.id, protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN' },
    })
  ).pool;
  await api.waitLb(lb.id);
  for (const i of [0, 1]) {
    await api.ok('POST', `/v2/lbaas/pools/${pool.id}/members`, {
      member: { address: `${net(2)}.${101 + i}`, protocol_port: 8080 },
    });
    await api.waitLb(lb.id);
  }

  const alicePair = { cert: files.aliceCert, key: files.aliceKey };
  const names = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const a = await https(vip, 443, 'www.example.test', '/', alicePair);
    t.equal(a.status, 200, `www.example.test with a valid client certificate: ${JSON.stringify(a)}`);
    t.equal(a.peerCn, 'www.example.test', 'the default certificate is served');
    const m = seen(a);
    names.add(m.name);
    t.equal(m.headers['x-forwarded-proto'], 'https', 'the member sees X-Forwarded-Proto https');
    // Octavia's %{+Q}[ssl_c_s_dn(cn)]: HAProxy 2.6 quotes only in logs, the header is bare.
    t.equal(m.headers['x-ssl-client-cn'], 'alice', 'the member sees the client CN');
    t.equal(
      a.headers?.['strict-transport-security'],
      'max-age=31536000; includeSubDomains;',
      'HSTS on the response',
    );
  }
  t.same([...names].sort(), ['vxsm1', 'vxsm2'], 'both members served');

  const sni = await https(vip, 443, 'api.example.test', '/');
  t.equal(
    sni.status,
    200,
    `api.example.test without a client certificate (OPTIONAL): ${JSON.stringify(sni)}`,
  );
  t.equal(sni.peerCn, 'api.example.test', 'the SNI certificate is served for its name');
  t.notMatch(seen(sni).headers['x-ssl-client-cn'] ?? '', /alice/, 'no client CN without a certificate');

  const revoked = await https(vip, 443, 'www.example.test', '/', {
    cert: files.malloryCert,
    key: files.malloryKey,
  });
  t.equal(
    revoked.status,
    undefined,
    `a revoked client certificate gets no answer: ${JSON.stringify(revoked)}`,
  );
  // TLS 1.3: the client learns it from HAProxy's alert on its first read.
  t.equal(revoked.error, 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED', 'the handshake fails: revoked');
});

t.test('re-encryption: an L7 policy sends /secure to a TLS pool whose member is verified', async (t) => {
  secrets.wrongCa = await upload({ name: 'not-the-members', type: 'ca', payload: serverCa.certPem });
  const pool = (
    await api.ok('POST', '/v2/lbaas/pools', {
      pool: {
        loadbalancer_id: lbId,
        name: 'e2e-secure',
        protocol: 'HTTP',
        lb_algorithm: 'ROUND_ROBIN',
        tls_enabled: true,
        // First a CA that did not sign the member's certificate: HAProxy must refuse it.
        ca_tls_container_ref: secrets.wrongCa!.secret_ref,
      },
    })
  ).pool;
  await api.waitLb(lbId);
  await api.ok('POST', `/v2/lbaas/pools/${pool.id}/members`, {
    member: { address: `${net(2)}.103`, protocol_port: 8443 },
  });
  await api.waitLb(lbId);
  await api.ok('POST', '/v2/lbaas/l7policies', {
    l7policy: {
      listener_id: listenerId,
      action: 'REDIRECT_TO_POOL',
      redirect_pool_id: pool.id,
      rules: [{ type: 'PATH', compare_type: 'STARTS_WITH', value: '/secure' }],
    },
  });
  await api.waitLb(lbId);
  const alicePair = { cert: files.aliceCert, key: files.aliceKey };
  const refused = await https(vip, 443, 'www.example.test', '/secure/x', alicePair);
  t.equal(refused.status, 503, `a member the pool's CA did not sign is not used: ${JSON.stringify(refused)}`);

  await api.ok('PUT', `/v2/lbaas/pools/${pool.id}`, {
    pool: { ca_tls_container_ref: secrets.memberCa!.secret_ref },
  });
  await api.waitLb(lbId);
  const a = await https(vip, 443, 'www.example.test', '/secure/x', alicePair);
  t.equal(a.status, 200, `/secure answered: ${JSON.stringify(a)}`);
  const m = seen(a);
  t.equal(m.name, 'vxsm3', 'the HTTPS member served /secure');
  t.equal(m.tls, true, 'over TLS');
  t.equal(m.servername, 'www.example.test', "HAProxy passed the client's SNI on");
  t.equal(m.path, '/secure/x');
  t.equal(m.headers['x-forwarded-proto'], 'https');
  const plain = await https(vip, 443, 'www.example.test', '/other');
  t.match(seen(plain).name, /^vxsm[12]$/, 'other paths still go to the plain pool');
});

t.test('openstack CLI: a TERMINATED_HTTPS listener with our secret_ref', async (t) => {
  const os = loadbalancerCli(state, PORT);

  const listener = JSON.parse(
    await os(
      'listener',
      'create',
      '--name',
      'e2e-cli-https',
      '--protocol',
      'TERMINATED_HTTPS',
      '--protocol-port',
      '8443',
      '--default-tls-container-ref',
      secrets.api!.secret_ref,
      '--wait',
      '-f',
      'json',
      lbId,
    ),
  );
  t.equal(listener.default_tls_container_ref, secrets.api!.secret_ref);
  await os(
    'pool',
    'create',
    '--name',
    'e2e-cli-p',
    '--listener',
    'e2e-cli-https',
    '--protocol',
    'HTTP',
    '--lb-algorithm',
    'ROUND_ROBIN',
    '--wait',
  );
  await os(
    'member',
    'create',
    '--subnet-id',
    'private-subnet',
    '--address',
    `${net(2)}.101`,
    '--protocol-port',
    '8080',
    '--wait',
    'e2e-cli-p',
  );
  const a = await https(vip, 8443, 'api.example.test', '/');
  t.equal(a.status, 200, `the CLI's listener serves: ${JSON.stringify(a)}`);
  t.equal(a.peerCn, 'api.example.test');
  t.equal(seen(a).name, 'vxsm1');
});

t.test('secrets in use cannot be deleted; after a cascade delete they can', async (t) => {
  const inUse = await api.call('DELETE', `/v2/velox/secrets/${secrets.www!.id}`);
  t.equal(inUse.status, 409, 'a secret a listener names is refused');
  t.match(inUse.body, { faultstring: /in use by Listener/ });
  t.equal((await api.call('GET', `/v2/velox/secrets/${secrets.www!.id}`)).status, 200, 'still there');
  const poolCa = await api.call('DELETE', `/v2/velox/secrets/${secrets.memberCa!.id}`);
  t.equal(poolCa.status, 409, "a pool's CA is refused too");
  t.match(poolCa.body, { faultstring: /in use by Pool/ });

  await api.ok('DELETE', `/v2/lbaas/loadbalancers/${lbId}?cascade=true`);
  await api.waitLb(lbId, { gone: true });
  const { stdout } = await run('ip', ['netns', 'list']);
  t.notMatch(stdout, /vxsa-/, 'the amphora namespace is gone');
  for (const [name, s] of Object.entries(secrets)) {
    t.equal((await api.call('DELETE', `/v2/velox/secrets/${s.id}`)).status, 204, `${name} deleted`);
  }
  t.same((await api.ok('GET', '/v2/velox/secrets')).secrets, [], 'no secret left');
});
