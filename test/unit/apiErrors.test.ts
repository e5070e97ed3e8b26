import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { errorHandler, notFound } from '../../api/errors.ts';
import { createLogger } from '../../platform/logger.ts';

describe('API errors', () => {
  it('notFound answers 404 not_found with the message and, when given, the field', async () => {
    const app = new Hono()
      .get('/store', () => {
        throw notFound('no store 9');
      })
      .get('/product', () => {
        throw notFound('store 1 has no sales for product "x"', 'product');
      })
      .onError(errorHandler(createLogger('test', 'silent')));
    const store = await app.request('/store');
    assert.equal(store.status, 404);
    assert.deepEqual(await store.json(), { error: { code: 'not_found', message: 'no store 9' } });
    const product = await app.request('/product');
    assert.equal(product.status, 404);
    assert.deepEqual(await product.json(), {
      error: { code: 'not_found', message: 'store 1 has no sales for product "x"', field: 'product' },
    });
  });

  it('a start refused for a search attribute the namespace lacks answers 503 naming the attribute and the fix', async () => {
    const app = new Hono()
      .post('/runs', () => {
        throw new Error(
          'Failed to start Workflow: 3 INVALID_ARGUMENT: Namespace x has no mapping defined for search attribute RetailflowPipeline',
        );
      })
      .onError(errorHandler(createLogger('test', 'silent')));
    const res = await app.request('/runs', { method: 'POST' });
    assert.equal(res.status, 503);
    const body = (await res.json()) as { error: { code: string; message: string; dependency: string } };
    assert.equal(body.error.code, 'service_unavailable');
    assert.equal(body.error.dependency, 'temporal');
    assert.match(body.error.message, /no search attribute RetailflowPipeline: start a worker/);
  });
});
