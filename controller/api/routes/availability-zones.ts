// /v2/lbaas/availabilityzones: keyed by name. Anyone may list and show them; only
// admins create, update and delete them. A zone a load balancer is in stays.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import { now } from '../../db/database.js';
import {
  availabilityZoneInUse,
  deleteAvailabilityZone,
  getAvailabilityZone,
  insertAvailabilityZone,
  listAvailabilityZones,
  updateAvailabilityZone,
  type AvailabilityZoneRow,
} from '../../db/availability-zone-repo.js';
import { AVAILABILITY_ZONE_PROFILE_TABLE, getProfile } from '../../db/profile-repo.js';
import { authorizeAdmin, authorizeReadShared, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { selectFields } from '../list-helper.js';
import { AvailabilityZonePostBody, AvailabilityZonePutBody } from '../schemas/availability-zone.js';
import { availabilityZoneFields, availabilityZoneView } from '../views/availability-zone.js';
import { globalList } from './global-list.js';
import { found, insertUnique, shownFields } from './resource.js';

const RESOURCE = 'Availability Zone';

function nameParam(req: FastifyRequest): string {
  return (req.params as { name: string }).name;
}

export function availabilityZoneRoutes(deps: ApiDeps): FastifyPluginAsync {
  const find = async (name: string): Promise<AvailabilityZoneRow> =>
    found(await getAvailabilityZone(deps.db, name), RESOURCE, name);

  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/availabilityzones', (req) => {
      authorizeReadShared(requestContext(req));
      return globalList(
        req,
        { plural: 'availability_zones', links: 'availability_zones_links' },
        availabilityZoneFields,
        async (spec) => (await listAvailabilityZones(deps.db, spec)).map(availabilityZoneView),
        'name',
      );
    });

    app.get('/availabilityzones/:name', async (req) => {
      authorizeReadShared(requestContext(req));
      return {
        availability_zone: selectFields(
          availabilityZoneView(await find(nameParam(req))),
          shownFields(req, availabilityZoneFields),
        ),
      };
    });

    app.post('/availabilityzones', { schema: { body: AvailabilityZonePostBody } }, async (req, reply) => {
      authorizeAdmin(requestContext(req));
      const body = req.body.availability_zone;
      const profileId = body.availability_zone_profile_id;
      if (!(await getProfile(deps.db, AVAILABILITY_ZONE_PROFILE_TABLE, profileId))) {
        throw new VeloxError('InvalidSubresource', { resource: 'Availability Zone Profile', id: profileId });
      }
      const row: AvailabilityZoneRow = {
        name: body.name,
        description: body.description ?? '',
        enabled: body.enabled === false ? 0 : 1,
        availability_zone_profile_id: profileId,
        created_at: now(),
      };
      await insertUnique(
        () => insertAvailabilityZone(deps.db, row),
        () => new VeloxError('RecordAlreadyExists', { field: 'availability zone', name: body.name }),
      );
      return reply.status(201).send({ availability_zone: availabilityZoneView(row) });
    });

    app.put('/availabilityzones/:name', { schema: { body: AvailabilityZonePutBody } }, async (req) => {
      authorizeAdmin(requestContext(req));
      const name = nameParam(req);
      const body = req.body.availability_zone;
      await find(name);
      await updateAvailabilityZone(deps.db, name, {
        ...(body.description !== undefined ? { description: body.description ?? '' } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled ? 1 : 0 } : {}),
      });
      return { availability_zone: availabilityZoneView(await find(name)) };
    });

    app.delete('/availabilityzones/:name', async (req, reply) => {
      authorizeAdmin(requestContext(req));
      const name = nameParam(req);
      await deps.db.transaction().execute(async (trx) => {
        found(await getAvailabilityZone(trx, name), RESOURCE, name);
        if (await availabilityZoneInUse(trx, name)) {
          throw new VeloxError('ObjectInUse', { object: RESOURCE, id: name });
        }
        await deleteAvailabilityZone(trx, name);
      });
      return reply.status(204).send();
    });
  };
}
