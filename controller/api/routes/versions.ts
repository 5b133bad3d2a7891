// The version documents clients read during discovery: Octavia's at / (v2 is
// what we serve) and Neutron's v2.0 listed next to it, since one endpoint plays both.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';

function root(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}/`;
}

export const versionRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', async (req) => ({
    versions: [
      {
        id: 'v2.0',
        status: 'SUPPORTED',
        updated: '2016-12-11T00:00:00Z',
        links: [{ href: `${root(req)}v2`, rel: 'self' }],
      },
      {
        id: 'v2.26',
        status: 'CURRENT',
        updated: '2022-08-29T00:00:00Z',
        links: [{ href: `${root(req)}v2`, rel: 'self' }],
      },
    ],
  }));
  app.get('/healthcheck', async (_req, reply) => reply.type('text/plain').send('OK'));
};
