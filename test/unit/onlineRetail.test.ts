import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { isCancellation, ONLINE_RETAIL_COLUMNS, parseRetailRecord } from '../../domain/onlineRetail.ts';

// Lines as the real files write them: UCI's CSV export and a Spark tutorial's daily file.
const UCI = `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom
536370,22728,"ALARM CLOCK BAKELIKE PINK, SET OF 2",24,12/1/2010 8:45,3.75,12583,France
C536379,D,Discount,-1,12/1/2010 9:41,27.5,14527,United Kingdom
536414,22139,,56,12/1/2010 11:52,0,,United Kingdom
A563185,B,Adjust bad debt,1,8/12/2011 14:50,-11062.06,,United Kingdom
581483,23843,"PAPER CRAFT , LITTLE BIRDIE",80995,12/9/2011 9:15,2.08,16446,United Kingdom
`;
const DAILY = `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536544,21773,DECORATIVE ROSE BATHROOM BOTTLE,1,2010-12-01 14:32:00,2.51,,United Kingdom
`;

const records = (csv: string) => parse<Record<string, string>>(csv, { columns: true });
const good = records(UCI)[0]!;
const reject = (patch: Record<string, string | undefined>) => {
  const r = parseRetailRecord({ ...good, ...patch });
  assert.equal(r.ok, false, JSON.stringify(patch));
  return r;
};

describe('Online Retail records', () => {
  it('has the real file columns in order', () => {
    assert.deepEqual(Object.keys(good), [...ONLINE_RETAIL_COLUMNS]);
  });

  it('reads the UCI export lines, quoted commas, cancellations, blanks and the dirt as data', () => {
    const rows = records(UCI).map((r) => {
      const p = parseRetailRecord(r);
      assert.ok(p.ok, JSON.stringify(p));
      return p.value;
    });
    assert.deepEqual(rows[0], {
      invoiceNo: '536365',
      stockCode: '85123A',
      description: 'WHITE HANGING HEART T-LIGHT HOLDER',
      quantity: 6,
      invoiceDate: '2010-12-01 08:26:00',
      unitPrice: 2.55,
      customerId: 17850,
      country: 'United Kingdom',
    });
    assert.equal(rows[1]!.description, 'ALARM CLOCK BAKELIKE PINK, SET OF 2');
    assert.equal(rows[2]!.quantity, -1);
    assert.ok(isCancellation(rows[2]!) && !isCancellation(rows[0]) && !isCancellation(rows[4]!));
    assert.equal(rows[3]!.description, null);
    assert.equal(rows[3]!.customerId, null);
    assert.equal(rows[3]!.unitPrice, 0);
    assert.equal(rows[4]!.unitPrice, -11062.06);
    assert.equal(rows[4]!.invoiceDate, '2011-08-12 14:50:00');
    assert.equal(rows[5]!.quantity, 80995);
    assert.equal(rows[5]!.description, 'PAPER CRAFT , LITTLE BIRDIE');
  });

  it('reads the daily files the same: ISO dates and pandas ids like 17850.0', () => {
    const [a, b] = records(DAILY).map((r) => parseRetailRecord(r));
    assert.ok(a?.ok && b?.ok);
    const uci = parseRetailRecord(good);
    assert.ok(uci.ok);
    assert.deepEqual(a.value, uci.value);
    assert.equal(b.value.customerId, null);
  });

  it('takes seconds, a T and the usual spellings of a missing customer', () => {
    for (const [InvoiceDate, want] of [
      ['12/31/2010 23:59:07', '2010-12-31 23:59:07'],
      ['2011-02-03T04:05:06', '2011-02-03 04:05:06'],
      ['2011-02-03 04:05', '2011-02-03 04:05:00'],
    ]) {
      const r = parseRetailRecord({ ...good, InvoiceDate });
      assert.ok(r.ok && r.value.invoiceDate === want, `${InvoiceDate}: ${JSON.stringify(r)}`);
    }
    for (const CustomerID of ['', ' ', 'nan', 'NaN', 'NULL', undefined]) {
      const r = parseRetailRecord({ ...good, CustomerID });
      assert.ok(r.ok && r.value.customerId === null, String(CustomerID));
    }
  });

  it('rejects what cannot be read, naming the column and quoting the value', () => {
    const cases: [Record<string, string | undefined>, string, string][] = [
      [{ Quantity: 'six' }, 'Quantity', 'Quantity: "six" is not a whole number'],
      [{ Quantity: '2.5' }, 'Quantity', 'Quantity: "2.5" is not a whole number'],
      [{ Quantity: '' }, 'Quantity', 'Quantity: a value is required, got ""'],
      [{ Quantity: '99999999999' }, 'Quantity', 'Quantity: "99999999999" is out of range'],
      [{ UnitPrice: '2,55' }, 'UnitPrice', 'UnitPrice: "2,55" is not a decimal number'],
      [{ UnitPrice: 'NaN' }, 'UnitPrice', 'UnitPrice: a value is required, got "NaN"'],
      [{ UnitPrice: '1e300' }, 'UnitPrice', 'UnitPrice: "1e300" is out of range'],
      [{ CustomerID: '17850.5' }, 'CustomerID', 'CustomerID: "17850.5" is not a whole number'],
      [{ CustomerID: 'abc' }, 'CustomerID', 'CustomerID: "abc" is not a whole number'],
      [{ InvoiceDate: '2010/12/01' }, 'InvoiceDate', 'InvoiceDate: "2010/12/01" is not a date and time'],
      [{ InvoiceDate: '2/30/2011 8:00' }, 'InvoiceDate', 'InvoiceDate: "2/30/2011 8:00": 2011-02-30 is not a real'],
      [{ InvoiceDate: '12/1/2010 24:10' }, 'InvoiceDate', 'InvoiceDate: "12/1/2010 24:10" is not a time of day'],
      [{ InvoiceDate: '1/1/1890 8:00' }, 'InvoiceDate', 'InvoiceDate: "1/1/1890 8:00": 1890-01-01 is before'],
      [{ InvoiceDate: undefined }, 'InvoiceDate', 'InvoiceDate: a value is required, got nothing'],
      [{ InvoiceNo: ' ' }, 'InvoiceNo', 'InvoiceNo: a value is required, got " "'],
      [{ StockCode: '' }, 'StockCode', 'StockCode: a value is required'],
      [{ Country: undefined }, 'Country', 'Country: a value is required, got nothing (no such field)'],
    ];
    for (const [patch, field, reason] of cases) {
      const r = reject(patch);
      assert.equal(r.field, field);
      assert.ok(r.reason.startsWith(reason), `${r.reason} should start with ${reason}`);
    }
  });
});
