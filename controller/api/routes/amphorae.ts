// /v2/octavia/amphorae: Octavia's admin amphora API: list, show, stats, and the
// failover (of that amphora: controller/worker/ha-flows.ts) and config actions (202;
// the worker does the work, see controller/worker/failover-flow.ts). Admin only, as Octavia's amphora rules.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { VeloxError } from '../../errors.js';
import { getAmphora, listAmphoraPage, type AmphoraRow } from '../../db/amphora-repo.js';
import {
  amphoraStatistics,
  enqueueAmphoraConfig,
  enqueueAmphoraFailover,
} from '../../db/amphora-ops-repo.js';
import { authorizeAdmin, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { parseListQuery, selectFields } from '../list-helper.js';
import { amphoraFields, amphoraView } from '../views/amphora.js';
import { idParam, listEnvelope, shownFields, type Query } from './resource.js';

async function findAmphora(deps: ApiDeps, id: string): Promise<AmphoraRow> {
  const amp = await getAmphora(deps.db, id);
  if (!amp || amp.status === 'DELETED') throw new VeloxError('NotFound', { resource: 'Amphora', id });
  return amp;
}

/** The load balancer an action on the amphora acts on (Velox keeps no spare amphorae). */
function loadBalancerOf(amp: AmphoraRow): string {
  if (!amp.load_balancer_id) {
    throw new VeloxError('ValidationException', {
      detail: `Amphora ${amp.id} is not part of a load balancer.`,
    });
  }
  return amp.load_balancer_id;
}

export function amphoraRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/amphorae', async (req: FastifyRequest) => {
      authorizeAdmin(requestContext(req));
      const parsed = parseListQuery(req.query as Query, amphoraFields);
      // Amphorae carry no tags: Octavia ignores tag filters on them.
      parsed.spec.tags = { all: [], any: [], notAll: [], notAny: [] };
      const rows = await listAmphoraPage(deps.db, parsed.spec, parsed.projectId);
      return listEnvelope(req, 'amphorae', parsed, rows.map(amphoraView));
    });

    app.get('/amphorae/:id', async (req) => {
      // Octavia looks the amphora up before the policy check: an unknown id is 404.
      const amp = await findAmphora(deps, idParam(req));
      authorizeAdmin(requestContext(req));
      return { amphora: selectFields(amphoraView(amp), shownFields(req, amphoraFields)) };
    });

    // Octavia: the load balancer must be ACTIVE ("Load Balancer <id> is immutable ...").
    app.put('/amphorae/:id/failover', async (req, reply) => {
      const amp = await findAmphora(deps, idParam(req));
      authorizeAdmin(requestContext(req));
      loadBalancerOf(amp);
      await enqueueAmphoraFailover(deps.db, amp.id, 'operator: PUT amphorae/{id}/failover', {
        onlyFromActive: true,
      });
      return reply.status(202).send();
    });

    app.put('/amphorae/:id/config', async (req, reply) => {
      const amp = await findAmphora(deps, idParam(req));
      authorizeAdmin(requestContext(req));
      await enqueueAmphoraConfig(deps.db, loadBalancerOf(amp));
      return reply.status(202).send();
    });

    // Octavia checks the policy first and answers 404 when the amphora reported nothing.
    app.get('/amphorae/:id/stats', async (req) => {
      authorizeAdmin(requestContext(req));
      const id = idParam(req);
      const stats = await amphoraStatistics(deps.db, id);
      if (!stats.length) throw new VeloxError('NotFound', { resource: 'Amphora stats for', id });
      return { amphora_stats: stats };
    });
  };
}
