import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { unavailableDependency } from '../../api/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import { DependencyUnavailable, outageLog } from '../../platform/outage.ts';
import { isPostgresUnavailable } from '../../platform/postgres.ts';
import { isTemporalUnavailable } from '../../platform/temporal.ts';

const grpcError = (code: number) => Object.assign(new Error(`${code} grpc`), { code, metadata: {} });
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('telling a lost dependency from a bug', () => {
  it('knows Postgres going away, however it is wrapped', () => {
    assert.ok(isPostgresUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')));
    assert.ok(isPostgresUnavailable(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')])));
    assert.ok(isPostgresUnavailable(withCode('terminating connection due to administrator command', '57P01')));
    assert.ok(isPostgresUnavailable(withCode('the database system is starting up', '57P03')));
    assert.ok(isPostgresUnavailable(new Error('Connection terminated unexpectedly')));
    assert.ok(
      isPostgresUnavailable(new Error('outer', { cause: new Error('timeout exceeded when trying to connect') })),
    );
    assert.ok(!isPostgresUnavailable(withCode('relation "nope" does not exist', '42P01')));
    assert.ok(!isPostgresUnavailable(withCode('value out of range for type integer', '22003')));
    assert.ok(!isPostgresUnavailable(new TypeError('x is undefined')));
  });

  it('knows Temporal not answering: UNAVAILABLE and DEADLINE_EXCEEDED gRPC errors, also as a cause', () => {
    assert.ok(isTemporalUnavailable(grpcError(14)));
    assert.ok(isTemporalUnavailable(new Error('Failed to start Workflow', { cause: grpcError(4) })));
    assert.ok(!isTemporalUnavailable(grpcError(5)), 'NOT_FOUND is an answer');
    assert.ok(!isTemporalUnavailable(withCode('x', 'ECONNREFUSED')), 'a string code is no gRPC status');
  });

  it('names the dependency for the 503', () => {
    assert.equal(unavailableDependency(new DependencyUnavailable('temporal')), 'temporal');
    assert.equal(unavailableDependency(grpcError(14)), 'temporal');
    assert.equal(unavailableDependency(withCode('x', '08006')), 'postgres');
    assert.equal(unavailableDependency(new Error('a bug')), undefined);
  });
});

describe('outage log', () => {
  it('logs an outage once with its innermost cause, its end once, and a later outage again', (t) => {
    t.mock.timers.enable({ apis: ['Date'] });
    const warn = mock.fn();
    const info = mock.fn();
    const outage = outageLog({ warn, info } as unknown as Logger, 'postgres');
    outage.up();
    for (let i = 0; i < 50; i++)
      outage.down(new Error('query failed', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }));
    assert.equal(warn.mock.callCount(), 1);
    assert.deepEqual(warn.mock.calls[0]!.arguments[0], {
      dependency: 'postgres',
      error: 'connect ECONNREFUSED',
      code: 'ECONNREFUSED',
    });
    outage.up();
    outage.up();
    assert.equal(info.mock.callCount(), 1);
    outage.down(new Error('again'));
    assert.equal(warn.mock.callCount(), 2);
    // Callers that never learn of the recovery still log an outage a quiet minute later.
    t.mock.timers.tick(61_000);
    outage.down(new Error('much later'));
    assert.equal(warn.mock.callCount(), 3);
  });
});
