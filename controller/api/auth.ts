// Who is calling and what they may do. Both auth strategies end in one RequestContext,
// made once per request by the onRequest hook of buildApp (authHook) and read by the
// routes through requestContext(req) and the authorize*/listProject/projectForCreate
// checks below, which are Octavia 2023.1's default policies (octavia/policies/base.py)
// as oslo.policy evaluates them there: enforce_scope and enforce_new_defaults off, so
// each deprecated check string is OR'd with its new one. In effect:
// - admin (load-balancer:admin): role admin (any project: the deprecated
//   context_is_admin) or load-balancer_admin; every API, every project.
// - global reader (load-balancer:read-global): load-balancer_global_observer, or reader
//   on a system-scoped token; reads every project, changes nothing.
// - load-balancer_member: reads and writes its own project's objects.
// - load-balancer_observer: reads its own project's objects.
// - the plain project personas reader, member (and any other role) have no access
//   to the load-balancer API at all: 403, as in Octavia.
// - load-balancer_quota_admin: reads and writes every project's quotas (routes/quotas.ts).
// Another project's object answers 403 (Octavia checks the policy against the object's
// project after finding it), and lists only ever hold the caller's project unless the
// caller reads globally.
//
// auth_strategy = noauth (Octavia's own noauth makes every caller an admin; ours keeps
// projects apart so tests and the CLI can act as tenants):
// - No X-Project-Id: the operator, an admin of every project; what it creates belongs
//   to the body's project_id, else to NOAUTH_PROJECT. This is what
//   `openstack --os-auth-type none` sends, so the CLI sees and manages everything.
// - X-Project-Id without X-Roles: a devstack user, i.e. load-balancer_member, member and
//   reader of that project.
// - X-Project-Id with X-Roles (comma separated): exactly those roles, judged as above.
//
// auth_strategy = keystone: X-Auth-Token is validated by Keystone (keystone-auth.ts);
// X-Project-Id / X-Roles are ignored. No or a bad token: 401 with keystonemiddleware's
// body and WWW-Authenticate; Keystone unreachable or failing: 503, never a pass. Only
// version discovery (/) and /healthcheck answer without a token, as in Octavia.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ControllerConfig } from '../config.js';
import { VeloxError } from '../errors.js';
import { KeystoneAuthenticator } from './keystone-auth.js';
import { KeystoneUnavailable, TokenRejected, type TokenInfo } from './keystone-client.js';

export const NOAUTH_PROJECT = 'admin';

const ADMIN_ROLES = ['admin', 'load-balancer_admin'];
const GLOBAL_OBSERVER_ROLE = 'load-balancer_global_observer';
const MEMBER_ROLE = 'load-balancer_member';
const OBSERVER_ROLE = 'load-balancer_observer';
/** Roles of a noauth caller that names its project but no roles. */
const NOAUTH_DEFAULT_ROLES = [MEMBER_ROLE, 'member', 'reader'];
/** Octavia's paths that skip keystonemiddleware (octavia/common/keystone.py). */
// Plus the OpenAPI document (openapi-routes.ts): the API's shape, no project's data.
const UNAUTHENTICATED_PATHS = new Set(['/', '/healthcheck', '/openapi.json', '/v2/openapi.json']);

export interface RequestContext {
  /** The caller's project; null for the noauth operator and system/domain-scoped tokens. */
  projectId: string | null;
  /** Keystone user id; null in noauth. */
  userId: string | null;
  roles: string[];
  /** A system-scoped token (`system: {all: true}`). */
  systemScope: boolean;
  /** load-balancer:admin. */
  isAdmin: boolean;
  /** load-balancer:read-global: lists and reads of every project. */
  readsAllProjects: boolean;
  /** load-balancer:read on the caller's own project (observer or member role). */
  readsOwnProject: boolean;
  /** load-balancer:write on the caller's own project (member role). */
  writesOwnProject: boolean;
}

interface Identity {
  projectId: string | null;
  userId: string | null;
  roles: string[];
  systemScope: boolean;
  /** The noauth operator: Octavia's noauth is_admin. */
  operator: boolean;
}

