// `npm run migrate`: apply Postgres migrations and create the bucket, dataset and tables.
import { config } from '../platform/config.ts';
import { runMain } from '../platform/main.ts';
import { provision } from '../platform/provision.ts';

runMain('migrate', async () => {
  const report = await provision(config());
  console.log(
    `[migrate] ${report.migrationsApplied.length ? `applied ${report.migrationsApplied.join(', ')}` : 'schema up to date'}; ` +
      `bucket ${report.bucket}; dataset ${report.dataset}`,
  );
});
