// A digest of every row of every table, so the fuzz suite can say a refused request left
// the database as it was. The tables are read from the database itself (Kysely's
// introspection, both dialects), so tables added by later migrations are covered unedited.
import { createHash } from 'node:crypto';
import type { Db } from '../../../../controller/db/database.js';

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (x instanceof Uint8Array) return `bytes:${Buffer.from(x).toString('hex')}`;
    if (x && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Date)) {
      return Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    return x;
  });
}

export interface DbDigest {
  hash: string;
  /** Rows per table, to name what changed. */
  counts: Record<string, number>;
  /** Per table hash, to name what changed. */
  tables: Record<string, string>;
}

export async function dbDigest(db: Db): Promise<DbDigest> {
  const names = (await db.introspection.getTables()).map((t) => t.name).sort();
  const all = createHash('sha256');
  const counts: Record<string, number> = {};
  const tables: Record<string, string> = {};
  for (const name of names) {
    // Names come from the database's own catalogue, not from input.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- every table, whatever its row type
    const rows = await (db as any).selectFrom(name).selectAll().execute();
    const lines = (rows as unknown[]).map(canonical).sort();
    const h = createHash('sha256').update(lines.join('\n')).digest('hex');
    counts[name] = lines.length;
    tables[name] = h;
    all.update(`${name}:${h}\n`);
  }
  return { hash: all.digest('hex'), counts, tables };
}

/** The tables whose content differs between two digests. */
export function changedTables(a: DbDigest, b: DbDigest): string[] {
  const names = new Set([...Object.keys(a.tables), ...Object.keys(b.tables)]);
  return [...names].filter((n) => a.tables[n] !== b.tables[n]).sort();
}
