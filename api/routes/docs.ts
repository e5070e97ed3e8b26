// The API's own description: the OpenAPI 3.1 document made from the routes' zod schemas at
// /openapi.json, and Swagger UI over it at /docs, served from node_modules (works offline).
import type { OpenAPIHono } from '@hono/zod-openapi';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type Env } from 'hono';
import { projectFile } from '../projectFiles.ts';

const SWAGGER_UI = 'node_modules/swagger-ui-dist';

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>retailflow API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;

// A file, not inline, so the page works under a strict Content-Security-Policy.
const INIT = `SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', deepLinking: true, persistAuthorization: false });`;

export function registerDocs<E extends Env>(app: OpenAPIHono<E>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'an API key: from API_KEYS, or made with `npm run keys -- create`',
  });
  const document: Parameters<OpenAPIHono['getOpenAPI31Document']>[0] = {
    openapi: '3.1.0',
    info: {
      title: 'retailflow API',
      version: '1',
      description:
        'Durable retail ML on Temporal: sales ingest, forecast training, on-demand forecasts and retrains. ' +
        'Every error is {error: {code, message, field?}}.',
    },
    tags: [
      { name: 'forecasts' },
      { name: 'models' },
      { name: 'sales' },
      { name: 'ingest' },
      { name: 'training' },
      { name: 'schedules' },
      { name: 'operations' },
    ],
  };
  app.get('/openapi.json', (c) => c.json(withBodyErrors(app.getOpenAPI31Document(document))));
}

const BODY_ERRORS = {
  413: 'the request body is larger than the limit (API_BODY_LIMIT_BYTES)',
  415: 'the request body is not JSON (Content-Type: application/json)',
};

/** Every operation that takes a body can answer 413 and 415: the body checks run before any route. */
function withBodyErrors<D extends { paths?: object }>(doc: D): D {
  for (const item of Object.values(doc.paths ?? {}) as Record<string, unknown>[])
    for (const op of Object.values(item) as { requestBody?: unknown; responses?: Record<string, unknown> }[]) {
      if (!op?.requestBody || !op.responses) continue;
      for (const [status, description] of Object.entries(BODY_ERRORS))
        op.responses[status] ??= {
          description,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
    }
  return doc;
}

export function docsRoutes() {
  return new Hono()
    .get('/docs', (c) => c.html(DOCS_PAGE))
    .get('/docs/init.js', (c) => c.body(INIT, 200, { 'content-type': 'text/javascript; charset=utf-8' }))
    .get(
      '/docs/assets/:file{swagger-ui(-bundle\\.js|\\.css)}',
      serveStatic({ root: projectFile(SWAGGER_UI), rewriteRequestPath: (p) => p.replace(/^\/docs\/assets/, '') }),
    );
}
