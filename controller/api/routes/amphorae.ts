// /v2/octavia/amphorae: Octavia's admin amphora API, the read-only part (list
// and show). Admin only, as Octavia's os_load-balancer_api:amphora:get_* rules.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { VeloxError } from '../../errors.js';
import { getAmphora, listAmphoraPage, type AmphoraRow } from '../../db/amphora-repo.js';
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
  };
}
