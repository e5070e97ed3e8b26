// A stand-in for the worker or the API under the supervisor test: says it is up, in colour (as
// Temporal's core logs are), and runs until told to stop.
console.log(`\x1b[32m${process.argv[2] ?? 'chatty'} up\x1b[0m pid ${process.pid}`);
console.error(`\x1b[31m${process.argv[2] ?? 'chatty'} on stderr\x1b[0m`);
const keepAlive = setInterval(() => undefined, 60_000);
process.once('SIGTERM', () => clearInterval(keepAlive));
