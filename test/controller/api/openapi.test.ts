// GET /v2/openapi.json: a valid OpenAPI 3.1 document listing every route fastify
// registered, whose request bodies are the schemas the routes validate with.
import SwaggerParser from '@apidevtools/swagger-parser';
import t from 'tap';
import { Value } from 'typebox/value';
import type { TSchema } from 'typebox';
import { buildApp } from '../../../controller/api/app.js';
import {
  documentedRoutes,
  openApiDocument,
  openApiPath,
  tagOf,
  type OpenApiDocument,
} from '../../../controller/api/openapi.js';
import {
  AvailabilityZonePostBody,
  AvailabilityZonePutBody,
} from '../../../controller/api/schemas/availability-zone.js';
import { FlavorPostBody, FlavorPutBody } from '../../../controller/api/schemas/flavor.js';
import {
  HealthMonitorPostBody,
  HealthMonitorPutBody,
} from '../../../controller/api/schemas/health-monitor.js';
import { L7PolicyPostBody, L7PolicyPutBody } from '../../../controller/api/schemas/l7policy.js';
import { L7RulePostBody, L7RulePutBody } from '../../../controller/api/schemas/l7rule.js';
import { ListenerPostBody, ListenerPutBody } from '../../../controller/api/schemas/listener.js';
import { LoadBalancerPostBody, LoadBalancerPutBody } from '../../../controller/api/schemas/load-balancer.js';
import { MemberPostBody, MemberPutBody, MembersPutBody } from '../../../controller/api/schemas/member.js';
import { PoolPostBody, PoolPutBody } from '../../../controller/api/schemas/pool.js';
import {
  AvailabilityZoneProfilePostBody,
  AvailabilityZoneProfilePutBody,
  FlavorProfilePostBody,
  FlavorProfilePutBody,
} from '../../../controller/api/schemas/profile.js';
import { QuotaPutBody } from '../../../controller/api/schemas/quota.js';
import { controllerConfig } from '../../../controller/config.js';
import { openDatabase } from '../../../controller/db/database.js';
import { LocalNetworkDriver } from '../../../controller/drivers/network/local.js';
import { PUBLIC_SUBNET, activeLb, activePool, harness, subnetId, type Harness } from './helpers.js';

type Json = Record<string, unknown>;
interface Operation {
  tags: string[];
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: TSchema } } };
  responses: Record<string, Json>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

function operations(doc: OpenApiDocument): { path: string; method: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op: op as unknown as Operation })),
  );
}

function bodySchema(doc: OpenApiDocument, path: string, method: string): unknown {
  return (doc.paths[path]?.[method] as unknown as Operation | undefined)?.requestBody?.content[
    'application/json'
  ].schema;
}

/**
 * Every (METHOD, path) in fastify's route tree (printRoutes), parameters written `{}` as
 * the tree merges differently named parameters of one node (`:id|:policy_id`).
 */
function registeredRoutes(tree: string): Set<string> {
  const stack: string[] = [];
  const out = new Set<string>();
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[└├]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('').replace(/:[A-Za-z0-9_]+(\|:[A-Za-z0-9_]+)*/g, '{}');
    for (const method of m[3]?.split(', ') ?? []) out.add(`${method} ${path}`);
  }
  return out;
}

const anyParam = (path: string): string => path.replace(/\{[^}]+\}/g, '{}');

/**
 * A request body built from a documented schema alone: the required attributes and
 * the ones `values` names (a client knows which subnet or address it means).
 */
function exampleOf(schema: Json, values: Record<string, unknown>): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (Array.isArray(schema.anyOf)) {
    return exampleOf(
      (schema.anyOf as Json[]).find((s) => s.type !== 'null')!,
      values,
    );
  }
  switch (schema.type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Json>;
      const required = (schema.required ?? []) as string[];
      return Object.fromEntries(
        Object.entries(props)
          .filter(([name]) => required.includes(name) || name in values)
          .map(([name, s]) => [name, name in values ? values[name] : exampleOf(s, values)]),
      );
    }
    case 'string':
      return 'example';
    case 'integer':
    case 'number':
      return (schema.minimum as number | undefined) ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    default:
      throw new Error(`no example for ${JSON.stringify(schema)}`);
  }
}

async function servedDocument(h: Harness, url = '/v2/openapi.json'): Promise<OpenApiDocument> {
  const r = await h.req('GET', url);
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as OpenApiDocument;
}

