// Fresh PostgreSQL databases for tests: the API harness gets one per harness when
// VELOX_TEST_PG_URL names a server (an admin URL, e.g. from scripts/pg-test-server.sh),
// and the postgres-*.test.ts files start that server themselves when it is not set.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../../controller/db/database.js';

export interface TestDatabase {
  /** URL of the new, empty database. */
  url: string;
  /** Drops it, closing any connection left open. */
  drop(): Promise<void>;
}

async function admin<T>(adminUrl: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** An empty database in the C collation: text sorts byte by byte, as in SQLite. */
const createSql = (name: string, template = 'template0') =>
  `CREATE DATABASE ${name} TEMPLATE ${template} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`;

const MIGRATIONS_DIR = resolve(import.meta.dirname, '../../../controller/db/migrations');

/**
 * A database with every migration applied, to copy from: migrating each harness's
 * database would cost more than the tests in it. Named after the migrations' source,
 * so a changed migration gets a new template; built under a temporary name and renamed,
 * so a half-built one is never copied. Kept until the server is removed.
 */
async function migratedTemplate(adminUrl: string): Promise<string> {
  const hash = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS_DIR).sort())
    hash.update(f).update(readFileSync(join(MIGRATIONS_DIR, f)));
  const name = `velox_template_${hash.digest('hex').slice(0, 16)}`;
  const exists = (c: pg.Client) =>
    c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]).then((r) => r.rowCount === 1);
  if (await admin(adminUrl, exists)) return name;
  const building = `${name}_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(createSql(building)));
  const db = await openDatabase({ database: { driver: 'postgres', url: databaseUrl(adminUrl, building) } });
  await db.destroy();
  await admin(adminUrl, async (c) => {
    // Another test process may have finished its template first.
    if (await exists(c)) await c.query(`DROP DATABASE ${building}`);
    else await c.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
  });
  return name;
}

/**
 * CREATE DATABASE velox_test_<random> on the server of `adminUrl`, empty, or with
 * the schema already migrated when `migrated` (openDatabase then finds nothing to do).
 */
export async function createTestDatabase(adminUrl: string, migrated = false): Promise<TestDatabase> {
  const template = migrated ? await migratedTemplate(adminUrl) : undefined;
  const name = `velox_test_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(createSql(name, template)));
  return {
    url: databaseUrl(adminUrl, name),
    drop: () =>
      admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export interface TestServer {
  adminUrl: string;
  /** Stops the server if this process started it. */
  stop(): void;
}

const SCRIPT = resolve(import.meta.dirname, '../../../scripts/pg-test-server.sh');
/** Not the Makefile's port: a server started here never stops one started there. */
const OWN_PORT = '55433';

/**
 * The server named by VELOX_TEST_PG_URL, or one started with scripts/pg-test-server.sh
 * (root and the `postgresql` package needed). Throws, naming what is missing, when
 * neither works: these tests must fail, not pass, without PostgreSQL.
 */
export function postgresServer(): TestServer {
  const given = process.env.VELOX_TEST_PG_URL;
  if (given) return { adminUrl: given, stop: () => undefined };
  const env = { ...process.env, VELOX_PG_PORT: OWN_PORT };
  let adminUrl: string;
  try {
    adminUrl = execFileSync(SCRIPT, ['start'], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(
      `PostgreSQL is required by this test and could not be started (set VELOX_TEST_PG_URL to a server, ` +
        `or run as root with the postgresql package installed): ${stderr || String(err)}`,
    );
  }
  return { adminUrl, stop: () => execFileSync(SCRIPT, ['stop'], { env, stdio: 'ignore' }) };
}
