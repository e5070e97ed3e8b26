// `npm run migrate`: apply Postgres migrations and create the bucket, dataset and tables.
import { config } from '../platform/config.ts';
import { provision } from '../platform/provision.ts';

const report = await provision(config());
console.log(`[migrate] ${report.migrationsApplied.length ? `applied ${report.migrationsApplied.join(', ')}` : 'schema up to date'}; ` +
  `bucket ${report.bucket}; dataset ${report.dataset}`);
