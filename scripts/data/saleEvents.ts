// Sales events in the API's shape (POST /v1/sales): a day of them for a few stores, for the tests and
// the ingest benchmark to stage.
export const SAMPLE_STORES = [1, 2, 3, 4, 5];

export function saleEvent(storeId: number, date: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    store_id: storeId,
    date,
    sales: 1000 + storeId,
    customers: 100 + storeId,
    open: 1,
    promo: 0,
    state_holiday: '0',
    school_holiday: 0,
    ...over,
  };
}

/** One event per store and product for a date. */
export function dayOfEvents(date: string, products = ['p1', 'p2'], stores = SAMPLE_STORES): Record<string, unknown>[] {
  return stores.flatMap((s) => products.map((product) => saleEvent(s, date, { product })));
}
