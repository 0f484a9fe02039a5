import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloudQueue, ShutdownError } from '../../src/commands/queue.js';
import type { CommandOutcome, ResolvedDesired } from '../../src/commands/types.js';
import { silentLogger } from '../../src/logger.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve: () => void = () => undefined;
  let reject: (e: unknown) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Tests that wait on the queue's own timers (TTL, drain timeout, per-key interval) run on
// fake timers: deterministic on a loaded machine, and instant.
afterEach(() => {
  vi.useRealTimers();
});

function queue(options: Partial<ConstructorParameters<typeof CloudQueue>[0]> = {}): CloudQueue {
  return new CloudQueue({ ttlMs: 10_000, logger: silentLogger(), batchWindowMs: 0, ...options });
}

describe('CloudQueue', () => {
  it('runs commands before queued polls', async () => {
    const q = queue({ concurrency: 1 });
    const order: string[] = [];
    const gate = deferred();
    const first = q.poll(async () => {
      await gate.promise;
      order.push('poll0');
    });
    const polls = [1, 2, 3].map((i) => q.poll(() => Promise.resolve(void order.push(`poll${i}`))));
    const commands = ['a', 'b'].map((key) => q.command(key, { state: 'ON' }, () => Promise.resolve(void order.push(`cmd_${key}`))));
    gate.resolve();
    await Promise.all([first, ...polls, ...commands]);
    expect(order).toEqual(['poll0', 'cmd_a', 'cmd_b', 'poll1', 'poll2', 'poll3']);
  });

  it('poll returns the task result and rejects with its error', async () => {
    const q = queue();
    await expect(q.poll(() => Promise.resolve(42))).resolves.toBe(42);
    await expect(q.poll(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('coalesces 200 alternating commands sent while the first runs', async () => {
    const q = queue();
    const executed: ResolvedDesired[] = [];
    const gate = deferred();
    const execute = async (desired: ResolvedDesired): Promise<void> => {
      executed.push(desired);
      if (executed.length === 1) await gate.promise;
    };
    const outcomes: Promise<CommandOutcome>[] = [];
    outcomes.push(q.command('lamp', { state: 'ON' }, execute));
    await tick();
    expect(executed).toHaveLength(1);
    for (let i = 1; i < 200; i++) {
      outcomes.push(q.command('lamp', { state: i % 2 === 0 ? 'ON' : 'OFF' }, execute));
    }
    expect(q.size).toBe(1);
    gate.resolve();
    const results = await Promise.all(outcomes);
    expect(results.every((r) => r.status === 'done')).toBe(true);
    expect(executed.length).toBeLessThanOrEqual(3);
    expect(executed.at(-1)).toEqual({ state: 'OFF' }); // the 200th command (i = 199)
    // Every waiting caller got the same promise outcome.
    expect(new Set(outcomes.slice(1))).toHaveProperty('size', 1);
  });

  it('keeps per-key order: the next command waits for the running one', async () => {
    const q = queue({ concurrency: 4 });
    const log: string[] = [];
    const gate = deferred();
    const one = q.command('k', { state: 'ON' }, async () => {
      log.push('start1');
      await gate.promise;
      log.push('end1');
    });
    await tick();
    const two = q.command('k', { state: 'OFF' }, () => Promise.resolve(void log.push('run2')));
    const other = q.command('x', { state: 'OFF' }, () => Promise.resolve(void log.push('other')));
    await tick(10);
    expect(log).toEqual(['start1', 'other']); // other keys are not held up
    gate.resolve();
    await Promise.all([one, two, other]);
    expect(log).toEqual(['start1', 'other', 'end1', 'run2']);
  });

  it('turns execute errors into failed outcomes and continues', async () => {
    const q = queue();
    const error = new Error('cloud says no');
    await expect(q.command('k', { state: 'ON' }, async () => Promise.reject(error))).resolves.toEqual({ status: 'failed', error });
    await expect(q.command('k', { state: 'ON' }, () => Promise.resolve(undefined))).resolves.toEqual({ status: 'done' });
  });

  it('a command asking for nothing sends nothing', async () => {
    const q = queue();
    const gate = deferred();
    let calls = 0;
    const execute = async (): Promise<void> => {
      calls += 1;
      if (calls === 1) await gate.promise;
    };
    const first = q.command('k', { state: 'ON' }, execute);
    await tick();
    const a = q.command('k', {}, execute);
    const b = q.command('k', {}, execute);
    gate.resolve();
    expect(await a).toEqual({ status: 'done' });
    expect(await b).toEqual({ status: 'done' });
    await first;
    expect(calls).toBe(1);
  });

  it('expires a command that waited longer than the TTL (timer)', async () => {
    vi.useFakeTimers();
    const q = queue({ ttlMs: 50 });
    q.pause();
    let ran = false;
    const outcome = q.command('k', { state: 'ON' }, () => Promise.resolve(void (ran = true)));
    await vi.advanceTimersByTimeAsync(49);
    expect(q.size + q.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toEqual({ status: 'expired' });
    // Its job is still in the paused p-queue, but does nothing: it is not counted.
    expect(q.size).toBe(0);
    q.resume();
    await vi.advanceTimersByTimeAsync(10);
    expect(ran).toBe(false);
    expect(q.size).toBe(0);
  });

  it('expires at dispatch according to the injected clock', async () => {
    let now = 0;
    const q = queue({ ttlMs: 1_000, now: () => now });
    const gate = deferred();
    const first = q.command('k', { state: 'ON' }, () => gate.promise);
    await tick();
    let ran = false;
    const second = q.command('k', { state: 'OFF' }, () => Promise.resolve(void (ran = true)));
    now = 5_000; // the first took "5 s"
    gate.resolve();
    expect(await first).toEqual({ status: 'done' });
    expect(await second).toEqual({ status: 'expired' });
    expect(ran).toBe(false);
  });

  it('batches outlets of one strip switched within the batch window', async () => {
    const q = queue({ batchWindowMs: 20 });
    const batches: [string[], ResolvedDesired][] = [];
    const singles: string[] = [];
    const executeMany = (keys: string[], desired: ResolvedDesired): Promise<void> => Promise.resolve(void batches.push([keys, desired]));
    const cmd = (key: string, desired: ResolvedDesired) =>
      q.command(key, desired, () => Promise.resolve(void singles.push(key)), { group: 'strip1', executeMany });
    const results = await Promise.all([
      cmd('o1', { state: 'ON' }),
      cmd('o2', { state: 'ON' }),
      cmd('o3', { state: 'ON' }),
      cmd('o4', { state: 'OFF' }), // different state: its own request
      q.command('o5', { state: 'ON' }, () => Promise.resolve(void singles.push('o5')), { group: 'strip2', executeMany }),
    ]);
    expect(results.every((r) => r.status === 'done')).toBe(true);
    expect(batches).toEqual([[['o1', 'o2', 'o3'], { state: 'ON' }]]);
    expect(singles.sort()).toEqual(['o4', 'o5']);
  });

  it('does not batch non-plain commands and shares a batch failure', async () => {
    const q = queue({ batchWindowMs: 10 });
    const error = new Error('strip offline');
    const executeMany = async (): Promise<void> => Promise.reject(error);
    const singles: string[] = [];
    const [a, b, c] = await Promise.all([
      q.command('o1', { state: 'ON' }, () => Promise.resolve(void singles.push('o1')), { group: 's', executeMany }),
      q.command('o2', { state: 'ON' }, () => Promise.resolve(void singles.push('o2')), { group: 's', executeMany }),
      q.command('o3', { state: 'ON', led: 'OFF' }, () => Promise.resolve(void singles.push('o3')), { group: 's', executeMany }),
    ]);
    expect(a).toEqual({ status: 'failed', error });
    expect(b).toEqual({ status: 'failed', error });
    expect(c).toEqual({ status: 'done' });
    expect(singles).toEqual(['o3']);
  });

  it('drain: cancels queued polls, finishes commands, refuses new work', async () => {
    const q = queue({ concurrency: 1 });
    const gate = deferred();
    const running = q.poll(() => gate.promise.then(() => 'first'));
    let cancelledRan = false;
    const queuedPoll = q.poll(() => Promise.resolve(void (cancelledRan = true)));
    let ran = 0;
    const cmd = q.command('k', { state: 'ON' }, () => Promise.resolve(void (ran += 1)));
    const drained = q.drain(1_000);
    await expect(queuedPoll).rejects.toBeInstanceOf(ShutdownError);
    await expect(q.poll(() => Promise.resolve(1))).rejects.toBeInstanceOf(ShutdownError);
    const late = await q.command('z', { state: 'ON' }, () => Promise.resolve(undefined));
    expect(late.status).toBe('failed');
    gate.resolve();
    await drained;
    expect(await running).toBe('first');
    expect(await cmd).toEqual({ status: 'done' });
    expect(ran).toBe(1);
    expect(cancelledRan).toBe(false);
    expect(q.size + q.pending).toBe(0);
  });

  it('drain: settles stuck commands failed(shutdown) after the timeout', async () => {
    vi.useFakeTimers();
    const q = queue({ concurrency: 1 });
    const stuck = q.command('a', { state: 'ON' }, () => new Promise<void>(() => undefined));
    const waiting = q.command('b', { state: 'ON' }, () => Promise.resolve(undefined));
    let drained = false;
    const draining = q.drain(100).then(() => void (drained = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(drained).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await draining;
    const [s, w] = await Promise.all([stuck, waiting]);
    expect(s.status).toBe('failed');
    expect(w.status).toBe('failed');
    if (s.status === 'failed') expect(s.error).toBeInstanceOf(ShutdownError);
  });

  it('a paused queue still drains', async () => {
    const q = queue();
    q.pause();
    expect(q.isPaused).toBe(true);
    const outcome = q.command('k', { state: 'ON' }, () => Promise.resolve(undefined));
    await q.drain(500);
    expect(await outcome).toEqual({ status: 'done' });
  });

  it('leaves no timers behind once idle', async () => {
    vi.useFakeTimers();
    try {
      const q = queue({ ttlMs: 60_000, batchWindowMs: 25 });
      const executeMany = (): Promise<void> => Promise.resolve(undefined);
      const work = Promise.all([
        q.poll(() => Promise.resolve(1)),
        q.command('a', { state: 'ON' }, () => Promise.resolve(undefined)),
        q.command('o1', { state: 'ON' }, () => Promise.resolve(undefined), { group: 's', executeMany }),
        q.command('o2', { state: 'ON' }, () => Promise.resolve(undefined), { group: 's', executeMany }),
      ]);
      await vi.advanceTimersByTimeAsync(3_000);
      await work;
      expect(q.size).toBe(0);
      expect(q.pending).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('CloudQueue minimum interval per key', () => {
  it('turns a burst for one key into a request at its start, one per interval, and the final value', async () => {
    vi.useFakeTimers();
    const sent: ResolvedDesired[] = [];
    const queue = new CloudQueue({ ttlMs: 10_000, minIntervalMs: 150, logger: silentLogger() });
    const execute = (desired: ResolvedDesired): Promise<void> => {
      sent.push(desired);
      return Promise.resolve();
    };
    const outcomes: Promise<CommandOutcome>[] = [];
    const started = Date.now();
    for (let i = 0; i < 40; i++) {
      outcomes.push(queue.command('plug', { state: i % 2 === 0 ? 'ON' : 'OFF' }, execute));
      await vi.advanceTimersByTimeAsync(5);
    }
    await vi.advanceTimersByTimeAsync(150);
    const results = await Promise.all(outcomes);
    expect(results.every((outcome) => outcome.status === 'done')).toBe(true);
    // 200 ms of commands with a 150 ms interval: the first, one at 150 ms, the last at 300 ms.
    expect(sent).toHaveLength(3);
    expect(sent.at(-1)).toEqual({ state: 'OFF' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('does not hold a key whose last request is older than the interval, nor other keys', async () => {
    vi.useFakeTimers();
    const times: Record<string, number> = {};
    const queue = new CloudQueue({ ttlMs: 10_000, minIntervalMs: 100, logger: silentLogger() });
    await queue.command('a', { state: 'ON' }, () => Promise.resolve(undefined));
    const t0 = Date.now();
    await queue.command('b', { state: 'ON' }, () => {
      times.b = Date.now() - t0;
      return Promise.resolve();
    });
    await vi.advanceTimersByTimeAsync(120);
    const t1 = Date.now();
    await queue.command('a', { state: 'OFF' }, () => {
      times.a = Date.now() - t1;
      return Promise.resolve();
    });
    expect(times.b).toBe(0);
    expect(times.a).toBe(0);
  });
});
