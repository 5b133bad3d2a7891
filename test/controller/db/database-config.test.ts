// Choosing the database: SQLite by default, PostgreSQL by configuration or by
// VELOX_DATABASE_URL, and a clear error for anything else.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { controllerConfig } from '../../../controller/config.js';

const PG_URL = 'postgres://velox@db.example:5432/velox';

function withConfigFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'velox-dbcfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

t.test('SQLite is the default', async (t) => {
  const saved = process.env.VELOX_DATABASE_URL;
  delete process.env.VELOX_DATABASE_URL;
  t.teardown(() => {
    if (saved !== undefined) process.env.VELOX_DATABASE_URL = saved;
  });
  const db = controllerConfig(undefined, '').database;
  t.equal(db.driver, 'sqlite');
  t.match(db, { path: /var\/velox\.db$/ });
});

t.test('a config file selects PostgreSQL; only its keys remain', async (t) => {
  const file = withConfigFile({ database: { driver: 'postgres', url: PG_URL } });
  t.same(controllerConfig(undefined, file).database, { driver: 'postgres', url: PG_URL });
});

t.test('VELOX_DATABASE_URL overrides the file; explicit overrides win over both', async (t) => {
  const saved = process.env.VELOX_DATABASE_URL;
  process.env.VELOX_DATABASE_URL = 'postgresql://other@127.0.0.1/velox';
  t.teardown(() => {
    if (saved === undefined) delete process.env.VELOX_DATABASE_URL;
    else process.env.VELOX_DATABASE_URL = saved;
  });
  const file = withConfigFile({ database: { driver: 'sqlite', path: '/tmp/x.db' } });
  t.same(controllerConfig(undefined, file).database, {
    driver: 'postgres',
    url: 'postgresql://other@127.0.0.1/velox',
  });
  t.same(controllerConfig({ database: { driver: 'sqlite', path: ':memory:' } }, file).database, {
    driver: 'sqlite',
    path: ':memory:',
  });
});

t.test('bad database settings are refused by name', async (t) => {
  t.throws(
    () => controllerConfig(undefined, withConfigFile({ database: { driver: 'mysql' } })),
    /database\.driver must be "sqlite" or "postgres", not "mysql"/,
  );
  t.throws(
    () => controllerConfig(undefined, withConfigFile({ database: { driver: 'postgres' } })),
    /database\.url must be a postgres:\/\/ or postgresql:\/\/ URL/,
  );
  t.throws(
    () =>
      controllerConfig(undefined, withConfigFile({ database: { driver: 'postgres', url: 'mysql://x/y' } })),
    /database\.url must be/,
  );
  t.throws(
    () => controllerConfig(undefined, withConfigFile({ database: { driver: 'sqlite', path: '' } })),
    /database\.path must be/,
  );
});