t.test('pure parts: paths, tags, the /v2.0 alias and fastify’s HEAD twins', async (t) => {
  t.equal(openApiPath('/v2/lbaas/pools/:pool_id/members/:id'), '/v2/lbaas/pools/{pool_id}/members/{id}');
  t.equal(openApiPath('/things/:n(^\\d+)'), '/things/{n}', 'a parameter’s regexp is not part of the path');
  t.equal(tagOf('/v2/lbaas/loadbalancers/{id}/statuses'), 'loadbalancers');
  t.equal(tagOf('/v2/lbaas/pools/{pool_id}/members/{id}'), 'members');
  t.equal(tagOf('/v2/lbaas/l7policies/{l7policy_id}/rules'), 'l7rules');
  t.equal(tagOf('/v2/lbaas/quotas/{project_id}/default'), 'quotas');
  t.equal(tagOf('/v2/octavia/amphorae/{id}/config'), 'amphorae');
  t.equal(tagOf('/v2.0/networks/{id}'), 'networks');
  t.equal(tagOf('/v3/projects'), 'projects');
  t.equal(tagOf('/'), 'versions');
  t.equal(tagOf('/v2/openapi.json'), 'openapi');
  const kept = documentedRoutes([
    { method: 'GET', url: '/v2/lbaas/pools' },
    { method: 'HEAD', url: '/v2/lbaas/pools' },
    { method: 'GET', url: '/v2.0/lbaas/pools' },
    { method: 'POST', url: '/v2.0/lbaas/pools' },
    { method: 'GET', url: '/v2.0/networks' },
    { method: 'HEAD', url: '/only-head' },
  ]);
  t.same(
    kept.map((r) => `${r.method} ${r.url}`),
    ['GET /v2/lbaas/pools', 'POST /v2.0/lbaas/pools', 'GET /v2.0/networks', 'HEAD /only-head'],
    'an alias without a /v2 twin and an explicit HEAD stay',
  );
  const doc = openApiDocument([
    { method: 'GET', url: '/v2/x/:id', schema: { response: { 200: { type: 'object' } } } },
  ]);
  const op = doc.paths['/v2/x/{id}']!['get'] as unknown as Operation;
  t.same(Object.keys(op.responses), ['200', '4XX', '5XX'], 'a declared response schema replaces 2XX');
  t.same(op.parameters, [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
});

t.test('served without credentials at both addresses, and valid OpenAPI 3.1', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const doc = await servedDocument(h);
  t.same(await servedDocument(h, '/openapi.json'), doc, '/openapi.json serves the same document');
  const reader = await h.req('GET', '/v2/openapi.json', undefined, {
    'x-project-id': 'p1',
    'x-roles': 'reader',
  });
  t.equal(reader.status, 200, 'a caller with no load-balancer role may read it');
  t.equal(doc.openapi, '3.1.0');
  t.same(
    JSON.parse(JSON.stringify(h.app.openApiDocument())),
    doc,
    'the served JSON is the in-memory document',
  );

  // swagger-parser checks the document against the OpenAPI 3.1 JSON schema (it
  // dereferences in place, hence a copy).
  await t.resolves(SwaggerParser.validate(structuredClone(doc) as never), 'swagger-parser accepts it');
  const broken = structuredClone(doc) as unknown as Json;
  delete (broken.info as Json).version;
  await t.rejects(SwaggerParser.validate(broken as never), 'and the validator does refuse a broken one');

  // What the 3.1 JSON schema cannot see: path templates and their parameters agree,
  // every operation has one declared tag and the fault responses.
  const tagNames = doc.tags.map((tag) => tag.name);
  t.equal(new Set(tagNames).size, tagNames.length, 'tags are unique');
  let checked = 0;
  for (const { path, method, op } of operations(doc)) {
    const where = `${method.toUpperCase()} ${path}`;
    t.ok(METHODS.includes(method), `${where}: an OpenAPI method`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
    t.same(
      declared.map((p) => p.name),
      templated,
      `${where}: path parameters`,
    );
    t.ok(
      declared.every((p) => p.required),
      `${where}: path parameters are required`,
    );
    t.equal(op.tags.length, 1, `${where}: one tag`);
    t.ok(tagNames.includes(op.tags[0]!), `${where}: its tag is declared`);
    t.same(op.responses['4XX'], { $ref: '#/components/responses/Fault' }, `${where}: 4XX is the fault`);
    t.same(op.responses['5XX'], { $ref: '#/components/responses/Fault' }, `${where}: 5XX is the fault`);
    checked++;
  }
  t.ok(checked >= 90, `every operation checked (${checked})`);
  for (const tag of [
    'loadbalancers',
    'listeners',
    'pools',
    'members',
    'healthmonitors',
    'l7policies',
    'l7rules',
  ]) {
    t.ok(tagNames.includes(tag), `tag ${tag}`);
  }
  t.same(doc.paths['/v2/lbaas/pools/{pool_id}/members']!['post']!['tags'], ['members']);
});

t.test('every registered route is documented once, the /v2.0 alias not repeated', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const doc = await servedDocument(h);
  const documented = new Set(
    operations(doc).map(({ path, method }) => `${method.toUpperCase()} ${anyParam(path)}`),
  );
  const registered = registeredRoutes(h.app.printRoutes({ commonPrefix: false }));
  t.ok(registered.size > 200, `fastify's tree parsed (${registered.size} routes)`);
  for (const route of registered) {
    const [method, path] = route.split(' ') as [string, string];
    if (method === 'HEAD' && registered.has(`GET ${path}`)) continue; // fastify's own twin
    const twin = path.startsWith('/v2.0/') ? `${method} /v2/${path.slice('/v2.0/'.length)}` : undefined;
    t.ok(documented.has(route) || (twin !== undefined && documented.has(twin)), `${route} is documented`);
  }
  for (const route of documented) t.ok(registered.has(route), `${route} is a registered route`);
  t.notOk(
    Object.keys(doc.paths).some((p) => p.startsWith('/v2.0/lbaas') || p.startsWith('/v2.0/octavia')),
    'no /v2.0 alias of Octavia’s paths',
  );
  t.ok(doc.paths['/v2.0/networks'], 'Neutron’s own /v2.0 paths are not aliases');
  t.ok(doc.paths['/v2/openapi.json'] && doc.paths['/openapi.json'], 'the document lists itself');
});

t.test('request bodies are the very schemas the routes validate with', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  await servedDocument(h); // the app is ready
  const doc = h.app.openApiDocument();
  const lbaas = '/v2/lbaas';
  const expected: [string, string, unknown][] = [
    ['post', '/loadbalancers', LoadBalancerPostBody],
    ['put', '/loadbalancers/{id}', LoadBalancerPutBody],
    ['post', '/listeners', ListenerPostBody],
    ['put', '/listeners/{id}', ListenerPutBody],
    ['post', '/pools', PoolPostBody],
    ['put', '/pools/{id}', PoolPutBody],
    ['post', '/pools/{pool_id}/members', MemberPostBody],
    ['put', '/pools/{pool_id}/members', MembersPutBody],
    ['put', '/pools/{pool_id}/members/{id}', MemberPutBody],
    ['post', '/healthmonitors', HealthMonitorPostBody],
    ['put', '/healthmonitors/{id}', HealthMonitorPutBody],
    ['post', '/l7policies', L7PolicyPostBody],
    ['put', '/l7policies/{id}', L7PolicyPutBody],
    ['post', '/flavors', FlavorPostBody],
    ['put', '/flavors/{id}', FlavorPutBody],
    ['post', '/flavorprofiles', FlavorProfilePostBody],
    ['put', '/flavorprofiles/{id}', FlavorProfilePutBody],
    ['post', '/availabilityzoneprofiles', AvailabilityZoneProfilePostBody],
    ['put', '/availabilityzoneprofiles/{id}', AvailabilityZoneProfilePutBody],
    ['post', '/availabilityzones', AvailabilityZonePostBody],
    ['put', '/availabilityzones/{name}', AvailabilityZonePutBody],
    ['put', '/quotas/{project_id}', QuotaPutBody],
  ];
  for (const [method, path, schema] of expected) {
    t.equal(
      bodySchema(doc, `${lbaas}${path}`, method),
      schema,
      `${method.toUpperCase()} ${path}: same object`,
    );
  }
  const rulesPost = Object.keys(doc.paths).find((p) =>
    /^\/v2\/lbaas\/l7policies\/\{[^}]+\}\/rules$/.test(p),
  )!;
  t.equal(bodySchema(doc, rulesPost, 'post'), L7RulePostBody, 'POST l7 rules: same object');
  t.equal(bodySchema(doc, `${rulesPost}/{id}`, 'put'), L7RulePutBody, 'PUT l7 rule: same object');

  // Every documented body is enforced: an attribute the schema does not have is a 400.
  const lb = await activeLb(h);
  const pool = await activePool(h, { loadbalancer_id: lb.id });
  const ids: Record<string, string> = { id: lb.id, pool_id: pool.id, project_id: 'p1', name: 'az' };
  let bodies = 0;
  for (const { path, method, op } of operations(doc)) {
    if (!op.requestBody) continue;
    t.equal(op.requestBody.required, true);
    const url = path.replace(/\{([^}]+)\}/g, (_m, name: string) => ids[name] ?? lb.id);
    const r = await h.req(method.toUpperCase() as 'POST', url, { not_an_attribute: 1 });
    t.equal(r.status, 400, `${method.toUpperCase()} ${path}: an undocumented attribute is refused`);
    bodies++;
  }
  t.ok(bodies >= expected.length + 2, `${bodies} documented bodies sent`);
});

