import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  customerFeatures,
  featureMatrix,
  SEED_FEATURES,
  type CustomerFeatures,
} from '../../ml/segmentation/features.ts';
import { fitKMeans } from '../../ml/segmentation/kmeans.ts';
import { matchSegments, segmentChanges } from '../../ml/segmentation/matching.ts';
import { predictSegment } from '../../ml/segmentation/predict.ts';
import { labelFor, segmentProfiles } from '../../ml/segmentation/profiles.ts';
import { fitScaler, inverseTransform, transform } from '../../ml/segmentation/scaler.ts';

const customer = (
  id: string,
  recency: number,
  frequency: number,
  monetary: number,
  tenure: number,
): CustomerFeatures => ({
  customerId: id,
  recency,
  frequency,
  monetary,
  tenure,
  interpurchaseTime: tenure / frequency,
});

describe('segmentProfiles', () => {
  // overall medians: recency 6, frequency 5, monetary 1500, tenure 200
  const customers = [
    customer('a', 1, 10, 4000, 300),
    customer('b', 2, 12, 5000, 320),
    customer('c', 6, 8, 9000, 280),
    customer('d', 200, 1, 50, 0),
    customer('e', 220, 1, 40, 0),
    customer('f', 5, 1, 80, 0),
    customer('g', 3, 1, 60, 0),
    customer('h', 150, 6, 2000, 250),
    customer('i', 170, 5, 1500, 200),
  ];
  const segments = [0, 0, 0, 1, 1, 2, 2, 3, 3];
  const profiles = segmentProfiles(customers, segments, 5);

  it('labels each segment by its medians against the overall medians', () => {
    assert.deepEqual(
      profiles.map((p) => p.label),
      ['loyal big spenders', 'one-off', 'new', 'at risk', 'empty'],
    );
  });

  it('gives size, shares, means and medians', () => {
    const [loyal] = profiles;
    assert.deepEqual(loyal, {
      segment: 0,
      label: 'loyal big spenders',
      size: 3,
      customerShare: 3 / 9,
      revenueShare: 18000 / 21730,
      mean: { recency: 3, frequency: 10, monetary: 6000, tenure: 300 },
      median: { recency: 2, frequency: 10, monetary: 5000, tenure: 300 },
    });
    assert.equal(profiles[4]!.size, 0);
    assert.ok(Math.abs(profiles.reduce((sum, p) => sum + p.revenueShare, 0) - 1) < 1e-12);
  });

  it('numbers a label that two segments share, the larger first', () => {
    const labels = segmentProfiles(customers, [1, 1, 0, 2, 2, 3, 3, 2, 2], 4).map((p) => p.label);
    assert.deepEqual(labels, ['loyal big spenders 2', 'loyal big spenders', 'lapsed', 'new']);
  });

  it('has words for the other rhythms', () => {
    const overall = { recency: 30, frequency: 4, monetary: 1000, tenure: 200 };
    assert.equal(labelFor({ recency: 90, frequency: 2, monetary: 300, tenure: 100 }, overall), 'lapsed');
    assert.equal(labelFor({ recency: 10, frequency: 4, monetary: 900, tenure: 250 }, overall), 'regulars');
    assert.equal(labelFor({ recency: 10, frequency: 2, monetary: 900, tenure: 250 }, overall), 'occasional');
  });

  it('names a segment out of range and a length mismatch', () => {
    assert.throws(
      () => segmentProfiles(customers, [...segments.slice(0, 8), 5], 5),
      /customer i has segment 5, not 0 to 4/,
    );
    assert.throws(() => segmentProfiles(customers, [0], 5), /9 customers but 1 segments/);
  });
});

describe('matchSegments / segmentChanges', () => {
  it('pairs closest first, one to one; an extra new segment matches nothing', () => {
    assert.deepEqual(
      matchSegments(
        [
          [0, 0],
          [10, 0],
          [0, 10],
        ],
        [
          [0.5, 10],
          [0.2, 0.1],
          [9, 1],
          [20, 20],
        ],
      ),
      [2, 0, 1, null],
    );
    // both new centroids are nearest old 0: the closer one gets it
    assert.deepEqual(matchSegments([[0], [10]], [[2], [1]]), [1, 0]);
  });

  it('counts changed, unchanged, added and removed customers', () => {
    const old = [
      { customerId: 'a', segment: 0 },
      { customerId: 'b', segment: 1 },
      { customerId: 'c', segment: 2 },
      { customerId: 'd', segment: 0 },
      { customerId: 'x', segment: 1 },
    ];
    const now = [
      { customerId: 'a', segment: 1 },
      { customerId: 'b', segment: 2 },
      { customerId: 'c', segment: 1 },
      { customerId: 'd', segment: 3 },
      { customerId: 'y', segment: 0 },
    ];
    const oldCentroids = [
      [0, 0],
      [10, 0],
      [0, 10],
    ];
    const newCentroids = [
      [0.5, 10],
      [0.2, 0.1],
      [9, 1],
      [20, 20],
    ];
    assert.deepEqual(segmentChanges(oldCentroids, newCentroids, old, now), {
      match: [2, 0, 1, null],
      changed: 2,
      unchanged: 2,
      added: 1,
      removed: 1,
    });
  });
});

