// GA4-like e-commerce events (the shape of the GA4 obfuscated sample of the Google Merchandise
// Store: users, sessions, page views, add-to-cart, purchases with items and revenue, traffic source,
// device, country), November 2020 to January 2021, deterministic by seed. Each user has a hidden
// engagement that drives how often they come, how much they look, add to the cart and buy, and a
// price level: so what a user did before a cutoff says something, not everything, about what they
// spend after it. A stand-in for tests and benchmarks, not something to tune to.
import type { PowerUserEvent } from '../../ml/tabular/presets/powerUser.ts';
import { Random } from './generator.ts';

export interface Ga4Options {
  seed: number;
  users: number;
  /** First and last day of the events (YYYY-MM-DD). */
  from: string;
  to: string;
}

export const DEFAULT_GA4_OPTIONS: Ga4Options = { seed: 42, users: 15000, from: '2020-11-01', to: '2021-01-31' };
/** The cutoff that leaves November for the features and December-January for the label. */
export const GA4_CUTOFF = '2020-12-01';

const SOURCES = ['google', '(direct)', '<Other>', 'shop.googlemerchandisestore.com', '(data deleted)'] as const;
const SOURCE_WEIGHTS = [0.35, 0.25, 0.2, 0.12, 0.08];
// buyers from the store's own site and direct visits buy more often
const SOURCE_EFFECT: Record<(typeof SOURCES)[number], number> = {
  google: 0,
  '(direct)': 0.3,
  '<Other>': -0.2,
  'shop.googlemerchandisestore.com': 0.5,
  '(data deleted)': 0,
};
const DEVICES = ['desktop', 'mobile', 'tablet'] as const;
const DEVICE_WEIGHTS = [0.58, 0.4, 0.02];
const DEVICE_EFFECT: Record<(typeof DEVICES)[number], number> = { desktop: 0.2, mobile: -0.2, tablet: 0 };
const COUNTRIES = ['United States', 'India', 'Canada', 'United Kingdom', 'France', 'Germany', 'Japan', 'Spain'];
const COUNTRY_WEIGHTS = [0.44, 0.1, 0.08, 0.07, 0.05, 0.05, 0.04, 0.17];

const DAY_MS = 86_400_000;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const timeText = (ms: number) => new Date(ms).toISOString().slice(0, 19);

/** The events, users in order, each user's events in time order. */
export function generateGa4Events(o: Ga4Options): PowerUserEvent[] {
  if (!Number.isInteger(o.users) || o.users < 1) throw new Error(`users must be a whole number >= 1, got ${o.users}`);
  const start = Date.parse(`${o.from}T00:00:00Z`);
  const end = Date.parse(`${o.to}T00:00:00Z`) + DAY_MS;
  if (!(end > start)) throw new Error(`from ${o.from} must be a day before to ${o.to}`);
  const rng = new Random(o.seed);
  const events: PowerUserEvent[] = [];
  for (let u = 0; u < o.users; u++) {
    const userId = `ga4-${String(u).padStart(7, '0')}`;
    const engagement = rng.normal();
    const priceLevel = rng.normal(0, 0.25);
    const source = rng.pick(SOURCES, SOURCE_WEIGHTS);
    const device = rng.pick(DEVICES, DEVICE_WEIGHTS);
    const country = rng.pick(COUNTRIES, COUNTRY_WEIGHTS);
    const firstVisit = start + rng.next() * (end - start);
    const sessionsPerDay = Math.exp(-3.4 + 1.1 * engagement);
    const buy = -2.3 + 0.9 * engagement + SOURCE_EFFECT[source] + DEVICE_EFFECT[device];
    let at = firstVisit;
    for (let s = 0; at < end; s++) {
      const sessionId = `${userId}-${s}`;
      // the first session keeps the acquisition source; later ones mostly come back direct
      const sessionSource = s === 0 || rng.next() < 0.5 ? source : '(direct)';
      let t = at;
      let seq = 0;
      const emit = (eventName: PowerUserEvent['eventName'], items = 0, revenue = '0') => {
        events.push({
          eventId: `${sessionId}-${seq++}`,
          userId,
          sessionId,
          eventTime: timeText(t),
          eventName,
          items,
          revenue,
          trafficSource: sessionSource,
          device,
          country,
        });
        t += 1000 * (5 + Math.floor(rng.next() * 120));
      };
      emit('session_start');
      const views = 1 + Math.floor(rng.next() * (2 + 4 * sigmoid(engagement)));
      for (let v = 0; v < views; v++) emit('page_view');
      let cart = 0;
      if (rng.next() < sigmoid(buy + 1.2)) {
        const adds = 1 + Math.floor(rng.next() * 3);
        for (let a = 0; a < adds; a++) {
          const items = 1 + Math.floor(rng.next() * 2);
          cart += items;
          emit('add_to_cart', items);
        }
      }
      if (cart > 0 && rng.next() < sigmoid(buy + 1)) {
        const price = Math.exp(Math.log(18) + priceLevel + rng.normal(0, 0.3));
        emit('purchase', cart, (Math.round(cart * price * 100) / 100).toFixed(2));
      }
      // the next session: exponential gap at the user's rate, at least an hour later
      at += Math.max(3_600_000, (-Math.log(1 - rng.next()) / sessionsPerDay) * DAY_MS);
    }
  }
  return events;
}
