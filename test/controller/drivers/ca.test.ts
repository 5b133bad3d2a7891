import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { CertificateAuthority, type IssuedCert } from '../../../controller/drivers/certs/ca.js';
import { healthProto } from '../../../controller/worker/protos.js';

const dir = mkdtempSync(join(tmpdir(), 'velox-ca-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('issued amphora certs chain to the CA and carry the management IP', async (t) => {
  const ca = await CertificateAuthority.loadOrCreate(join(dir, 'a'));
  t.equal(statSync(join(dir, 'a', 'ca.key')).mode & 0o777, 0o600, 'CA key is private');
  const issued = await ca.issueAmphoraCert('0f7c6a2e-1111-4222-8333-444455556666', '172.29.0.10');
  const cert = new X509Certificate(issued.certPem);
  const caCert = new X509Certificate(ca.certPem);
  t.ok(cert.verify(caCert.publicKey), 'signed by the CA');
  t.ok(cert.checkIssued(caCert), 'issuer matches');
  t.equal(cert.checkIP('172.29.0.10'), '172.29.0.10');
  t.equal(cert.checkIP('172.29.0.11'), undefined);
  t.match(cert.subject, /CN=0f7c6a2e-1111-4222-8333-444455556666/);
  t.ok(caCert.ca, 'CA cert is a CA');
  t.notOk(cert.ca, 'leaf is not a CA');
});

t.test('the CA survives a reload: same cert, still signs verifiable certs', async (t) => {
  const first = await CertificateAuthority.loadOrCreate(join(dir, 'b'));
  const again = await CertificateAuthority.loadOrCreate(join(dir, 'b'));
  t.equal(again.certPem, first.certPem);
  const issued = await again.issueControllerCert(['172.29.0.1', '127.0.0.1']);
  const cert = new X509Certificate(issued.certPem);
  t.ok(cert.verify(new X509Certificate(first.certPem).publicKey));
  t.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  t.equal(cert.checkIP('172.29.0.1'), '172.29.0.1');
});

async function serve(ca: CertificateAuthority, server: IssuedCert): Promise<{ port: number; close(): void }> {
  const srv = new grpc.Server();
  srv.addService(healthProto().velox.health.v1.Health.service, {
    Heartbeat: (_call: unknown, cb: grpc.sendUnaryData<{ desired_version: number }>) =>
      cb(null, { desired_version: 7 }),
  });
  const creds = grpc.ServerCredentials.createSsl(
    Buffer.from(ca.certPem),
    [{ private_key: Buffer.from(server.keyPem), cert_chain: Buffer.from(server.certPem) }],
    true,
  );
  const port = await new Promise<number>((resolve, reject) =>
    srv.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, close: () => srv.forceShutdown() };
}

function heartbeat(port: number, caPem: string, client: IssuedCert): Promise<string> {
  const Health = healthProto().velox.health.v1.Health;
  const creds = grpc.credentials.createSsl(
    Buffer.from(caPem),
    Buffer.from(client.keyPem),
    Buffer.from(client.certPem),
  );
  const c = new Health(`127.0.0.1:${port}`, creds);
  return new Promise((resolve, reject) =>
    c.Heartbeat({ amphora_id: 'x' }, { deadline: Date.now() + 5000 }, (err, res) => {
      c.close();
      if (err) reject(err);
      else resolve(res!.desired_version);
    }),
  );
}

t.test('grpc mTLS handshake succeeds with CA-issued certs and fails with a foreign one', async (t) => {
  const ca = await CertificateAuthority.loadOrCreate(join(dir, 'c'));
  const other = await CertificateAuthority.loadOrCreate(join(dir, 'd'));
  const server = await serve(ca, await ca.issueControllerCert(['127.0.0.1']));
  t.teardown(server.close);

  const amp = await ca.issueAmphoraCert('amp-1', '127.0.0.1');
  t.equal(await heartbeat(server.port, ca.certPem, amp), '7', 'call over mTLS');

  const foreign = await other.issueAmphoraCert('amp-2', '127.0.0.1');
  await t.rejects(heartbeat(server.port, ca.certPem, foreign), { code: grpc.status.UNAVAILABLE });
  // The client must not trust a server whose cert comes from another CA either.
  await t.rejects(heartbeat(server.port, other.certPem, foreign), { code: grpc.status.UNAVAILABLE });
});
