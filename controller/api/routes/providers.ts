// /v2/lbaas/providers: the enabled provider drivers, and each one's flavor and
// availability zone capabilities (admin only, as Octavia's provider-flavor and
// provider-availability-zone policies), with `fields`, `name` and `description`.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { authorizeAdmin, authorizeReadShared, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { parseListQuery, selectFields } from '../list-helper.js';
import { enabledProviders, providerCapabilities, type ProfileKind } from '../provider-catalog.js';
import type { Query } from './resource.js';

function fieldsOf(req: FastifyRequest): string[] | undefined {
  return parseListQuery({ fields: (req.query as Query)['fields'] }, {}).fields;
}

function lastValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function providerRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/providers', async (req) => {
      authorizeReadShared(requestContext(req));
      const fields = fieldsOf(req);
      return { providers: enabledProviders(deps.config).map((p) => selectFields(p, fields)) };
    });

    const capabilities = (kind: ProfileKind, key: string) => async (req: FastifyRequest) => {
      authorizeAdmin(requestContext(req));
      const { provider } = req.params as { provider: string };
      const query = req.query as Query;
      const name = lastValue(query['name']);
      const description = lastValue(query['description']);
      const list = providerCapabilities(deps.config, provider, kind)
        .filter((c) => !name || c.name === name)
        .filter((c) => !description || c.description === description)
        .map((c) => ({ name: c.name, description: c.description }));
      const fields = fieldsOf(req);
      return { [key]: list.map((c) => selectFields(c, fields)) };
    };
    app.get('/providers/:provider/flavor_capabilities', capabilities('flavor', 'flavor_capabilities'));
    app.get(
      '/providers/:provider/availability_zone_capabilities',
      capabilities('availability_zone', 'availability_zone_capabilities'),
    );
  };
}
