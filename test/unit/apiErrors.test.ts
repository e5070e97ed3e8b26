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
});