/** The one place a context is made, whichever strategy said who the caller is. */
export function contextFor(who: Identity): RequestContext {
  const has = (role: string) => who.roles.includes(role);
  const isAdmin = who.operator || ADMIN_ROLES.some(has) || (who.systemScope && has('admin'));
  const readsAllProjects = isAdmin || has(GLOBAL_OBSERVER_ROLE) || (who.systemScope && has('reader'));
  const ownProject = who.projectId !== null;
  return {
    projectId: who.projectId,
    userId: who.userId,
    roles: who.roles,
    systemScope: who.systemScope,
    isAdmin,
    readsAllProjects,
    readsOwnProject: ownProject && (has(MEMBER_ROLE) || has(OBSERVER_ROLE)),
    writesOwnProject: ownProject && has(MEMBER_ROLE),
  };
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function noauthContext(req: FastifyRequest): RequestContext {
  const projectId = header(req, 'x-project-id')?.trim() || null;
  const rolesHeader = header(req, 'x-roles');
  const roles =
    rolesHeader === undefined
      ? projectId === null
        ? []
        : [...NOAUTH_DEFAULT_ROLES]
      : rolesHeader
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean);
  return contextFor({ projectId, userId: null, roles, systemScope: false, operator: projectId === null });
}

export function keystoneContext(token: TokenInfo): RequestContext {
  return contextFor({ ...token, operator: false });
}

const contexts = new WeakMap<FastifyRequest, RequestContext>();

/** The caller of `req`, as authHook found it. */
export function requestContext(req: FastifyRequest): RequestContext {
  const ctx = contexts.get(req);
  // Only reachable if a route is served outside buildApp: refuse rather than guess.
  if (!ctx) throw new Error(`no RequestContext for ${req.method} ${req.url}: authHook did not run`);
  return ctx;
}

function rejectUnauthenticated(reply: FastifyReply, authUrl: string): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', `Keystone uri="${authUrl}"`)
    .type('application/json')
    .send({
      error: {
        code: 401,
        title: 'Unauthorized',
        message: 'The request you have made requires authentication.',
      },
    });
}

/** The onRequest hook that gives every request its RequestContext (or refuses it). */
export function authHook(config: ControllerConfig): onRequestAsyncHookHandler {
  const strategy = config.api.authStrategy as string;
  if (strategy === 'noauth') {
    return async (req) => {
      contexts.set(req, noauthContext(req));
    };
  }
  if (strategy !== 'keystone') {
    throw new Error(`api.authStrategy must be "noauth" or "keystone", not ${JSON.stringify(strategy)}`);
  }
  const keystone = new KeystoneAuthenticator(config.keystone);
  return async (req, reply) => {
    if (UNAUTHENTICATED_PATHS.has(req.url.split('?')[0]!)) return;
    try {
      const token = await keystone.authenticate(header(req, 'x-auth-token'));
      contexts.set(req, keystoneContext(token));
    } catch (err) {
      if (err instanceof TokenRejected) {
        req.log.info({ reason: err.message }, 'request refused: not authenticated');
        return rejectUnauthenticated(reply, config.keystone.authUrl);
      }
      if (err instanceof KeystoneUnavailable) {
        req.log.error({ reason: err.message }, 'cannot validate token');
        throw new VeloxError('KeystoneUnavailable');
      }
      throw err;
    }
  };
}

/** load-balancer:read on an object of `projectId`. */
export function authorizeRead(ctx: RequestContext, projectId: string): void {
  if (ctx.readsAllProjects) return;
  if (!ctx.readsOwnProject || ctx.projectId !== projectId) throw new VeloxError('PolicyForbidden');
}

/**
 * load-balancer:read of something no project owns (flavors, availability zones, the
 * provider list): Octavia checks it against the caller's own project.
 */
export function authorizeReadShared(ctx: RequestContext): void {
  if (!ctx.readsAllProjects && !ctx.readsOwnProject) throw new VeloxError('PolicyForbidden');
}

/** Octavia's admin-only APIs (amphorae, failover, flavor/AZ writes, profiles, provider details). */
export function authorizeAdmin(ctx: RequestContext): void {
  if (!ctx.isAdmin) throw new VeloxError('PolicyForbidden');
}

/** load-balancer:write on an object of `projectId`. */
export function authorizeWrite(ctx: RequestContext, projectId: string): void {
  if (ctx.isAdmin) return;
  if (!ctx.writesOwnProject || ctx.projectId !== projectId) throw new VeloxError('PolicyForbidden');
}

/** Project of a new load balancer: the body's (admins only, unless it is the caller's own). */
export function projectForCreate(ctx: RequestContext, requested: string | null | undefined): string {
  const project = requested || ctx.projectId || NOAUTH_PROJECT;
  authorizeWrite(ctx, project);
  return project;
}

/**
 * Project restriction of a list (Octavia's _auth_get_all): a global reader gets
 * `?project_id=` or everything; anybody else their own project, and only with read
 * access to it.
 */
export function listProject(ctx: RequestContext, requested: string | undefined): string | undefined {
  if (ctx.readsAllProjects) return requested;
  const project = requested ?? ctx.projectId;
  if (project === null) throw new VeloxError('PolicyForbidden');
  authorizeRead(ctx, project);
  return project;
}
