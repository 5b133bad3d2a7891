// Who is calling, in noauth mode: the project from X-Project-Id, the roles from
// X-Roles (comma separated), mirroring Octavia's default policies where it matters.
//
// Decisions for noauth (Octavia's own noauth makes every caller an admin):
// - No X-Project-Id: the caller is the operator, an admin of every project; what it
//   creates belongs to the body's project_id, else to NOAUTH_PROJECT. This is what
//   `openstack --os-auth-type none` sends, so the CLI sees and manages everything.
// - X-Project-Id without X-Roles: a member of that project (a devstack user).
// - Roles admin / load-balancer_admin: admin. load-balancer_global_observer: may
//   read every project. Only reader roles (reader, load-balancer_observer, …): may
//   read its project but not change anything.
// Objects of another project answer 403, as Octavia's policy check does.
import type { FastifyRequest } from 'fastify';
import { VeloxError } from '../errors.js';

export const NOAUTH_PROJECT = 'admin';

const ADMIN_ROLES = ['admin', 'load-balancer_admin'];
const WRITER_ROLES = ['member', 'load-balancer_member', ...ADMIN_ROLES];
const GLOBAL_READER_ROLES = ['load-balancer_global_observer', ...ADMIN_ROLES];

export interface RequestContext {
  /** The caller's project; null for the operator (no X-Project-Id). */
  projectId: string | null;
  roles: string[];
  isAdmin: boolean;
  readsAllProjects: boolean;
  canWrite: boolean;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function requestContext(req: FastifyRequest): RequestContext {
  const projectId = header(req, 'x-project-id')?.trim() || null;
  const rolesHeader = header(req, 'x-roles');
  const roles = (rolesHeader ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const isAdmin = projectId === null || roles.some((r) => ADMIN_ROLES.includes(r));
  return {
    projectId,
    roles,
    isAdmin,
    readsAllProjects: isAdmin || roles.some((r) => GLOBAL_READER_ROLES.includes(r)),
    canWrite: isAdmin || rolesHeader === undefined || roles.some((r) => WRITER_ROLES.includes(r)),
  };
}

export function authorizeRead(ctx: RequestContext, projectId: string): void {
  if (!ctx.readsAllProjects && ctx.projectId !== projectId) throw new VeloxError('PolicyForbidden');
}

/** Octavia's admin-only APIs (amphorae, quotas of others, providers' details). */
export function authorizeAdmin(ctx: RequestContext): void {
  if (!ctx.isAdmin) throw new VeloxError('PolicyForbidden');
}

export function authorizeWrite(ctx: RequestContext, projectId: string): void {
  if (!ctx.canWrite || (!ctx.isAdmin && ctx.projectId !== projectId)) throw new VeloxError('PolicyForbidden');
}

/** Project of a new load balancer: the body's (admins only, unless it is the caller's own). */
export function projectForCreate(ctx: RequestContext, requested: string | null | undefined): string {
  const project = requested || ctx.projectId || NOAUTH_PROJECT;
  authorizeWrite(ctx, project);
  return project;
}

/** Project restriction of a list: `?project_id=` if allowed, else the caller's own. */
export function listProject(ctx: RequestContext, requested: string | undefined): string | undefined {
  if (requested !== undefined) {
    authorizeRead(ctx, requested);
    return requested;
  }
  return ctx.readsAllProjects ? undefined : (ctx.projectId ?? undefined);
}
