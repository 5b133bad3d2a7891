// The local secrets driver over a real SQLite file: what goes in comes out through the
// SecretsDriver interface, the file on disk holds no key material, and a wrong master
// key, a changed row or a row moved to another id are named errors, never garbage.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { controllerConfig } from '../../../controller/config.js';
import { openDatabase, type Db } from '../../../controller/db/database.js';
import { LocalSecretsDriver, localSecrets } from '../../../controller/drivers/secrets/local.js';
import { localSecretId, secretRef } from '../../../controller/drivers/secrets/local-ref.js';
import {
  SecretBox,
  SecretKeyError,
  SecretSealError,
  secretKeyPath,
} from '../../../controller/drivers/secrets/secret-box.js';
import {
  caMaterial,
  certificateMaterial,
  crlMaterial,
} from '../../../controller/drivers/secrets/secret-material.js';
import { SecretContentError, SecretNotFoundError } from '../../../controller/drivers/secrets/types.js';
import { TestCa } from '../../lib/test-ca.js';

/** The base64 body of a PEM block, on one line. */
function pemBody(pem: string): string {
  return pem
    .replace(/-----(BEGIN|END) [A-Z ]+-----/g, '')
    .replace(/\s+/g, '')
    .trim();
}

async function sqliteAt(dir: string): Promise<Db> {
  return openDatabase(controllerConfig({ database: { driver: 'sqlite', path: join(dir, 'velox.db') } }, ''));
}

t.test('a certificate, a CA and a CRL round-trip; the database file holds no key', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'velox-h3a-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = await sqliteAt(dir);
  let closed = false;
  t.teardown(() => (closed ? undefined : db.destroy()));
  const config = controllerConfig({ stateDir: dir }, '');
  const driver = localSecrets(db, config);
  t.equal(driver.name, 'local');

  const ca = await TestCa.create('h3a root');
  const leaf = await ca.issue({ subject: 'CN=www.example.test', names: ['www.example.test'] });
  const revoked = await ca.issue({ subject: 'CN=gone', client: true });
  ca.revoke(revoked);
  const crl = await ca.crlPem();

  const cert = certificateMaterial({
    certificate: leaf.certPem,
    private_key: leaf.keyPem,
    intermediates: ca.certPem,
  });
  const certRow = await driver.store({ projectId: 'p1', name: 'web', ...cert });
  const caRow = await driver.store({ projectId: 'p1', name: 'roots', ...caMaterial(ca.certPem) });
  const crlRow = await driver.store({ projectId: 'p1', name: 'crl', ...crlMaterial(crl) });
  t.equal(certRow.kind, 'certificate');
  t.equal(certRow.subject, 'CN=www.example.test');
  t.match(certRow.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  t.match(certRow.not_after, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  t.equal(crlRow.subject, 'CN=h3a root', 'a CRL shows its issuer');

  const scope = { projectId: 'p1' };
  const bundle = await driver.getCertificate(certRow.id, scope);
  t.equal(pemBody(bundle.certificatePem), pemBody(leaf.certPem), 'the leaf comes back');
  t.equal(bundle.intermediatesPem.length, 1);
  t.equal(pemBody(bundle.intermediatesPem[0]!), pemBody(ca.certPem), 'and the chain');
  t.match(bundle.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/, 'the key, unencrypted PKCS#8');
  t.equal(pemBody(bundle.privateKeyPem), pemBody(leaf.keyPem), 'the very key uploaded');

  const url = secretRef('http://127.0.0.1:9876', certRow.id);
  t.same(await driver.getCertificate(url, scope), bundle, 'the secret_ref URL names it too');
  t.same(
    await driver.getCertificate(
      `https://lb.example.org/v2/velox/secrets/${certRow.id.toUpperCase()}/`,
      scope,
    ),
    bundle,
    'from any host, id in any case',
  );
  t.equal(pemBody(await driver.getPem(caRow.id, 'ca', scope)), pemBody(ca.certPem));
  const crlBack = await driver.getPem(secretRef('http://h', crlRow.id), 'crl', scope);
  t.match(crlBack, /^-----BEGIN X509 CRL-----\n/, 'the label OpenSSL reads');
  t.equal(pemBody(crlBack), pemBody(crl));

  // Wrong kind: a content error naming the ref; unknown, foreign or not ours: not found.
  await t.rejects(driver.getCertificate(caRow.id, scope), SecretContentError);
  await t.rejects(driver.getPem(certRow.id, 'ca', scope), SecretContentError);
  await t.rejects(driver.getPem(caRow.id, 'crl', scope), SecretContentError);
  await t.rejects(driver.getPem(crlRow.id, 'ca', scope), { name: 'SecretContentError', ref: crlRow.id });
  await t.rejects(driver.getCertificate(certRow.id, { projectId: 'p2' }), SecretNotFoundError);
  await t.rejects(driver.getCertificate('7a1e2a4e-4a52-4f7e-9d5a-1d3c3f0e2b11', scope), SecretNotFoundError);
  await t.rejects(
    driver.getCertificate(`http://barbican:9311/v1/containers/${certRow.id}`, scope),
    SecretNotFoundError,
    'a Barbican URL is not a local ref',
  );
  await t.rejects(driver.getPem('not a ref', 'ca', scope), SecretNotFoundError);

  // The file on disk (and its WAL) holds neither the key PEM nor its base64 body.
  await db.destroy();
  closed = true;
  const onDisk = ['velox.db', 'velox.db-wal']
    .map((f) => {
      try {
        return readFileSync(join(dir, f)).toString('latin1');
      } catch {
        return '';
      }
    })
    .join('');
  t.ok(onDisk.includes(certRow.id), 'the check reads the right file (it holds the row)');
  const keyBody = pemBody(leaf.keyPem);
  t.notOk(onDisk.includes('PRIVATE KEY'), 'no PEM private key label');
  t.notOk(onDisk.includes(keyBody), 'no base64 of the key');
  t.notOk(onDisk.includes(keyBody.slice(20, 60)), 'not even a piece of it');
  t.notOk(onDisk.includes(Buffer.from(keyBody, 'base64').toString('latin1')), 'nor its DER');
});

t.test('the master key file: made 0600 on first use, reused, and checked', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'velox-h3a-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = controllerConfig({ stateDir: join(dir, 'state') }, '');
  t.same(secretKeyPath(config), { path: join(dir, 'state', 'secrets.key'), create: true });
  const box = SecretBox.fromKeyFile(join(dir, 'state', 'secrets.key'), true);
  t.throws(() => statSync(join(dir, 'state', 'secrets.key')), 'no key before the first use');
  const sealed = box.seal('hello', 'aad');
  const st = statSync(join(dir, 'state', 'secrets.key'));
  t.equal(st.mode & 0o777, 0o600, 'key file mode 0600');
  t.equal(st.size, 32, '32 bytes');
  t.equal(
    SecretBox.fromKeyFile(join(dir, 'state', 'secrets.key'), true).open(sealed, 'aad'),
    'hello',
    'a second box (another process) reads the same key',
  );
  t.not(box.seal('hello', 'aad'), sealed, 'a fresh nonce every seal');

  // A key file the operator names must exist: a new key would orphan every row.
  const named = join(dir, 'named.key');
  const configured = controllerConfig({ stateDir: dir, secrets: { driver: 'local', keyFile: named } }, '');
  t.same(secretKeyPath(configured), { path: named, create: false });
  t.throws(() => SecretBox.fromKeyFile(named, false).seal('x', 'a'), {
    name: 'SecretKeyError',
    message: /does not exist/,
  });
  writeFileSync(named, randomBytes(31), { mode: 0o600 });
  t.throws(() => SecretBox.fromKeyFile(named, false).seal('x', 'a'), SecretKeyError, 'a short key');
  writeFileSync(named, randomBytes(32));
  chmodSync(named, 0o644);
  t.throws(
    () => SecretBox.fromKeyFile(named, false).seal('x', 'a'),
    { name: 'SecretKeyError', message: /group or others/ },
    'a world-readable key is refused',
  );
  chmodSync(named, 0o600);
  t.equal(
    SecretBox.fromKeyFile(named, false).open(SecretBox.fromKeyFile(named, false).seal('x', 'a'), 'a'),
    'x',
  );
  t.throws(
    () => controllerConfig({ secrets: { driver: 'barbican' as 'local' } }, ''),
    /secrets.driver must be "local"/,
  );
  t.throws(() => SecretBox.withKey(randomBytes(16)), SecretKeyError);
});