t.test('POST examples built from the document pass the routes; errors match the fault schema', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const doc = await servedDocument(h); // the JSON a client downloads
  const lbSchema = bodySchema(doc, '/v2/lbaas/loadbalancers', 'post') as Json;
  const lbBody = exampleOf(lbSchema, { vip_subnet_id: subnetId(h, PUBLIC_SUBNET) });
  t.same(lbBody, { loadbalancer: { vip_subnet_id: subnetId(h, PUBLIC_SUBNET) } });
  t.ok(Value.Check(lbSchema as TSchema, lbBody), 'the example satisfies the documented schema');
  let r = await h.req('POST', '/v2/lbaas/loadbalancers', lbBody);
  t.equal(r.status, 201, 'POST /loadbalancers accepts it');
  await h.activate(r.body.loadbalancer.id);

  const pool = await activePool(h, { loadbalancer_id: r.body.loadbalancer.id });
  const memberSchema = bodySchema(doc, '/v2/lbaas/pools/{pool_id}/members', 'post') as Json;
  const memberBody = exampleOf(memberSchema, { address: '172.30.2.20' });
  t.same(memberBody, { member: { address: '172.30.2.20', protocol_port: 1 } }, 'required attributes only');
  t.ok(Value.Check(memberSchema as TSchema, memberBody));
  r = await h.req('POST', `/v2/lbaas/pools/${pool.id}/members`, memberBody);
  t.equal(r.status, 201, 'POST member accepts it');

  const fault = (doc.components.schemas as Json).Fault as TSchema;
  const errors = [
    await h.req('GET', '/v2/lbaas/loadbalancers/9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11'),
    await h.req('POST', '/v2/lbaas/loadbalancers', { loadbalancer: { bogus: 1 } }),
    await h.req('GET', '/no/such/route'),
  ];
  t.same(
    errors.map((e) => e.status),
    [404, 400, 404],
  );
  for (const e of errors) t.ok(Value.Check(fault, e.body), `${e.status} body matches the Fault schema`);
  t.notOk(Value.Check(fault, { faultcode: 'Client', faultstring: 'x' }), 'and the schema is not vacuous');
});

