// node's test runner over the files given, in the order given (`node --test` sorts them by path,
// which would start the stack's files before the pure ones that can run while the stack starts),
// three at a time, with the spec reporter and its summary. Exits 1 if any test failed.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const files = process.argv.slice(2);
run({ files, concurrency: 3 })
  .on('test:fail', () => {
    process.exitCode = 1;
  })
  .pipe(new spec())
  .pipe(process.stdout);
