/** The bound on gets and bridge requests in progress: extra ones dropped, counted, reported at most once per interval. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IntakeLimit } from '../../src/runtime/intake-limit.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('IntakeLimit', () => {
  it('runs up to max at once, drops the rest, and reports them once per interval with their kinds', async () => {
    vi.useFakeTimers();
    const reports: [number, Record<string, number>][] = [];
    const limit = new IntakeLimit(2, (dropped, byKind) => reports.push([dropped, byKind]), 1_000);
    const gates: (() => void)[] = [];
    const slow = () => new Promise<void>((resolve) => gates.push(resolve));
    const first = limit.run('get', slow);
    const second = limit.run('bridge_request', slow);
    expect(limit.busy).toBe(2);
    expect(await limit.run('get', slow)).toBe(false);
    expect(await limit.run('bridge_request', slow)).toBe(false);
    expect(await limit.run('get', slow)).toBe(false);
    expect(reports).toEqual([]); // not one line per message
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reports).toEqual([[3, { get: 2, bridge_request: 1 }]]);
    for (const open of gates) open();
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(limit.busy).toBe(0);
    // Room again: runs; nothing more to report.
    expect(await limit.run('get', () => Promise.resolve())).toBe(true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(reports).toHaveLength(1);
  });

  it('a failing message frees its place; flush reports what is counted at once', async () => {
    const reports: number[] = [];
    const limit = new IntakeLimit(1, (dropped) => reports.push(dropped));
    await expect(limit.run('get', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limit.busy).toBe(0);
    let release: () => void = () => undefined;
    const held = limit.run('get', () => new Promise<void>((resolve) => (release = resolve)));
    expect(await limit.run('get', () => Promise.resolve())).toBe(false);
    limit.flush();
    expect(reports).toEqual([1]);
    release();
    await held;
  });
});
