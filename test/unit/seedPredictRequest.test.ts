// The seed's /predict request as parsed here: its clients' date formats, ids as strings or
// numbers, fields it ignores, and the customer it answers for when a request holds several.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSeedDate, seedCustomer, SeedPredictRequest } from '../../api/segmentSchemas.ts';

const ms = (iso: string) => Date.parse(`${iso}Z`);
const transaction = {
  customer_id: '12347',
  invoice_no: '536365',
  invoice_date: '2011-12-08',
  quantity: 6,
  unit_price: 2.55,
};

describe("the seed's /predict request", () => {
  it("reads the dates the seed's clients send as wall-clock times", () => {
    const cases: [string, string][] = [
      ['2011-12-08', '2011-12-08T00:00:00'],
      ['2011-12-08 08:26:00', '2011-12-08T08:26:00'],
      ['2011-12-08T08:26', '2011-12-08T08:26:00'],
      ['2011-12-08T08:26:05.250Z', '2011-12-08T08:26:05.250'],
      ['12/8/2011 8:26', '2011-12-08T08:26:00'],
      ['12/08/2011', '2011-12-08T00:00:00'],
      [' 2011-12-08 ', '2011-12-08T00:00:00'],
    ];
    for (const [sent, wall] of cases) assert.deepEqual(parseSeedDate(sent), { ok: true, ms: ms(wall) }, sent);
  });

  it('names what is wrong with a date, quoting it', () => {
    const cases: [string, RegExp][] = [
      ['2011-02-30', /^"2011-02-30" is not a real calendar date$/],
      ['13/1/2011 8:26', /not a real calendar date/],
      ['2011-12-08 24:00', /is not a time of day$/],
      ['08.12.2011', /^must be a date like 2011-12-08, 2011-12-08 08:26:00 or 12\/8\/2011 8:26, got "08.12.2011"$/],
      ['1989-12-31', /before 1990-01-01/],
      ['2011-12-08+01:00', /must be a date like/],
    ];
    for (const [sent, reason] of cases) {
      const parsed = parseSeedDate(sent);
      assert.equal(parsed.ok, false, sent);
      if (!parsed.ok) assert.match(parsed.reason, reason);
    }
  });

  it('turns ids sent as numbers into the same text as ids sent as strings, and ignores fields the seed ignores', () => {
    const parsed = SeedPredictRequest.parse({
      latest_date: '2011-12-11',
      transactions: [
        { ...transaction, customer_id: 12347, invoice_no: 536365, stock_code: '85123A' },
        { ...transaction, invoice_date: '12/9/2011 10:03' },
      ],
      client: 'checkout',
    });
    assert.deepEqual(parsed, {
      latestDate: ms('2011-12-11T00:00:00'),
      purchases: [
        {
          customerId: '12347',
          invoiceNo: '536365',
          invoiceDate: ms('2011-12-08T00:00:00'),
          quantity: 6,
          unitPrice: 2.55,
        },
        {
          customerId: '12347',
          invoiceNo: '536365',
          invoiceDate: ms('2011-12-09T10:03:00'),
          quantity: 6,
          unitPrice: 2.55,
        },
      ],
      idsAreNumbers: false,
    });
  });

  it("answers for the first customer in pandas' groupby order: numbers by value, text as text", () => {
    const request = (ids: (string | number)[]) =>
      SeedPredictRequest.parse({
        latest_date: '2011-12-11',
        transactions: ids.map((customer_id) => ({ ...transaction, customer_id })),
      });
    assert.equal(seedCustomer(request([12347, 9999, 12347])), '9999');
    assert.equal(seedCustomer(request(['12347', '9999'])), '12347');
    assert.equal(seedCustomer(request(['b', 'a'])), 'a');
  });

  it('names the field of the first problem, with the value', () => {
    const problem = (body: unknown) => {
      const result = SeedPredictRequest.safeParse(body);
      assert.equal(result.success, false);
      const issue = result.error.issues[0]!;
      return `${issue.path.join('.')}: ${issue.message}`;
    };
    assert.equal(problem({ transactions: [transaction] }), 'latest_date: is required');
    assert.equal(
      problem({ latest_date: 20111211, transactions: [transaction] }),
      'latest_date: must be a date like 2011-12-08, 2011-12-08 08:26:00 or 12/8/2011 8:26, got 20111211',
    );
    assert.equal(
      problem({ latest_date: '2011-12-11', transactions: [] }),
      'transactions: must list at least one transaction',
    );
    assert.equal(
      problem({ latest_date: '2011-12-11', transactions: [{ ...transaction, quantity: '6' }] }),
      'transactions.0.quantity: must be a number, got "6"',
    );
    assert.equal(
      problem({ latest_date: '2011-12-11', transactions: [{ ...transaction, unit_price: undefined }] }),
      'transactions.0.unit_price: is required',
    );
    assert.equal(problem(null), ': must be a JSON object {latest_date, transactions}, got null');
  });
});
