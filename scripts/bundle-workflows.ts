// `npm run bundle:workflows [-- out.js]`: the workflow bundle workers load with WORKFLOW_BUNDLE_PATH,
// built once (the Dockerfile runs it at image build time) instead of at every worker start.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runMain } from '../platform/main.ts';
import { bundleWorkflows } from '../workers/run.ts';

runMain('bundle-workflows', async () => {
  const out = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const { code } = await bundleWorkflows();
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, code);
  console.log(`[bundle] ${out}: ${(code.length / 1e6).toFixed(1)} MB`);
});
