// The OpenAPI 3.1 document of the controller's API, built from the routes fastify
// registered (see openapi-routes.ts), never written by hand: each request body is the
// very TypeBox schema fastify validates with, so the document cannot drift from what
// the API accepts. 3.1 because its schemas are JSON Schema 2020-12, which TypeBox emits
// as-is (nullable attributes are `anyOf [T, null]`, which 3.0 cannot express). Pure.
import { Type } from 'typebox';

/** What the document needs to know about one route, as fastify's onRoute hook saw it. */
export interface RouteRecord {
  method: string;
  /** fastify's syntax, prefix included: `/v2/lbaas/pools/:pool_id/members`. */
  url: string;
  schema?: {
    body?: unknown;
    querystring?: unknown;
    params?: unknown;
    response?: Record<string, unknown>;
  };
}

/** Octavia's error body (controller/errors.ts FaultBody), on every 4xx and 5xx. */
export const FaultSchema = Type.Object(
  {
    faultcode: Type.Enum(['Client', 'Server'], { description: 'Client for 4xx, Server for 5xx.' }),
    faultstring: Type.String({ description: 'What went wrong, in Octavia’s words.' }),
    debuginfo: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

/** The version Octavia clients negotiate (the CURRENT entry of GET /). */
const API_VERSION = '2.26';

const DESCRIPTION = [
  'Velox serves the OpenStack Octavia v2 load-balancer API (and the Neutron and Keystone reads that',
  'Octavia clients make). Every path under /v2/ is also served under /v2.0/ (Octavia’s alias); the',
  'document lists it once. With the default noauth mode the caller’s project comes from the',
  'X-Project-Id header and its roles from X-Roles; without X-Project-Id the caller is the operator.',
  'Routes that declare no response schema answer Octavia’s documented bodies (2XX below).',
].join(' ');

/** Path prefixes that are not part of a resource's name; longest first. */
const API_PREFIXES = [
  '/v2.0/lbaas',
  '/v2.0/octavia',
  '/v2/lbaas',
  '/v2/octavia',
  '/v2/velox',
  '/v2.0',
  '/v2',
  '/v3',
];

/** Static segments after a parent's id that start another resource (`/pools/{pool_id}/members`). */
const SUB_RESOURCES: Record<string, string> = { members: 'members', rules: 'l7rules' };

const PARAM = /:([A-Za-z0-9_]+)(?:\([^)]*\))?/g;

/** fastify's `/pools/:pool_id` as OpenAPI's `/pools/{pool_id}`. */
export function openApiPath(url: string): string {
  return url.replace(PARAM, '{$1}');
}

function pathParams(url: string): string[] {
  return [...url.matchAll(PARAM)].map((m) => m[1]!);
}

/** The resource a path belongs to: `/v2/lbaas/pools/{pool_id}/members/{id}` → members. */
export function tagOf(path: string): string {
  const prefix = API_PREFIXES.find((p) => path === p || path.startsWith(`${p}/`)) ?? '';
  const segments = path.slice(prefix.length).split('/').filter(Boolean);
  let tag = segments[0] ?? 'versions';
  for (let i = 1; i < segments.length; i++) {
    const sub = SUB_RESOURCES[segments[i]!];
    if (sub && segments[i - 1]!.startsWith('{')) tag = sub;
  }
  return tag.replace(/\.json$/, '');
}

/**
 * The routes a client needs to see: fastify's automatic HEAD twin of a GET is left out,
 * and so is a /v2.0/… route that only repeats its /v2/… twin.
 */
export function documentedRoutes(routes: readonly RouteRecord[]): RouteRecord[] {
  const seen = new Set(routes.map((r) => `${r.method} ${r.url}`));
  return routes.filter((r) => {
    if (r.method === 'HEAD' && seen.has(`GET ${r.url}`)) return false;
    if (r.url.startsWith('/v2.0/') && seen.has(`${r.method} /v2/${r.url.slice('/v2.0/'.length)}`))
      return false;
    return true;
  });
}

type Json = Record<string, unknown>;

function objectProperties(schema: unknown): { name: string; schema: unknown; required: boolean }[] {
  const s = schema as { properties?: Record<string, unknown>; required?: string[] } | undefined;
  return Object.entries(s?.properties ?? {}).map(([name, p]) => ({
    name,
    schema: p,
    required: s?.required?.includes(name) ?? false,
  }));
}

function parameters(r: RouteRecord): Json[] {
  const declared = new Map(objectProperties(r.schema?.params).map((p) => [p.name, p.schema]));
  return [
    ...pathParams(r.url).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: declared.get(name) ?? { type: 'string' },
    })),
    ...objectProperties(r.schema?.querystring).map((q) => ({
      name: q.name,
      in: 'query',
      required: q.required,
      schema: q.schema,
    })),
  ];
}

const FAULT_RESPONSE = { $ref: '#/components/responses/Fault' };

function responses(r: RouteRecord): Json {
  const declared = Object.entries(r.schema?.response ?? {});
  const success = declared.length
    ? Object.fromEntries(
        declared.map(([code, schema]) => [
          code,
          { description: `${code} response`, content: { 'application/json': { schema } } },
        ]),
      )
    : { '2XX': { description: 'Success: Octavia’s body for this call (no response schema declared).' } };
  return { ...success, '4XX': FAULT_RESPONSE, '5XX': FAULT_RESPONSE };
}

function operation(r: RouteRecord): Json {
  const params = parameters(r);
  return {
    tags: [tagOf(openApiPath(r.url))],
    ...(params.length ? { parameters: params } : {}),
    ...(r.schema?.body !== undefined
      ? { requestBody: { required: true, content: { 'application/json': { schema: r.schema.body } } } }
      : {}),
    responses: responses(r),
  };
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, Json>>;
  components: Json;
}

/** The document of the given routes, in their registration order. */
export function openApiDocument(routes: readonly RouteRecord[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const r of documentedRoutes(routes)) {
    const path = openApiPath(r.url);
    (paths[path] ??= {})[r.method.toLowerCase()] = operation(r);
  }
  const tags = [...new Set(Object.keys(paths).map(tagOf))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: { title: 'Velox load balancer API (Octavia v2)', version: API_VERSION, description: DESCRIPTION },
    tags,
    paths,
    components: {
      schemas: { Fault: FaultSchema },
      responses: {
        Fault: {
          description: 'Octavia’s error body.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Fault' } } },
        },
      },
    },
  };
}
