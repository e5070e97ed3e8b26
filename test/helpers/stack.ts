// Shared by integration tests: the test stack's configuration and ready-made adapters.
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../platform/config.ts';

/** The test stack's configuration; fails clearly when run outside `npm test`. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  if (process.env.RETAILFLOW_TEST_STACK !== '1') {
    throw new Error('integration tests need the test stack: run them with `npm test -- <file>`');
  }
  return loadConfig({ ...process.env, ...overrides });
}

export const uniqueId = (prefix: string): string => `${prefix}-${Date.now()}-${randomBytes(3).toString('hex')}`;
