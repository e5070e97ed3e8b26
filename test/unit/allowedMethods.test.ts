import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { allowedMethods, noRoute } from '../../api/allowedMethods.ts';

describe('a request no route answers', () => {
  const app = new Hono()
    .get('/v1/models/:store/:product/versions', (c) => c.text('versions'))
    .post('/v1/models/:store/:product/retrain', (c) => c.text('retrain'))
    .post('/v1/runs/:id{[0-9]+}/cancel', (c) => c.text('cancel'))
    .get('/web/*', (c) => c.text('page'));
  app.notFound(noRoute(app));

  it('lists the methods of the routes that match the whole path', () => {
    assert.deepEqual(allowedMethods(app.routes, '/v1/models/1/all/versions'), ['GET', 'HEAD']);
    assert.deepEqual(allowedMethods(app.routes, '/v1/models/1/all/retrain'), ['POST']);
    assert.deepEqual(allowedMethods(app.routes, '/v1/runs/12/cancel'), ['POST']);
    assert.deepEqual(allowedMethods(app.routes, '/v1/runs/x/cancel'), [], 'a parameter pattern is kept');
    assert.deepEqual(allowedMethods(app.routes, '/web/app.js'), ['GET', 'HEAD']);
    assert.deepEqual(allowedMethods(app.routes, '/v1/models/1/all'), []);
  });

  it('answers 405 with Allow for a known path asked with another method', async () => {
    const res = await app.request('/v1/models/1/all/versions', { method: 'DELETE' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    assert.deepEqual(await res.json(), {
      error: { code: 'method_not_allowed', message: '/v1/models/1/all/versions answers GET, HEAD, not DELETE' },
    });
  });

  it('answers 404 for a path no route has', async () => {
    const res = await app.request('/v1/nothing', { method: 'POST' });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: { code: 'not_found', message: 'no route for POST /v1/nothing' } });
  });
});
