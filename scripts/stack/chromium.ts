// Debian's chromium for the browser tests (playwright-core drives it; Playwright's own browser
// downloads are not used: they fetch builds from outside the package registries). Installed like
// postgresql in tools.ts: apt-get when root, otherwise the exact command to run.
import { existsSync } from 'node:fs';
import { isRoot, run } from './exec.ts';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const log = (msg: string) => console.log(`[stack] ${msg}`);

/** The chromium binary: `CHROMIUM_PATH` when set, else Debian's. */
export function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return CANDIDATES.find((p) => existsSync(p));
}

export async function ensureChromium(): Promise<string> {
  const found = findChromium();
  if (found) return found;
  const command =
    'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium';
  if (!isRoot()) {
    throw new Error(
      `Chromium not found (the browser tests need it). Install it with:\n  sudo sh -c '${command}'\nor set CHROMIUM_PATH to a Chromium binary.`,
    );
  }
  log('installing Chromium from Debian packages (for the browser tests)');
  await run('sh', ['-c', command], { quiet: true });
  const installed = findChromium();
  if (!installed) throw new Error(`apt-get installed chromium, but none of ${CANDIDATES.join(', ')} exists`);
  return installed;
}
