// Hostile requests generated from the OpenAPI document: for a documented operation, a body
// sampled from its request schema and then broken (wrong types, boundary values, deep
// nesting, huge strings, invalid UTF-8, unknown fields, prototype keys, broken syntax), bad
// path ids and query strings, odd content types and callers. Pure: every choice comes from
// the seeded PRNG, so one seed is one sequence of requests.
import type { Prng } from './prng.js';

export interface Operation {
  method: string;
  /** OpenAPI path: /v2/lbaas/pools/{pool_id}/members/{id} */
  path: string;
  body?: Schema;
}

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** What was broken, for the failure message. */
  kinds: string[];
}

/** Ids of live objects, by the resource they belong to (path parameter or tag). */
export type IdPool = Record<string, string[]>;

type Doc = {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>;
};

export function operations(doc: Doc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const body = op.requestBody?.content['application/json']?.schema;
      ops.push({ method: method.toUpperCase(), path, ...(body ? { body } : {}) });
    }
  }
  return ops;
}

// Placeholders swapped for raw text or bytes after JSON.stringify (which could not write them).
const DEEP = '\u0001fuzz-deep\u0001';
const BAD_UTF8 = '\u0001fuzz-utf8\u0001';

const WRONG_TYPES: unknown[] = [
  0,
  -1,
  1.5,
  true,
  false,
  'x',
  '',
  null,
  [],
  {},
  [1, 'a'],
  { a: 1 },
  '1',
  'true',
];
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '💥'.repeat(64),
  '\u202e\u0627\u0644',
  '../../etc/passwd',
  "'; DROP TABLE load_balancer; --",
  '%s%n%x',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '\ud800',
  '1e400',
  'NaN',
  '-0',
  '0x10',
  ' 10.0.0.1 ',
  '10.0.0.256',
  '::ffff:10.0.0.1',
  'fe80::1%eth0',
  '0.0.0.0/0',
  '00000000-0000-0000-0000-000000000000',
  'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ',
  '__proto__',
  'constructor',
];
const BAD_IDS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  '%00',
  '%ff%fe',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  "'%20OR%201=1%20--",
  '-1',
  '0',
  '1e400',
  '%E2%80%AE',
  '__proto__',
  'constructor',
  'prototype',
  encodeURIComponent('💥'),
  'a'.repeat(300),
  'a'.repeat(5000),
  '%20',
  '%22%7B%7D',
];
const QUERY_KEYS = [
  'limit',
  'marker',
  'sort',
  'sort_key',
  'sort_dir',
  'fields',
  'page_reverse',
  'tags',
  'tags-any',
  'not-tags',
  'not-tags-any',
  'name',
  'id',
  'project_id',
  'provisioning_status',
  'admin_state_up',
  'cascade',
  'fuzz_unknown',
  '__proto__',
  'constructor[prototype][polluted]',
  'fields[]',
  '%ff',
];
const QUERY_VALUES = [
  '',
  '-1',
  '0',
  '1',
  'abc',
  '1e10',
  '18446744073709551616',
  '1.5',
  'True',
  'maybe',
  'name:asc',
  'name:sideways',
  'nope:asc',
  ',,,',
  'id,name,__proto__',
  'a,b',
  '%ff%fe',
  '%00',
  'a'.repeat(3000),
  '00000000-0000-0000-0000-000000000000',
  'not-a-uuid',
  "'%20OR%201=1",
];
// Header values stay Latin-1: node's HTTP client refuses anything else before sending.
const ROLES = [
  '',
  'member',
  'load-balancer_member',
  'load-balancer_observer',
  'reader',
  'admin',
  'x,,y',
  'r\u00f4le\u00ff',
];
const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/json; charset=latin1',
  'multipart/form-data',
  '',
];

function typesOf(s: Schema): string[] {
  return s.type === undefined ? [] : [s.type].flat();
}

/** A value the schema accepts, or near enough (formats and cross-field rules are ignored). */
export function sample(s: Schema, rng: Prng, ids: string[], depth = 0): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum) return rng.pick(s.enum);
  if (s.anyOf) {
    const live = s.anyOf.filter((b) => !typesOf(b).includes('null'));
    return sample(rng.chance(0.1) || live.length === 0 ? rng.pick(s.anyOf) : rng.pick(live), rng, ids, depth);
  }
  const type = rng.pick(typesOf(s).length ? typesOf(s) : ['string']);
  switch (type) {
    case 'null':
      return null;
    case 'boolean':
      return rng.chance(0.5);
    case 'integer':
    case 'number': {
      const lo = s.minimum ?? 0;
      const hi = s.maximum ?? lo + 100;
      return lo + rng.int(Math.max(1, Math.min(hi - lo + 1, 1000)));
    }
    case 'array':
      return depth > 4 || !s.items
        ? []
        : Array.from({ length: rng.int(3) }, () => sample(s.items!, rng, ids, depth + 1));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, p] of Object.entries(s.properties ?? {})) {
        if (s.required?.includes(k) || rng.chance(0.4)) out[k] = sample(p, rng, ids, depth + 1);
      }
      return out;
    }
    default:
      if (s.format === 'uuid') return ids.length && rng.chance(0.8) ? rng.pick(ids) : rng.uuid();
      if (s.format === 'ipv4' || s.format === 'ip') return `10.0.${rng.int(4)}.${1 + rng.int(250)}`;
      return `fz-${rng.hex(6)}`;
  }
}

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number; schema?: Schema };

