/** The per-cloud request limit (rateLimit.*PerSecond), on fake timers. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asCommand, RequestLimiter } from '../../src/clouds/common/rate-limit.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('RequestLimiter', () => {
  it('starts at most perSecond requests in any one-second window (sliding, no burst at a window edge)', async () => {
    vi.useFakeTimers();
    const limiter = new RequestLimiter(5);
    const t0 = Date.now();
    const starts: number[] = [];
    const sent = Array.from({ length: 12 }, () => limiter.run(() => Promise.resolve(void starts.push(Date.now() - t0))));
    await vi.advanceTimersByTimeAsync(3_000);
    await Promise.all(sent);
    expect(starts).toHaveLength(12);
    expect(starts.filter((at) => at < 1000)).toHaveLength(5);
    for (let i = 5; i < starts.length; i++) expect((starts[i] ?? 0) - (starts[i - 5] ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('below one per second: one request per 1/perSecond seconds', async () => {
    vi.useFakeTimers();
    const limiter = new RequestLimiter(0.5);
    const t0 = Date.now();
    const starts: number[] = [];
    const sent = Array.from({ length: 3 }, () => limiter.run(() => Promise.resolve(void starts.push(Date.now() - t0))));
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(sent);
    expect(starts).toEqual([0, 2000, 4000]);
  });

  it("sends a command's requests before the polls' requests waiting for a slot", async () => {
    vi.useFakeTimers();
    const limiter = new RequestLimiter(1);
    const order: string[] = [];
    const polls = ['poll1', 'poll2', 'poll3'].map((name) => limiter.run(() => Promise.resolve(void order.push(name))));
    // A command: its first request, then (as a retry or a second step would) another one.
    const command = asCommand(async () => {
      await limiter.run(() => Promise.resolve(void order.push('command1')));
      await limiter.run(() => Promise.resolve(void order.push('command2')));
    });
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all([...polls, command]);
    expect(order).toEqual(['poll1', 'command1', 'command2', 'poll2', 'poll3']);
  });

  it('0: unlimited, nothing waits', async () => {
    const limiter = new RequestLimiter(0);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => limiter.run(() => Promise.resolve(i))));
    expect(results).toHaveLength(50);
    expect(limiter.waiting).toBe(0);
  });
});
