// The one list helper of every collection (Octavia's api/common/pagination.py):
// limit / marker / page_reverse, sort=key:dir,… or sort_key/sort_dir, fields,
// filters by API attribute name, and tags / tags-any / not-tags / not-tags-any.
// It turns the query string into a ListSpec for controller/db/list-query.ts and
// builds the `<plural>_links`.
import type { FastifyRequest } from 'fastify';
import { VeloxError } from '../errors.js';
import { emptyListSpec, type ColumnKind, type ListSpec, type SortKey } from '../db/list-query.js';

/** Octavia's pagination_max_limit default. */
export const MAX_PAGE_SIZE = 1000;

export interface FieldInfo {
  column: string;
  kind: ColumnKind | 'bool';
}

/** API attribute name -> column, for every attribute one may filter or sort by. */
export type FieldMap = Record<string, FieldInfo>;

export interface ParsedList {
  spec: ListSpec;
  /** Attributes to keep in each object (`fields=`), or undefined for all. */
  fields?: string[];
  /** The `project_id` filter, handled by the caller's authorization. */
  projectId?: string;
  params: Record<string, string>;
}

export interface Link {
  rel: 'next' | 'previous';
  href: string;
}

type Query = Record<string, string | string[] | undefined>;

const AUXILIARY = new Set(['limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'fields', 'page_reverse']);
const TAG_PARAMS = {
  tags: 'all',
  'tags-any': 'any',
  'not-tags': 'notAll',
  'not-tags-any': 'notAny',
} as const;

/** The field a client named, if it is one: own keys only (`__proto__`, `constructor` are not fields). */
function fieldOf(fields: FieldMap, name: string): FieldInfo | undefined {
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter((s) => s !== '');
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function sortDir(d: string): 'asc' | 'desc' {
  const l = d.toLowerCase();
  if (l !== 'asc' && l !== 'desc') throw new VeloxError('InvalidSortDirection', { key: l });
  return l;
}

function parseSort(query: Query, fields: FieldMap): SortKey[] {
  const pairs: [string, 'asc' | 'desc'][] = [];
  const sort = single(query['sort']);
  const sortKey = single(query['sort_key']);
  if (sort) {
    for (const part of sort.split(',')) {
      const comps = part.split(':');
      if (comps.length > 2) throw new VeloxError('InvalidSortKey', { key: part });
      pairs.push([comps[0]!, comps.length === 2 ? sortDir(comps[1]!) : 'asc']);
    }
  } else if (sortKey) {
    const keys = sortKey.split(',');
    const dirs = (single(query['sort_dir']) ?? '').split(',').filter(Boolean);
    keys.forEach((k, i) => pairs.push([k, sortDir(dirs[i] ?? 'asc')]));
  }
  const out: SortKey[] = pairs.map(([key, dir]) => {
    const f = fieldOf(fields, key);
    if (!f) throw new VeloxError('InvalidSortKey', { key });
    return { column: f.column, kind: f.kind === 'text' ? 'text' : 'int', dir };
  });
  for (const column of ['created_at', 'id']) {
    if (!out.some((k) => k.column === column)) out.push({ column, kind: 'text', dir: 'asc' });
  }
  return out;
}

function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return MAX_PAGE_SIZE;
  if (raw === 'infinite') return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw new VeloxError('InvalidLimit', { key: raw });
  const n = Number(raw);
  return n < 1 ? undefined : Math.min(n, MAX_PAGE_SIZE);
}

function filterValue(f: FieldInfo, raw: string): string | number {
  if (f.kind === 'bool') {
    const l = raw.toLowerCase();
    if (l === 'true' || l === '1') return 1;
    if (l === 'false' || l === '0') return 0;
    throw new VeloxError('InvalidFilterArgument');
  }
  if (f.kind === 'int') {
    if (!/^-?\d+$/.test(raw)) throw new VeloxError('InvalidFilterArgument');
    return Number(raw);
  }
  return raw;
}

export function parseListQuery(query: Query, fields: FieldMap): ParsedList {
  const spec = emptyListSpec();
  spec.sort = parseSort(query, fields);
  spec.limit = parseLimit(single(query['limit']));
  spec.marker = single(query['marker']);
  spec.pageReverse = (single(query['page_reverse']) ?? 'False').toLowerCase() === 'true';
  // No prototype: a `__proto__` parameter is then a key like any other, not a prototype.
  const parsed: ParsedList = { spec, params: Object.create(null) as Record<string, string> };
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    const one = single(v)!;
    parsed.params[k] = one;
    if (k === 'fields') {
      parsed.fields = list(v);
    } else if (AUXILIARY.has(k)) {
      continue;
    } else if (Object.hasOwn(TAG_PARAMS, k)) {
      spec.tags[TAG_PARAMS[k as keyof typeof TAG_PARAMS]].push(...list(v));
    } else if (k === 'project_id' || k === 'tenant_id') {
      parsed.projectId = one;
    } else {
      const f = fieldOf(fields, k);
      if (!f) throw new VeloxError('InvalidFilterArgument');
      const values = (Array.isArray(v) ? v : [v]).map((raw) => filterValue(f, raw));
      spec.filters.push({ column: f.column, values });
    }
  }
  return parsed;
}

/** Keep only the requested attributes (Octavia ignores unknown names). */
export function selectFields<T extends object>(obj: T, fields: string[] | undefined): Partial<T> {
  if (!fields) return obj;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (Object.hasOwn(obj, f)) out[f] = (obj as Record<string, unknown>)[f];
  }
  return out as Partial<T>;
}

/** Octavia's links: previous when a marker was given, next when the page is full. */
export function pageLinks(req: FastifyRequest, parsed: ParsedList, ids: string[]): Link[] {
  const links: Link[] = [];
  if (!ids.length) return links;
  const base = `${req.protocol}://${req.host}${req.url.split('?')[0]}`;
  const common: string[] = [];
  const limit = parsed.spec.limit;
  if (limit !== undefined) common.push(`limit=${limit}`);
  if (parsed.params['sort']) common.push(`sort=${parsed.params['sort']}`);
  if (parsed.params['sort_key']) common.push(`sort_key=${parsed.params['sort_key']}`);
  if (parsed.spec.marker !== undefined) {
    links.push({
      rel: 'previous',
      href: `${base}?${[...common, `marker=${ids[0]}`, 'page_reverse=True'].join('&')}`,
    });
  }
  if (limit !== undefined && ids.length >= limit) {
    links.push({ rel: 'next', href: `${base}?${[...common, `marker=${ids[ids.length - 1]}`].join('&')}` });
  }
  return links;
}