/** Every place in `root` a value could be swapped, with the schema that governs it where known. */
function slots(root: unknown, schema: Schema | undefined): Slot[] {
  const out: Slot[] = [];
  const walk = (v: unknown, s: Schema | undefined, depth: number) => {
    if (depth > 8 || v === null || typeof v !== 'object') return;
    const branch = (x: Schema | undefined) => x?.anyOf?.find((b) => !typesOf(b).includes('null')) ?? x;
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        const is = branch(branch(s)?.items);
        out.push({ parent: v, key: i, ...(is ? { schema: is } : {}) });
        walk(item, is, depth + 1);
      });
      return;
    }
    for (const [k, item] of Object.entries(v)) {
      const ps = branch(branch(s)?.properties?.[k]);
      out.push({ parent: v as Record<string, unknown>, key: k, ...(ps ? { schema: ps } : {}) });
      walk(item, ps, depth + 1);
    }
  };
  walk(root, schema, 0);
  return out;
}

function objects(root: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 8 || v === null || typeof v !== 'object') return;
    if (!Array.isArray(v)) out.push(v as Record<string, unknown>);
    for (const x of Object.values(v as object)) walk(x, depth + 1);
  };
  walk(root, 0);
  return out;
}

function boundary(s: Schema | undefined, rng: Prng): unknown {
  const t = s ? typesOf(s) : [];
  if (t.includes('integer') || t.includes('number')) {
    const lo = s?.minimum ?? 0;
    const hi = s?.maximum ?? 65535;
    return rng.pick([
      lo - 1,
      hi + 1,
      lo,
      hi,
      -0,
      2 ** 31,
      2 ** 31 - 1,
      -(2 ** 31) - 1,
      2 ** 53 + 1,
      1e308,
      -1e308,
      0.5,
    ]);
  }
  if (t.includes('string')) {
    const max = s?.maxLength;
    return rng.pick([...NASTY_STRINGS, max !== undefined ? 'x'.repeat(max + 1) : 'x'.repeat(70_000)]);
  }
  return rng.pick(WRONG_TYPES);
}

function ownKey(o: Record<string, unknown>, key: string, value: unknown): void {
  // Plain assignment to __proto__ would set the prototype, not write the key into the JSON.
  Object.defineProperty(o, key, { value, enumerable: true, configurable: true, writable: true });
}

