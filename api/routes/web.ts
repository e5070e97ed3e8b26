// The planners' page: `/` and its static assets from web/, and the prebuilt browser builds of
// Vega, Vega-Lite and vega-embed from node_modules (no bundler, no CDN: the page works offline).
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import { etag } from 'hono/etag';
import { projectFile } from '../projectFiles.ts';

/** The only files of node_modules the page may load, by the name it asks for. */
const VENDOR: Record<string, string> = {
  'vega.min.js': 'node_modules/vega/build/vega.min.js',
  'vega-lite.min.js': 'node_modules/vega-lite/build/vega-lite.min.js',
  'vega-embed.min.js': 'node_modules/vega-embed/build/vega-embed.min.js',
};

// Every file revalidates (no-cache + ETag): a reload after an upgrade never mixes old and new
// files, and an unchanged one costs a 304.
const revalidate: MiddlewareHandler = async (c, next) => {
  c.header('Cache-Control', 'no-cache');
  await next();
};

export function webRoutes(): Hono {
  const app = new Hono()
    .use('/', revalidate, etag())
    .use('/assets/*', revalidate, etag())
    .get('/', serveStatic({ path: projectFile('web/index.html') }));
  for (const [name, file] of Object.entries(VENDOR))
    app.get(`/assets/vendor/${name}`, serveStatic({ path: projectFile(file) }));
  return app.get(
    '/assets/*',
    serveStatic({ root: projectFile('web'), rewriteRequestPath: (p) => p.replace(/^\/assets/, '') }),
  );
}
