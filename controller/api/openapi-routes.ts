// GET /openapi.json and /v2/openapi.json: the document of every route the app
// registered. No authentication, like Octavia's published API reference: the document
// describes the API's shape, nothing of any project, and clients fetch it before they
// hold a token.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { openApiDocument, type OpenApiDocument, type RouteRecord } from './openapi.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The OpenAPI document of every route; only once the app is ready. */
    openApiDocument(): OpenApiDocument;
  }
}

/**
 * Records every route registered on `app` or its plugins from now on (call it before
 * the first route) and decorates `app.openApiDocument()`.
 */
export function documentRoutes(app: FastifyInstance): void {
  const routes: RouteRecord[] = [];
  let ready = false;
  let doc: OpenApiDocument | undefined;
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, schema: route.schema as RouteRecord['schema'] });
    }
  });
  app.addHook('onReady', async () => {
    ready = true;
  });
  app.decorate('openApiDocument', () => {
    // Before ready a plugin may still be adding routes: a document then would miss them.
    if (!ready) throw new Error('the OpenAPI document is complete only once the app is ready');
    return (doc ??= openApiDocument(routes));
  });
}

export const openApiRoutes: FastifyPluginAsync = async (app) => {
  const serve = async (): Promise<OpenApiDocument> => app.openApiDocument();
  app.get('/openapi.json', serve);
  app.get('/v2/openapi.json', serve);
};