describe('predictSegment', () => {
  const customers = Array.from({ length: 60 }, (_, i) =>
    customer(
      `${i}`,
      [5, 200, 40][i % 3]! + (i % 7),
      [12, 1, 4][i % 3]! + (i % 2),
      [5000, 60, 700][i % 3]! + i,
      [300, 0, 90][i % 3]!,
    ),
  );
  const x = featureMatrix(customers);
  const scaler = fitScaler(x);
  const fit = fitKMeans(transform(scaler, x), 3, { seed: 5 });
  const model = { features: SEED_FEATURES, scaler, centroids: fit.centroids };

  it('assigns every training customer to the segment the fit gave it', () => {
    assert.deepEqual(
      customers.map((c) => predictSegment(model, c)),
      fit.labels,
    );
  });

  it('assigns customers from their transactions with a model stored as JSON', () => {
    const snapshot = Date.UTC(2011, 11, 10);
    const daysAgo = (d: number) => snapshot - d * 86_400_000;
    // 12 invoices over 300 days, the last 5 days ago, 5,000 spent; and one invoice 200 days ago
    const loyal = Array.from({ length: 12 }, (_, i) => ({
      customerId: 'loyal',
      invoiceNo: `L${i}`,
      invoiceDate: daysAgo(305 - (i * 300) / 11),
      quantity: 10,
      unitPrice: 5000 / 120,
    }));
    const once = { customerId: 'once', invoiceNo: 'O1', invoiceDate: daysAgo(200), quantity: 3, unitPrice: 20 };
    const stored = JSON.parse(JSON.stringify(model)) as typeof model;
    const [loyalFeatures, onceFeatures] = customerFeatures([...loyal, once], snapshot);
    assert.equal(predictSegment(stored, loyalFeatures!), fit.labels[0]);
    assert.equal(predictSegment(stored, onceFeatures!), fit.labels[1]);
    assert.notEqual(fit.labels[0], fit.labels[1]);
  });

  it("agrees with the seed's saved StandardScaler and KMeans (models/kmeans/*.pkl)", () => {
    // mean_, scale_ and cluster_centers_ read from the seed's pickles with joblib and scikit-learn
    // 1.9.1; the expected segments are its km.predict(scaler.transform(x)) on the same rows.
    // The first row is the seed README's /predict example: the saved model says 1 (its README says 4).
    const seed = {
      features: SEED_FEATURES,
      scaler: {
        mean: [91.45849236641222, 4.015982824427481, 1025.6384026717558, 30.75262783906875],
        scale: [99.88512817507655, 7.022080924022579, 2199.7181879653463, 35.28389934564561],
      },
      centroids: [
        [-0.4433961477030822, -0.04705844845821204, -0.0343318553329901, 1.2258927223903815],
        [-0.4252042046151105, -0.19508133276248701, -0.19264238970347541, -0.5296429584626161],
        [1.6427819140365052, -0.36634240626894843, -0.333869459030291, -0.6834926823976675],
        [-0.9039566484960999, 16.06608521456326, 16.79398530810509, -0.7714989009906215],
        [-0.7791187255786879, 1.6716888175620883, 1.5236301783811959, -0.1711953235933255],
      ],
    };
    const rows = [
      [1, 3, 6 * 2.55 + 3 * 3.39 + 9 * 4.99, 2 / 3],
      [300, 1, 50, 0],
      [10, 60, 60000, 5],
      [5, 8, 3000, 40],
      [30, 2, 400, 90],
      [200, 4, 1000, 20],
      [0, 1, 15, 0],
    ];
    assert.deepEqual(
      rows.map(([recency, frequency, monetary, interpurchaseTime]) =>
        predictSegment(seed, {
          customerId: 'x',
          recency: recency!,
          frequency: frequency!,
          monetary: monetary!,
          tenure: 0,
          interpurchaseTime: interpurchaseTime!,
        }),
      ),
      [1, 2, 3, 4, 0, 2, 1],
    );
  });

  it('round-trips centroids to raw features and back', () => {
    const raw = inverseTransform(scaler, fit.centroids);
    transform(scaler, raw).forEach((row, i) =>
      row.forEach((v, j) => assert.ok(Math.abs(v - fit.centroids[i]![j]!) < 1e-9)),
    );
  });
});
