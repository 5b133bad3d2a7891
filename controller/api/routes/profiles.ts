// /v2/lbaas/flavorprofiles and /v2/lbaas/availabilityzoneprofiles: admin-only CRUD
// of the provider settings behind flavors and availability zones. The data must be
// a JSON object the provider accepts; a profile in use keeps its provider and data,
// and cannot be deleted.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { VeloxError } from '../../errors.js';
import { now } from '../../db/database.js';
import {
  AVAILABILITY_ZONE_PROFILE_TABLE,
  FLAVOR_PROFILE_TABLE,
  deleteProfile,
  getProfile,
  insertProfile,
  listProfiles,
  profileInUse,
  updateProfile,
  type ProfileRow,
  type ProfileTableSpec,
} from '../../db/profile-repo.js';
import { authorizeAdmin, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { selectFields } from '../list-helper.js';
import { validateProfileData, type ProfileKind } from '../provider-catalog.js';
import {
  AvailabilityZoneProfilePostBody,
  AvailabilityZoneProfilePutBody,
  FlavorProfilePostBody,
  FlavorProfilePutBody,
} from '../schemas/profile.js';
import { profileFields, profileView } from '../views/profile.js';
import { globalList } from './global-list.js';
import { idParam, shownFields } from './resource.js';

interface ProfileKindSpec {
  kind: ProfileKind;
  table: ProfileTableSpec;
  path: string;
  singular: string;
  plural: string;
  links: string;
  /** Octavia's names in its 404 and in its "in use" error. */
  resource: string;
  inUseObject: string;
  post: TSchema;
  put: TSchema;
}

export const FLAVOR_PROFILES: ProfileKindSpec = {
  kind: 'flavor',
  table: FLAVOR_PROFILE_TABLE,
  path: '/flavorprofiles',
  singular: 'flavorprofile',
  plural: 'flavorprofiles',
  links: 'flavorprofile_links',
  resource: 'Flavor Profile',
  inUseObject: 'Flavor profile',
  post: FlavorProfilePostBody,
  put: FlavorProfilePutBody,
};

export const AVAILABILITY_ZONE_PROFILES: ProfileKindSpec = {
  kind: 'availability_zone',
  table: AVAILABILITY_ZONE_PROFILE_TABLE,
  path: '/availabilityzoneprofiles',
  singular: 'availability_zone_profile',
  plural: 'availability_zone_profiles',
  links: 'availability_zone_profile_links',
  resource: 'Availability Zone Profile',
  inUseObject: 'Availability Zone Profile',
  post: AvailabilityZoneProfilePostBody,
  put: AvailabilityZoneProfilePutBody,
};

export function profileRoutes(deps: ApiDeps, spec: ProfileKindSpec): FastifyPluginAsync {
  const dataName = spec.table.dataColumn;
  const fields = profileFields(dataName);
  const view = (row: ProfileRow) => profileView(row, dataName);
  const bodyOf = (req: FastifyRequest) =>
    (req.body as Record<string, Record<string, string | null>>)[spec.singular]!;
  const find = async (id: string) => {
    const row = await getProfile(deps.db, spec.table, id);
    if (!row) throw new VeloxError('NotFound', { resource: spec.resource, id });
    return row;
  };

  return async (app) => {
    app.get(spec.path, async (req) => {
      authorizeAdmin(requestContext(req));
      return globalList(
        req,
        spec,
        fields,
        async (list) => (await listProfiles(deps.db, spec.table, list)).map(view),
        'id',
      );
    });

    app.get(`${spec.path}/:id`, async (req) => {
      authorizeAdmin(requestContext(req));
      const row = await find(idParam(req));
      return { [spec.singular]: selectFields(view(row), shownFields(req, fields)) };
    });

    app.post(spec.path, { schema: { body: spec.post } }, async (req, reply) => {
      authorizeAdmin(requestContext(req));
      const body = bodyOf(req);
      const provider = body['provider_name']!;
      const data = body[dataName]!;
      validateProfileData(deps, provider, spec.kind, data);
      const row: ProfileRow = {
        id: randomUUID(),
        name: body['name']!,
        provider_name: provider,
        data,
        created_at: now(),
      };
      await insertProfile(deps.db, spec.table, row);
      return reply.status(201).send({ [spec.singular]: view(row) });
    });

    app.put(`${spec.path}/:id`, { schema: { body: spec.put } }, async (req) => {
      authorizeAdmin(requestContext(req));
      const id = idParam(req);
      const body = bodyOf(req);
      for (const option of ['name', 'provider_name', dataName]) {
        if (body[option] === null) throw new VeloxError('InvalidOption', { value: 'None', option });
      }
      const patch = {
        name: body['name'] ?? undefined,
        provider_name: body['provider_name'] ?? undefined,
        data: body[dataName] ?? undefined,
      };
      await deps.db.transaction().execute(async (trx) => {
        const current = await getProfile(trx, spec.table, id);
        if (!current) throw new VeloxError('NotFound', { resource: spec.resource, id });
        if (patch.provider_name !== undefined || patch.data !== undefined) {
          // What the flavors (zones) of a profile mean must not change under them.
          if (await profileInUse(trx, spec.table, id)) {
            throw new VeloxError('ObjectInUse', { object: spec.inUseObject, id });
          }
          validateProfileData(
            deps,
            patch.provider_name ?? current.provider_name,
            spec.kind,
            patch.data ?? current.data,
          );
        }
        await updateProfile(trx, spec.table, id, patch);
      });
      return { [spec.singular]: view(await find(id)) };
    });

    app.delete(`${spec.path}/:id`, async (req, reply) => {
      authorizeAdmin(requestContext(req));
      const id = idParam(req);
      await deps.db.transaction().execute(async (trx) => {
        if (!(await getProfile(trx, spec.table, id))) {
          throw new VeloxError('NotFound', { resource: spec.resource, id });
        }
        if (await profileInUse(trx, spec.table, id)) {
          throw new VeloxError('ObjectInUse', { object: spec.inUseObject, id });
        }
        await deleteProfile(trx, spec.table, id);
      });
      return reply.status(204).send();
    });
  };
}
