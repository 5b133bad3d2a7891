// What the routes of every Octavia resource share: the id and `?fields=` of a
// request, the 404 of an unknown id, a list's project scope and envelope, the
// common columns of a new row and of a PUT, and the status gate of a change under
// a load balancer.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VeloxError } from '../../errors.js';
import { now } from '../../db/database.js';
import type { ListSpec } from '../../db/list-query.js';
import type { GateRequest } from '../../db/status-gate.js';
import { authorizeRead, listProject, requestContext } from '../auth.js';
import { pageLinks, parseListQuery, selectFields, type FieldMap, type ParsedList } from '../list-helper.js';

export type Query = Record<string, string | string[] | undefined>;

/** The attributes every resource's POST and PUT bodies may carry. */
export interface CommonBody {
  name?: string | null;
  description?: string | null;
  admin_state_up?: boolean | null;
  tags?: string[] | null;
}

export function idParam(req: FastifyRequest): string {
  return (req.params as { id: string }).id;
}

/** The `?fields=` of a show request, or undefined for all attributes. */
export function shownFields(req: FastifyRequest, fields: FieldMap): string[] | undefined {
  return parseListQuery({ fields: (req.query as Query)['fields'] }, fields).fields;
}

/** The row, or Octavia's 404 naming the resource. */
export function found<T>(row: T | undefined, resource: string, id: string): T {
  if (!row) throw new VeloxError('NotFound', { resource, id });
  return row;
}

type Scope = { column: string; value: string }[];

/** The scope of a list: `?project_id=` if the caller may read it, else the caller's own project. */
function projectScope(req: FastifyRequest, parsed: ParsedList): Scope {
  const project = listProject(requestContext(req), parsed.projectId);
  return project ? [{ column: 'project_id', value: project }] : [];
}

/** GET of a top-level collection: the page of rows the caller may read, rendered. */
export async function projectList<R, V extends { id: string }>(
  req: FastifyRequest,
  plural: string,
  fields: FieldMap,
  list: (spec: ListSpec, scope: Scope) => Promise<R[]>,
  render: (rows: R[]) => V[] | Promise<V[]>,
): Promise<Record<string, unknown>> {
  const parsed = parseListQuery(req.query as Query, fields);
  const rows = await list(parsed.spec, projectScope(req, parsed));
  return listEnvelope(req, plural, parsed, await render(rows));
}

/** Octavia's list envelope: `{ <plural>: [...], <plural>_links: [...] }`. */
export function listEnvelope<V extends { id: string }>(
  req: FastifyRequest,
  plural: string,
  parsed: ParsedList,
  views: V[],
): Record<string, unknown> {
  return {
    [plural]: views.map((v) => selectFields(v, parsed.fields)),
    [`${plural}_links`]: pageLinks(
      req,
      parsed,
      views.map((v) => v.id),
    ),
  };
}

/** The common columns of a new row: PENDING_CREATE, OFFLINE, created now. */
export function newRowColumns(projectId: string, body: CommonBody) {
  return {
    project_id: projectId,
    name: body.name ?? '',
    description: body.description ?? '',
    provisioning_status: 'PENDING_CREATE' as const,
    operating_status: 'OFFLINE' as const,
    enabled: body.admin_state_up === false ? 0 : 1,
    tags: JSON.stringify(body.tags ?? []),
    created_at: now(),
    updated_at: null,
  };
}

/** The common columns a PUT body changes: only those given; null resets to the default. */
export function commonChanges(body: CommonBody) {
  return {
    ...(body.name !== undefined ? { name: body.name ?? '' } : {}),
    ...(body.description !== undefined ? { description: body.description ?? '' } : {}),
    ...(body.admin_state_up !== undefined ? { enabled: body.admin_state_up === false ? 0 : 1 } : {}),
    ...(body.tags !== undefined ? { tags: JSON.stringify(body.tags ?? []) } : {}),
  };
}

/** A change under a load balancer: it becomes PENDING_UPDATE and sync_lb is enqueued. */
export function childChange(
  loadBalancerId: string,
  affected: Pick<GateRequest, 'listenerIds' | 'poolId'> = {},
): GateRequest {
  return { loadBalancerId, lbStatus: 'PENDING_UPDATE', refusal: 'child', job: 'sync_lb', ...affected };
}

/** Insert; a unique index's violation (a race the caller's check missed) becomes `duplicate()`. */
export async function insertUnique(
  insert: () => Promise<unknown>,
  duplicate: () => VeloxError,
): Promise<void> {
  try {
    await insert();
  } catch (err) {
    throw isUniqueViolation(err) ? duplicate() : err;
  }
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed|duplicate key/i.test(err.message);
}

/** What a project-owned resource needs for its GET routes. */
export interface ReadableResource<R extends { project_id: string }, V extends { id: string }> {
  plural: string; // the collection path and list key, e.g. 'pools'
  singular: string; // the show key, e.g. 'pool'
  fields: FieldMap;
  list: (spec: ListSpec, scope: Scope) => Promise<R[]>;
  /** The row or Octavia's 404. */
  find: (id: string) => Promise<R>;
  render: (rows: R[]) => V[] | Promise<V[]>;
}

/** GET /<plural> and GET /<plural>/:id, project-scoped, with `fields` on both. */
export function readRoutes<R extends { project_id: string }, V extends { id: string }>(
  app: FastifyInstance,
  r: ReadableResource<R, V>,
): void {
  app.get(`/${r.plural}`, (req: FastifyRequest) => projectList(req, r.plural, r.fields, r.list, r.render));
  app.get(`/${r.plural}/:id`, async (req: FastifyRequest) => {
    const row = await r.find(idParam(req));
    authorizeRead(requestContext(req), row.project_id);
    const [view] = await r.render([row]);
    return { [r.singular]: selectFields(view!, shownFields(req, r.fields)) };
  });
}