function deepText(rng: Prng): string {
  const depth = rng.pick([31, 33, 100, 5000, 100_000]);
  return rng.chance(0.5)
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const MUTATIONS = [
  'wrong-type',
  'boundary',
  'huge-string',
  'unknown-field',
  'proto-key',
  'deep-nesting',
  'invalid-utf8',
  'drop-required',
  'null',
  'syntax',
] as const;

/** Break `body` in place (or replace it); returns what was done. */
function mutate(body: { v: unknown }, schema: Schema, rng: Prng): string {
  const kind = rng.pick(MUTATIONS);
  const all = slots(body.v, schema);
  const slot: Slot | undefined = all.length ? rng.pick(all) : undefined;
  const set = (v: unknown) => {
    if (slot) (slot.parent as Record<string | number, unknown>)[slot.key] = v;
    else body.v = v;
  };
  switch (kind) {
    case 'wrong-type':
      set(rng.pick(WRONG_TYPES));
      break;
    case 'boundary':
      set(boundary(slot?.schema, rng));
      break;
    case 'huge-string':
      set('h'.repeat(rng.pick([10_000, 200_000, 1_000_000])));
      break;
    case 'unknown-field': {
      const objs = objects(body.v);
      if (objs.length) rng.pick(objs)[`fuzz_${rng.hex(4)}`] = rng.pick(WRONG_TYPES);
      else body.v = { [`fuzz_${rng.hex(4)}`]: 1 };
      break;
    }
    case 'proto-key': {
      const objs = objects(body.v);
      const target = objs.length ? rng.pick(objs) : ((body.v = {}), body.v as Record<string, unknown>);
      const key = rng.pick(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString']);
      ownKey(
        target,
        key,
        rng.pick([{ polluted: true, admin: true }, { prototype: { polluted: 1 } }, 'x', 1, null]),
      );
      break;
    }
    case 'deep-nesting':
      set(DEEP);
      break;
    case 'invalid-utf8':
      set(`a${BAD_UTF8}b`);
      break;
    case 'drop-required': {
      const objs = objects(body.v);
      if (objs.length) {
        const o = rng.pick(objs);
        const keys = Object.keys(o);
        if (keys.length) delete o[rng.pick(keys)];
      }
      break;
    }
    case 'null':
      set(null);
      break;
    case 'syntax':
      break; // applied to the text in render()
  }
  return kind;
}

const SYNTAX_BREAKS: ((text: string) => string)[] = [
  (t) => t.slice(0, Math.max(0, t.length - 1)),
  (t) => t.slice(0, Math.floor(t.length / 2)),
  (t) => `${t}garbage`,
  (t) => `${t}${t}`,
  (t) => t.replace(/"/g, "'"),
  (t) => `\ufeff${t}`,
  (t) => `/* c */${t}`,
  (t) => t.replace(/:(\s*)\d+/, ':$1NaN'),
  (t) => t.replace(/^\{/, '{"dup":1,"dup":2,'),
  () => 'null',
  () => '[]',
  () => '"string"',
  () => '12',
  () => '{',
  () => '\u0000',
];

const INVALID_UTF8 = [
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
  Buffer.from([0xe2, 0x82]),
];

/** The body as bytes on the wire: placeholders swapped for deep nesting or invalid UTF-8. */
function render(v: unknown, kinds: string[], rng: Prng): string | Buffer {
  let text = JSON.stringify(v) ?? '';
  if (kinds.includes('syntax')) text = rng.pick(SYNTAX_BREAKS)(text);
  const deepToken = JSON.stringify(DEEP);
  if (text.includes(deepToken)) text = text.split(deepToken).join(deepText(rng));
  const utf8Token = JSON.stringify(BAD_UTF8).slice(1, -1);
  if (!text.includes(utf8Token)) return text;
  const parts = text.split(utf8Token).map((p) => Buffer.from(p, 'utf8'));
  const bytes: Buffer[] = [];
  parts.forEach((p, i) => {
    if (i > 0) bytes.push(rng.pick(INVALID_UTF8));
    bytes.push(p);
  });
  return Buffer.concat(bytes);
}

/** A path parameter: a live id of the right kind half the time, else something hostile. */
function pathValue(name: string, path: string, ids: IdPool, rng: Prng): string {
  const resource = name === 'id' || name === 'name' ? lastResource(path) : name.replace(/_id$/, '');
  const live = ids[resource] ?? [];
  if (live.length && rng.chance(0.5)) return encodeURIComponent(rng.pick(live));
  if (rng.chance(0.25)) return rng.uuid();
  return rng.pick(BAD_IDS);
}

/** The resource the last `{id}` of a path names: /pools/{pool_id}/members/{id} → members. */
function lastResource(path: string): string {
  const segs = path.split('/').filter((s) => s && !s.startsWith('{'));
  return segs[segs.length - 1] ?? '';
}

function query(rng: Prng): string {
  const n = 1 + rng.int(3);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`${rng.pick(QUERY_KEYS)}=${rng.pick(QUERY_VALUES)}`);
  return `?${parts.join('&')}`;
}

/** One hostile request for `op`. */
export function fuzzRequest(op: Operation, ids: IdPool, projects: string[], rng: Prng): FuzzRequest {
  const kinds: string[] = [];
  let method = op.method;
  if (rng.chance(0.03)) {
    method = rng.pick(['PATCH', 'OPTIONS', 'DELETE', 'POST', 'PUT']);
    kinds.push('other-method');
  }
  let url = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => pathValue(name, op.path, ids, rng));
  if (url !== op.path.replace(/\{[^}]+\}/g, '')) kinds.push('path-ids');
  if (rng.chance(op.method === 'GET' ? 0.6 : 0.2)) {
    url += query(rng);
    kinds.push('query');
  }
  const headers: Record<string, string> = {};
  if (rng.chance(0.3)) {
    headers['x-project-id'] = rng.pick([...projects, rng.uuid(), '', 'a'.repeat(300)]);
    headers['x-roles'] = rng.pick(ROLES);
    kinds.push('caller');
  }
  let payload: string | Buffer | undefined;
  const allIds = Object.values(ids).flat();
  if (op.body && method === op.method) {
    const body = { v: sample(op.body, rng, allIds) };
    const n = rng.chance(0.1) ? 0 : 1 + rng.int(2);
    for (let i = 0; i < n; i++) kinds.push(mutate(body, op.body, rng));
    payload = render(body.v, kinds, rng);
  } else if (rng.chance(0.15)) {
    payload = rng.pick(['{"fuzz":1}', '[', 'null', deepText(rng), '']);
    kinds.push('unexpected-body');
  }
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    if (rng.chance(0.05)) {
      headers['content-type'] = rng.pick(CONTENT_TYPES);
      kinds.push('content-type');
    }
  }
  return { method, url, headers, ...(payload !== undefined ? { payload } : {}), kinds };
}
