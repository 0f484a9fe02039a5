/**
 * `bridge/request/refresh` is anonymous on the default embedded broker:
 * a flood of it must cost one refresh, not one per request (1,000 requests
 * once cost 955 device-list reads in 95 s), and every request is answered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RefreshGate } from '../../src/runtime/refresh.js';
import { startHarness, type Harness } from '../bridge/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const listReads = (harness: Harness): number => harness.sim.requests.filter((request) => request.api === 'getDeviceList' || request.api === 'things').length;

describe('refresh requests', () => {
  it('a flood of 300 is answered 300 times at the cost of one refresh, merged ones say so', async () => {
    h = await startHarness();
    const harness = h;
    harness.sim.clearRequests();
    const responses = (): number => harness.messages.filter((message) => message.topic === 'tplink/bridge/response/refresh').length;
    await Promise.all(Array.from({ length: 300 }, (_, i) => harness.client.publishAsync('tplink/bridge/request/refresh', JSON.stringify({ transaction: i }), { qos: 0 })));
    await harness.waitFor(() => responses() === 300, 20_000, '300 refresh responses');
    const answers = harness.messages.filter((message) => message.topic === 'tplink/bridge/response/refresh').map((message) => JSON.parse(message.payload) as { status: string; data: { merged: boolean } });
    expect(answers.every((answer) => answer.status === 'ok')).toBe(true);
    expect(answers.filter((answer) => !answer.data.merged).length).toBeLessThanOrEqual(2);
    // One Kasa list read and one Tapo things walk (one page here), whatever the flood.
    expect(listReads(harness)).toBeLessThanOrEqual(2);
  }, 30_000);

  it('RefreshGate: joins a running refresh, answers from a recent one, re-reads lists once per listGapMs', async () => {
    let now = 0;
    const runs: boolean[] = [];
    let release: () => void = () => undefined;
    const gate = new RefreshGate({
      run: (lists) => {
        runs.push(lists);
        return new Promise<void>((resolve) => (release = resolve));
      },
      recentMs: 5_000,
      listGapMs: 600_000,
      now: () => now,
    });
    const first = gate.request();
    const second = gate.request();
    release();
    expect(await first).toEqual({ merged: false, lists: true });
    expect(await second).toEqual({ merged: true, lists: true });
    now = 4_000;
    expect(await gate.request()).toEqual({ merged: true, lists: true });
    now = 6_000;
    const third = gate.request();
    release();
    expect(await third).toEqual({ merged: false, lists: false });
    now = 600_000;
    const fourth = gate.request();
    release();
    expect(await fourth).toEqual({ merged: false, lists: true });
    expect(runs).toEqual([true, false, true]);
  });
});
