// A request no route answers: a known path asked with another method is a 405 with the methods it
// answers to (RFC 9110's Allow header), not a 404 saying the path is unknown.
import type { Context } from 'hono';
import { METHOD_NAME_ALL } from 'hono/router';
import { errorBody } from './errors.ts';

/** A route path (`/v1/models/:store/:product`, `/web/*`) as a regular expression over whole paths. */
function pathPattern(route: string): RegExp {
  const source = route
    .split('/')
    .map((part) => {
      if (part === '*') return '.*';
      const param = /^:[^{]+(?:\{(.+)\})?$/.exec(part);
      if (param) return param[1] ? `(?:${param[1]})` : '[^/]+';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}

export function allowedMethods(routes: readonly { method: string; path: string }[], path: string): string[] {
  const methods = new Set<string>();
  // Middleware (`use`) registers as ALL: it answers nothing by itself.
  for (const r of routes) if (r.method !== METHOD_NAME_ALL && pathPattern(r.path).test(path)) methods.add(r.method);
  // Hono answers HEAD wherever it answers GET.
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/** The app's not-found handler: 405 with Allow for a known path, else 404. */
export const noRoute =
  (app: { routes: readonly { method: string; path: string }[] }) =>
  (c: Context): Response => {
    const allowed = allowedMethods(app.routes, c.req.path);
    if (!allowed.length) return c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404);
    c.header('Allow', allowed.join(', '));
    return c.json(
      errorBody('method_not_allowed', `${c.req.path} answers ${allowed.join(', ')}, not ${c.req.method}`),
      405,
    );
  };