t.test('a wrong key, a changed byte or a moved row: SecretSealError', async (t) => {
  const db = await openDatabase(controllerConfig({ database: { driver: 'sqlite', path: ':memory:' } }, ''));
  t.teardown(() => db.destroy());
  const key = randomBytes(32);
  const driver = new LocalSecretsDriver(db, SecretBox.withKey(key));
  const ca = await TestCa.create('h3a seal');
  const leaf = await ca.issue({ subject: 'CN=a.example.test' });
  const material = certificateMaterial({ certificate: leaf.certPem, private_key: leaf.keyPem });
  const a = await driver.store({ projectId: 'p1', name: 'a', ...material });
  const b = await driver.store({ projectId: 'p1', name: 'b', ...material });
  const scope = { projectId: 'p1' };
  t.ok(await driver.getCertificate(a.id, scope), 'opens with its key');

  const otherKey = new LocalSecretsDriver(db, SecretBox.withKey(randomBytes(32)));
  await t.rejects(otherKey.getCertificate(a.id, scope), {
    name: 'SecretSealError',
    message: /wrong master key/,
  });

  // One bit changed in the stored ciphertext.
  const bytes = Buffer.from(a.ciphertext, 'base64');
  bytes[20] = bytes[20]! ^ 0x01;
  await db
    .updateTable('secret')
    .set({ ciphertext: bytes.toString('base64') })
    .where('id', '=', a.id)
    .execute();
  await t.rejects(driver.getCertificate(a.id, scope), SecretSealError, 'a changed byte');

  // b's sealed value copied into a's row: it was sealed for b's id.
  await db.updateTable('secret').set({ ciphertext: b.ciphertext }).where('id', '=', a.id).execute();
  await t.rejects(driver.getCertificate(a.id, scope), SecretSealError, 'a row swapped in');
  // Moved to another project or kind by editing the clear columns.
  await db.updateTable('secret').set({ project_id: 'p2' }).where('id', '=', b.id).execute();
  await t.rejects(
    driver.getCertificate(b.id, { projectId: 'p2' }),
    SecretSealError,
    'moved to another project',
  );
  await db.updateTable('secret').set({ project_id: 'p1', kind: 'ca' }).where('id', '=', b.id).execute();
  await t.rejects(driver.getPem(b.id, 'ca', scope), SecretSealError, 'relabelled as a CA');
  t.throws(() => SecretBox.withKey(key).open('AQID', 'x'), SecretSealError, 'truncated');
  t.equal(localSecretId('  ' + a.id + ' '), a.id, 'a bare id with spaces around');
});
