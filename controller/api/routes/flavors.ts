// /v2/lbaas/flavors: anyone may list and show flavors; only admins create, update
// and delete them. A flavor's name is unique; one a load balancer uses stays.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import { now } from '../../db/database.js';
import {
  deleteFlavor,
  flavorInUse,
  getFlavor,
  insertFlavor,
  listFlavors,
  updateFlavor,
  type FlavorRow,
} from '../../db/flavor-repo.js';
import { FLAVOR_PROFILE_TABLE, getProfile } from '../../db/profile-repo.js';
import { authorizeAdmin, authorizeReadShared, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { selectFields } from '../list-helper.js';
import { FlavorPostBody, FlavorPutBody } from '../schemas/flavor.js';
import { flavorFields, flavorView } from '../views/flavor.js';
import { globalList } from './global-list.js';
import { found, idParam, insertUnique, shownFields } from './resource.js';

export function flavorRoutes(deps: ApiDeps): FastifyPluginAsync {
  const find = async (id: string): Promise<FlavorRow> => found(await getFlavor(deps.db, id), 'Flavor', id);
  const duplicate = (name: string) => () => new VeloxError('RecordAlreadyExists', { field: 'flavor', name });

  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/flavors', (req) => {
      authorizeReadShared(requestContext(req));
      return globalList(
        req,
        { plural: 'flavors', links: 'flavors_links' },
        flavorFields,
        async (spec) => (await listFlavors(deps.db, spec)).map(flavorView),
        'id',
      );
    });

    app.get('/flavors/:id', async (req) => {
      authorizeReadShared(requestContext(req));
      return { flavor: selectFields(flavorView(await find(idParam(req))), shownFields(req, flavorFields)) };
    });

    app.post('/flavors', { schema: { body: FlavorPostBody } }, async (req, reply) => {
      authorizeAdmin(requestContext(req));
      const body = req.body.flavor;
      if (!(await getProfile(deps.db, FLAVOR_PROFILE_TABLE, body.flavor_profile_id))) {
        throw new VeloxError('InvalidSubresource', {
          resource: 'Flavor profile',
          id: body.flavor_profile_id,
        });
      }
      const row: FlavorRow = {
        id: randomUUID(),
        name: body.name,
        description: body.description ?? '',
        enabled: body.enabled === false ? 0 : 1,
        flavor_profile_id: body.flavor_profile_id,
        created_at: now(),
      };
      await insertUnique(() => insertFlavor(deps.db, row), duplicate(body.name));
      return reply.status(201).send({ flavor: flavorView(row) });
    });

    app.put('/flavors/:id', { schema: { body: FlavorPutBody } }, async (req) => {
      authorizeAdmin(requestContext(req));
      const id = idParam(req);
      const body = req.body.flavor;
      await find(id);
      const patch = {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.description !== undefined ? { description: body.description ?? '' } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled ? 1 : 0 } : {}),
      };
      await insertUnique(() => updateFlavor(deps.db, id, patch), duplicate(body.name ?? ''));
      return { flavor: flavorView(await find(id)) };
    });

    app.delete('/flavors/:id', async (req, reply) => {
      authorizeAdmin(requestContext(req));
      const id = idParam(req);
      await deps.db.transaction().execute(async (trx) => {
        found(await getFlavor(trx, id), 'Flavor', id);
        if (await flavorInUse(trx, id)) throw new VeloxError('ObjectInUse', { object: 'Flavor', id });
        await deleteFlavor(trx, id);
      });
      return reply.status(204).send();
    });
  };
}
