// A started run's workflow id: its kind's prefix, when it was asked for (to the second, so ids sort by
// time and read well in the Temporal UI), and 48 random bits, so two starts in the same second never
// share one (with 16 bits, a burst of requests did: Temporal then refused the second start).
import { randomBytes } from 'node:crypto';

export const newRunId = (prefix: string, now = new Date()): string =>
  `${prefix}${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(6).toString('hex')}`;
