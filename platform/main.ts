// Entry points run through here, so that a bad variable or a failed start-up reads as one clear
// message instead of a stack trace.
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    console.error(`[${name}] ${process.env.LOG_LEVEL === 'debug' ? e.stack : e.message}`);
    process.exit(1);
  });
}
