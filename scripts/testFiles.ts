// node's test runner over the files given, in the order given (`node --test` sorts them by path,
// which would start the stack's files before the pure ones that can run while the stack starts),
// as many at a time as `npm test` says (one per stack lane and one loading), with the spec reporter and its summary. Exits 1 if any test failed.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const files = process.argv.slice(2);
run({ files, concurrency: Number(process.env.RETAILFLOW_TEST_CONCURRENCY ?? 3) })
  .on('test:fail', () => {
    process.exitCode = 1;
  })
  .pipe(new spec())
  .pipe(process.stdout);
