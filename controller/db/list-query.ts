// The database half of the one list helper: equality filters, tag filters, a total
// order (the caller always ends it with created_at, id), keyset pagination from a
// marker row, and a limit. The API half (controller/api/list-helper.ts) parses the
// query string into a ListSpec.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { VeloxError } from '../errors.js';
import type { Executor } from './database.js';
import { isPostgres } from './dialect.js';

export type ColumnKind = 'text' | 'int';

export interface SortKey {
  column: string;
  kind: ColumnKind;
  dir: 'asc' | 'desc';
}

export interface ListSpec {
  /** column = value (several values: column IN values). */
  filters: { column: string; values: (string | number)[] }[];
  tags: { all: string[]; any: string[]; notAll: string[]; notAny: string[] };
  sort: SortKey[];
  marker?: string;
  /** Walk backwards from the marker (the "previous" page). Results keep the sort order. */
  pageReverse: boolean;
  limit?: number;
}

export function emptyListSpec(): ListSpec {
  return {
    filters: [],
    tags: { all: [], any: [], notAll: [], notAny: [] },
    sort: [
      { column: 'created_at', kind: 'text', dir: 'asc' },
      { column: 'id', kind: 'text', dir: 'asc' },
    ],
    pageReverse: false,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables are chosen at run time
type AnyEb = ExpressionBuilder<any, any>;
type Row = Record<string, unknown>;

/** Nulls sort as '' or 0, as Octavia's pagination treats them. */
function keyExpr(k: SortKey): Expression<unknown> {
  return k.kind === 'int' ? sql`coalesce(${sql.ref(k.column)}, 0)` : sql`coalesce(${sql.ref(k.column)}, '')`;
}

function keyValue(k: SortKey, row: Row): string | number {
  const v = row[k.column];
  if (v === null || v === undefined) return k.kind === 'int' ? 0 : '';
  return v as string | number;
}

/** The JSON array column `tags` holds `tag` (the column is text on both dialects). */
function hasTagIn(pg: boolean) {
  return (tag: string): Expression<SqlBool> =>
    pg
      ? sql<SqlBool>`jsonb_exists(${sql.ref('tags')}::jsonb, ${tag})`
      : sql<SqlBool>`exists (select 1 from json_each(${sql.ref('tags')}) where json_each.value = ${tag})`;
}

function tagConditions(eb: AnyEb, tags: ListSpec['tags'], pg: boolean): Expression<SqlBool>[] {
  const hasTag = hasTagIn(pg);
  const out: Expression<SqlBool>[] = [];
  for (const t of tags.all) out.push(hasTag(t));
  if (tags.any.length) out.push(eb.or(tags.any.map(hasTag)));
  if (tags.notAll.length) out.push(eb.not(eb.and(tags.notAll.map(hasTag))));
  for (const t of tags.notAny) out.push(eb.not(hasTag(t)));
  return out;
}

/** Rows after (or, reversed, before) the marker in the sort order. */
function afterMarker(eb: AnyEb, sort: SortKey[], marker: Row, reverse: boolean): Expression<SqlBool> {
  const ors: Expression<SqlBool>[] = [];
  for (let i = 0; i < sort.length; i++) {
    const ands: Expression<SqlBool>[] = [];
    for (let j = 0; j < i; j++) ands.push(eb(keyExpr(sort[j]!), '=', keyValue(sort[j]!, marker)));
    const forward = sort[i]!.dir === 'asc' ? '>' : '<';
    const op = reverse ? (forward === '>' ? '<' : '>') : forward;
    ands.push(eb(keyExpr(sort[i]!), op, keyValue(sort[i]!, marker)));
    ors.push(eb.and(ands));
  }
  return eb.or(ors);
}

/**
 * One page of `table` rows. `scope` adds the conditions of the collection itself
 * (the pool of a member list, the caller's project); `exclude` hides rows whose
 * column has the value (amphorae with status DELETED). `key` is the column a marker
 * names (availability zones are keyed by name).
 */
export async function listRows<T>(
  ex: Executor,
  table: string,
  spec: ListSpec,
  scope: { column: string; value: string }[] = [],
  exclude: { column: string; value: string }[] = [],
  key = 'id',
): Promise<T[]> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables are chosen at run time
  const db = ex as unknown as Kysely<any>;
  let marker: Row | undefined;
  if (spec.marker !== undefined) {
    marker = (await db.selectFrom(table).selectAll().where(key, '=', spec.marker).executeTakeFirst()) as
      Row | undefined;
    if (!marker) throw new VeloxError('InvalidMarker', { key: spec.marker });
  }
  let q = db.selectFrom(table).selectAll();
  for (const s of scope) q = q.where(s.column, '=', s.value);
  for (const e of exclude) q = q.where(e.column, '!=', e.value);
  for (const f of spec.filters) {
    q = f.values.length === 1 ? q.where(f.column, '=', f.values[0]) : q.where(f.column, 'in', f.values);
  }
  const conditions = (eb: AnyEb): Expression<SqlBool> => {
    const all = tagConditions(eb, spec.tags, isPostgres(db));
    if (marker) all.push(afterMarker(eb, spec.sort, marker, spec.pageReverse));
    return eb.and(all);
  };
  q = q.where(conditions);
  for (const k of spec.sort) {
    const dir = spec.pageReverse ? (k.dir === 'asc' ? 'desc' : 'asc') : k.dir;
    q = q.orderBy(keyExpr(k), dir);
  }
  if (spec.limit !== undefined) q = q.limit(spec.limit);
  const rows = (await q.execute()) as T[];
  return spec.pageReverse ? rows.reverse() : rows;
}