t.test('the document is refused before the app is ready (it would miss routes)', async (t) => {
  const config = controllerConfig({ database: { driver: 'sqlite', path: ':memory:' } }, '');
  const db = await openDatabase(config);
  const app = await buildApp({ config, db, network: new LocalNetworkDriver(db, config.network) });
  t.teardown(async () => {
    await app.close();
    await db.destroy();
  });
  t.throws(() => app.openApiDocument(), /only once the app is ready/);
  await app.ready();
  t.ok(app.openApiDocument().paths['/v2/lbaas/loadbalancers']);
});

t.test('keystone mode: the document needs no token, the API does', async (t) => {
  const config = controllerConfig(
    {
      database: { driver: 'sqlite', path: ':memory:' },
      api: { authStrategy: 'keystone' },
      // Never contacted: a request without a token is refused before any call.
      keystone: { authUrl: 'http://127.0.0.1:9/v3', password: 'unused' },
    },
    '',
  );
  const db = await openDatabase(config);
  const app = await buildApp({ config, db, network: new LocalNetworkDriver(db, config.network) });
  t.teardown(async () => {
    await app.close();
    await db.destroy();
  });
  t.equal((await app.inject({ method: 'GET', url: '/v2/openapi.json' })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/v2/lbaas/loadbalancers' })).statusCode, 401);
});
