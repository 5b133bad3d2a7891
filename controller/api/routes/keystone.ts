// Just enough of Keystone v3 for clients resolving `--project NAME` in noauth
// mode: every project exists, and its id is its name.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';

function project(req: FastifyRequest, id: string) {
  return {
    id,
    name: id,
    domain_id: 'default',
    parent_id: 'default',
    description: '',
    enabled: true,
    is_domain: false,
    tags: [],
    options: {},
    links: { self: `${req.protocol}://${req.host}/v3/projects/${encodeURIComponent(id)}` },
  };
}

// With `auth_type: none`, keystoneclient takes the unversioned auth endpoint as the
// identity endpoint and asks for /projects/...; with a versioned one, /v3/projects/....
export const keystoneRoutes: FastifyPluginAsync = async (app) => {
  for (const prefix of ['/v3', '']) {
    app.get(`${prefix}/projects/:id`, async (req) => ({
      project: project(req, (req.params as { id: string }).id),
    }));
    app.get(`${prefix}/projects`, async (req) => {
      const name = (req.query as Record<string, string | undefined>)['name'];
      return {
        projects: name ? [project(req, name)] : [],
        links: { self: `${req.protocol}://${req.host}/v3/projects`, previous: null, next: null },
      };
    });
  }
};
