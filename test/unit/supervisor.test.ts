import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Supervisor, type Running, type Supervised } from '../../scripts/supervisor.ts';

// In-memory processes: each start gives a Running whose death and stop the test controls.
function fakeProcess(name: string, events: string[]) {
  const lives: { die: (reason: string) => void }[] = [];
  let pid = 0;
  let failures = 0;
  const proc: Supervised = {
    name,
    start: () => {
      if (failures > 0) {
        failures -= 1;
        return Promise.reject(new Error('port taken\nmore detail'));
      }
      let die!: (reason: string) => void;
      const exited = new Promise<string>((resolve) => {
        die = resolve;
      });
      lives.push({ die });
      const running: Running = {
        pid: ++pid,
        exited,
        stop: () => {
          events.push(`stop ${name}`);
          die('SIGTERM');
          return Promise.resolve(true);
        },
      };
      events.push(`start ${name} ${running.pid}`);
      return Promise.resolve(running);
    },
  };
  return {
    proc,
    kill: (reason = 'SIGKILL') => lives.at(-1)!.die(reason),
    starts: () => lives.length,
    failNextStarts: (n: number) => {
      failures = n;
    },
  };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

describe('Supervisor', () => {
  it('restarts a process that dies with a doubling backoff, capped, and leaves the others alone', async () => {
    const lines: string[] = [];
    const events: string[] = [];
    const sup = new Supervisor((l) => lines.push(l), { initialMs: 10, maxMs: 40, resetAfterMs: 60_000 });
    const a = fakeProcess('a', events);
    const b = fakeProcess('b', events);
    await sup.add(a.proc);
    await sup.add(b.proc);
    for (let i = 1; i <= 4; i++) {
      a.kill();
      await until(() => a.starts() === i + 1);
    }
    assert.deepEqual(
      lines.filter((l) => l.includes('restarting')),
      [
        'a exited (SIGKILL); restarting in 10 ms (restart 1)',
        'a exited (SIGKILL); restarting in 20 ms (restart 2)',
        'a exited (SIGKILL); restarting in 40 ms (restart 3)',
        'a exited (SIGKILL); restarting in 40 ms (restart 4)',
      ],
    );
    assert.equal(b.starts(), 1);
    await sup.stop();
  });

  it('waits the initial delay again once a process has stayed up resetAfterMs', async () => {
    const lines: string[] = [];
    const sup = new Supervisor((l) => lines.push(l), { initialMs: 10, maxMs: 1_000, resetAfterMs: 30 });
    const a = fakeProcess('a', []);
    await sup.add(a.proc);
    a.kill();
    await until(() => a.starts() === 2);
    await new Promise((r) => setTimeout(r, 40));
    a.kill('code 1');
    await until(() => a.starts() === 3);
    assert.deepEqual(
      lines.filter((l) => l.includes('restarting')),
      ['a exited (SIGKILL); restarting in 10 ms (restart 1)', 'a exited (code 1); restarting in 10 ms (restart 2)'],
    );
    await sup.stop();
  });

  it('keeps trying a restart that fails, naming why', async () => {
    const lines: string[] = [];
    const sup = new Supervisor((l) => lines.push(l), { initialMs: 10, maxMs: 1_000, resetAfterMs: 60_000 });
    const a = fakeProcess('a', []);
    await sup.add(a.proc);
    a.failNextStarts(2);
    a.kill();
    await until(() => a.starts() === 2);
    assert.deepEqual(lines, [
      'a exited (SIGKILL); restarting in 10 ms (restart 1)',
      'a failed to start (port taken); restarting in 20 ms (restart 2)',
      'a failed to start (port taken); restarting in 40 ms (restart 3)',
      'a restarted (pid 2)',
    ]);
    await sup.stop();
  });

  it('stops the processes last started first, and restarts nothing after stop', async () => {
    const lines: string[] = [];
    const events: string[] = [];
    const sup = new Supervisor((l) => lines.push(l), { initialMs: 20, maxMs: 1_000, resetAfterMs: 60_000 });
    const procs = ['postgres', 'worker', 'api'].map((n) => fakeProcess(n, events));
    for (const p of procs) await sup.add(p.proc);
    procs[1]!.kill();
    await until(() => lines.length === 1);
    await sup.stop();
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(events, ['start postgres 1', 'start worker 1', 'start api 1', 'stop api', 'stop postgres']);
    assert.deepEqual(lines, [
      'worker exited (SIGKILL); restarting in 20 ms (restart 1)',
      'api stopped',
      'postgres stopped',
    ]);
  });
});
