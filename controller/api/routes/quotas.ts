// /v2/lbaas/quotas: per-project limits on the number of objects. Reading a project's
// quota needs access to that project; changing one needs an admin (or Octavia's
// load-balancer_quota_admin role). Enforcement is in db/quota-repo.ts checkQuota.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import {
  defaultLimits,
  deleteQuota,
  effectiveLimits,
  getQuota,
  listQuotas,
  setQuota,
  type QuotaChanges,
} from '../../db/quota-repo.js';
import { authorizeRead, requestContext, type RequestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { QuotaPutBody, type QuotaPut } from '../schemas/quota.js';
import { quotaListView, quotaView } from '../views/quota.js';
import type { Query } from './resource.js';

const QUOTA_ADMIN_ROLE = 'load-balancer_quota_admin';

function isQuotaAdmin(ctx: RequestContext): boolean {
  return ctx.isAdmin || ctx.roles.includes(QUOTA_ADMIN_ROLE);
}

function authorizeQuotaRead(ctx: RequestContext, projectId: string): void {
  if (!isQuotaAdmin(ctx)) authorizeRead(ctx, projectId);
}

function authorizeQuotaWrite(ctx: RequestContext): void {
  if (!isQuotaAdmin(ctx)) throw new VeloxError('PolicyForbidden');
}

/** The project whose quotas a list shows: `?project_id=` if allowed, else all or the caller's own. */
function listedProject(ctx: RequestContext, requested: string | undefined): string | undefined {
  if (ctx.readsAllProjects || isQuotaAdmin(ctx)) return requested;
  const project = requested ?? ctx.projectId;
  if (project === null) throw new VeloxError('PolicyForbidden');
  authorizeRead(ctx, project);
  return project;
}

/** The body's limits under the canonical names; a deprecated spelling wins, as in Octavia. */
function quotaChanges(body: QuotaPut): QuotaChanges {
  const { loadbalancer, healthmonitor, ...rest } = body;
  const changes: QuotaChanges = { ...rest };
  if (loadbalancer !== undefined) changes.load_balancer = loadbalancer;
  if (healthmonitor !== undefined) changes.health_monitor = healthmonitor;
  return changes;
}

function projectParam(req: FastifyRequest): string {
  return (req.params as { project_id: string }).project_id;
}

export function quotaRoutes(deps: ApiDeps): FastifyPluginAsync {
  const shown = async (projectId: string) => ({
    quota: quotaView(effectiveLimits(await getQuota(deps.db, projectId), deps.config.quotas)),
  });

  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/quotas', async (req) => {
      const requested = (req.query as Query)['project_id'];
      const project = listedProject(requestContext(req), Array.isArray(requested) ? requested[0] : requested);
      const rows = await listQuotas(deps.db, project);
      return { quotas: rows.map(quotaListView), quotas_links: [] };
    });

    // The defaults hold nothing of any project: every caller may read them.
    app.get('/quotas/defaults', () => ({ quota: quotaView(defaultLimits(deps.config.quotas)) }));

    app.get('/quotas/:project_id/default', (req) => {
      authorizeQuotaRead(requestContext(req), projectParam(req));
      return { quota: quotaView(defaultLimits(deps.config.quotas)) };
    });

    app.get('/quotas/:project_id', async (req) => {
      const projectId = projectParam(req);
      authorizeQuotaRead(requestContext(req), projectId);
      return shown(projectId);
    });

    app.put('/quotas/:project_id', { schema: { body: QuotaPutBody } }, async (req, reply) => {
      const projectId = projectParam(req);
      authorizeQuotaWrite(requestContext(req));
      await setQuota(deps.db, projectId, quotaChanges(req.body.quota));
      return reply.status(202).send(await shown(projectId));
    });

    app.delete('/quotas/:project_id', async (req, reply) => {
      const projectId = projectParam(req);
      authorizeQuotaWrite(requestContext(req));
      if (!(await deleteQuota(deps.db, projectId))) {
        throw new VeloxError('NotFound', { resource: 'Quotas', id: projectId });
      }
      return reply.status(202).send();
    });
  };
}
