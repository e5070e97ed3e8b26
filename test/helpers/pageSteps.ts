// Browser tests' steps: on a failure, a screenshot in test-results/web/ and the error line the page shows.
import path from 'node:path';
import type { Page } from 'playwright-core';

export const SHOTS = path.resolve(import.meta.dirname, '../../test-results/web');

export async function steps(page: Page, name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    await page.screenshot({ path: path.join(SHOTS, `${name}-failed.png`), fullPage: true }).catch(() => undefined);
    const shown = await page
      .locator('#error:not([hidden]) #error-text')
      .textContent({ timeout: 1000 })
      .catch(() => null);
    if (shown && err instanceof Error) err.message += `\nthe page says: ${shown}`;
    throw err;
  }
}
