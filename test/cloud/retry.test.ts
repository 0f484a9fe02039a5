import { describe, expect, it } from 'vitest';
import { CloudError } from '../../src/clouds/common/errors.js';
import { withRetry } from '../../src/clouds/common/retry.js';

/** A fake clock: sleeping advances time instantly. */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    sleeps,
  };
}

const transient = () => new CloudError('kasa', 'transient', 'busy');

describe('withRetry', () => {
  it('backs off exponentially with full jitter, then succeeds', async () => {
    const clock = fakeClock();
    let attempts = 0;
    const result = await withRetry(
      () => {
        attempts++;
        if (attempts < 4) return Promise.reject(transient());
        return Promise.resolve('done');
      },
      { deadlineMs: 60_000, baseMs: 100, maxMs: 1000, sleep: clock.sleep, now: clock.now, random: () => 0.5 },
    );
    expect(result).toBe('done');
    expect(attempts).toBe(4);
    // caps 100, 200, 400; jitter 0.5 of each.
    expect(clock.sleeps).toEqual([50, 100, 200]);
  });

  it('caps the backoff at maxMs', async () => {
    const clock = fakeClock();
    let attempts = 0;
    await withRetry(
      () => {
        if (++attempts < 8) return Promise.reject(transient());
        return Promise.resolve();
      },
      { deadlineMs: 60_000, baseMs: 100, maxMs: 300, sleep: clock.sleep, now: clock.now, random: () => 0.999 },
    );
    expect(Math.max(...clock.sleeps)).toBeLessThan(300);
    expect(clock.sleeps.slice(-3).every((ms) => ms >= 299)).toBe(true);
  });

  it('throws the last transient error when the deadline would be passed', async () => {
    const clock = fakeClock();
    let attempts = 0;
    const run = withRetry(
      () => {
        attempts++;
        return Promise.reject(transient());
      },
      { deadlineMs: 1000, baseMs: 200, maxMs: 1000, sleep: clock.sleep, now: clock.now, random: () => 0.9 },
    );
    await expect(run).rejects.toMatchObject({ kind: 'transient' });
    expect(clock.now()).toBeLessThan(1000);
    expect(attempts).toBeGreaterThan(1);
  });

  it('keeps trying until the deadline: a backoff that would overshoot it is cut short', async () => {
    const clock = fakeClock();
    const starts: number[] = [];
    const run = withRetry(
      () => {
        starts.push(clock.now());
        return Promise.reject(transient());
      },
      { deadlineMs: 3000, baseMs: 250, maxMs: 5000, sleep: clock.sleep, now: clock.now, random: () => 0.999 },
    );
    await expect(run).rejects.toMatchObject({ kind: 'transient' });
    // Full jitter near 1 wants 249, 499, 999, 1998 ms...: the fourth sleep is cut short, so a
    // last try starts just before the deadline (by a tenth of the base backoff).
    expect(starts.at(-1)).toBe(2975);
    expect(Math.max(...starts)).toBeLessThan(3000);
  });

  it('gives up at once when told to wait past the deadline', async () => {
    const clock = fakeClock();
    let attempts = 0;
    const run = withRetry(
      () => {
        attempts++;
        return Promise.reject(new CloudError('kasa', 'rate_limited', 'slow down', { retryAfterS: 30 }));
      },
      { deadlineMs: 10_000, baseMs: 10, maxMs: 100, sleep: clock.sleep, now: clock.now, random: () => 0 },
    );
    await expect(run).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(attempts).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('does not retry non-retryable errors', async () => {
    let attempts = 0;
    const run = withRetry(
      () => {
        attempts++;
        return Promise.reject(new CloudError('tapo', 'auth_failed', 'wrong password'));
      },
      { deadlineMs: 10_000, baseMs: 1, maxMs: 1 },
    );
    await expect(run).rejects.toMatchObject({ kind: 'auth_failed' });
    expect(attempts).toBe(1);
  });

  it('honours retryAfterS of a rate-limit answer', async () => {
    const clock = fakeClock();
    let attempts = 0;
    await withRetry(
      () => {
        if (++attempts === 1) return Promise.reject(new CloudError('tapo', 'rate_limited', 'slow down', { retryAfterS: 2 }));
        return Promise.resolve();
      },
      { deadlineMs: 10_000, baseMs: 10, maxMs: 100, sleep: clock.sleep, now: clock.now, random: () => 0 },
    );
    expect(clock.sleeps).toEqual([2000]);
  });
});
