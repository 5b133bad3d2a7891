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

export const keystoneRoutes: FastifyPluginAsync = async (app) => {
  app.get('/v3/projects/:id', async (req) => ({ project: project(req, (req.params as { id: string }).id) }));
  app.get('/v3/projects', async (req) => {
    const name = (req.query as Record<string, string | undefined>)['name'];
    return {
      projects: name ? [project(req, name)] : [],
      links: { self: `${req.protocol}://${req.host}/v3/projects`, previous: null, next: null },
    };
  });
};
