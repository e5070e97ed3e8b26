// Shared by integration tests: the test stack's configuration and ready-made adapters. Importing it
// waits for the stack lane (stackLane.ts).
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { loadConfig, type Config } from '../../platform/config.ts';
import { holdStackLane } from './stackLane.ts';

await holdStackLane();

/** The test stack's configuration; fails clearly when run outside `npm test`. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  if (process.env.RETAILFLOW_TEST_STACK !== '1') {
    throw new Error('integration tests need the test stack: run them with `npm test -- <file>`');
  }
  return loadConfig({ ...process.env, ...overrides });
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

export const uniqueId = (prefix: string): string => `${prefix}-${Date.now()}-${randomBytes(3).toString('hex')}`;
