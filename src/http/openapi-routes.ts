/**
 * GET /openapi.json: the OpenAPI 3.1 document of this instance (src/http/openapi.ts). It is
 * generated once, when the plugin is registered, and served as the same bytes thereafter.
 */
import type { FastifyPluginAsync } from 'fastify';
import { buildOpenApiDocument, type OpenApiOptions } from './openapi.js';

export const openApiRoutes: FastifyPluginAsync<OpenApiOptions> = async (app, options) => {
  const body = JSON.stringify(buildOpenApiDocument(options));
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').header('cache-control', 'no-cache').send(body));
};
