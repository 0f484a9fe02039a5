/**
 * rateLimit.*PerSecond bounds the HTTP requests each cloud receives, counted
 * at the simulated cloud: with every answer "busy" (each read and command
 * retried until cloud.retryDeadlineS), a refresh and commands on both clouds
 * at once, no second holds more than the limit. Before the limit counted
 * requests, one queue slot could hold a whole retry loop.
 *
 * Four devices (two per cloud): the limit also paces the bridge's start-up
 * reads, which for the built-in set of some thirty devices took longer
 * than the test itself. A retry deadline of 3 s keeps every cloud's retry
 * loops going long enough to meet the limit (without it they would send
 * about twice as many requests in that time).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from 'tplink-cloud-sim';
import { startHarness, type Harness } from '../bridge/harness.js';
import { relayNodes } from './helpers.js';

const PER_SECOND = 4;

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    sim: { devices: 4, builtin: false },
    config: {
      rateLimit: { kasaPerSecond: PER_SECOND, tapoPerSecond: PER_SECOND },
      cloud: { retryDeadlineS: 3, requestTimeoutS: 2 },
      commands: { ttlS: 30 },
    },
  });
  await h.waitForMessage('tplink/bridge/info');
});
afterAll(async () => {
  await h.close();
});

/**
 * The most requests of a cloud that arrived within any window of `windowMs`.
 * Slots are spaced by start time; arrival adds a little jitter, so the
 * window is a bit shorter than a second.
 */
function busiestWindow(requests: RecordedRequest[], cloud: 'kasa' | 'tapo', windowMs: number): number {
  const times = requests.filter((request) => request.cloud === cloud).map((request) => request.time).sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while ((times[last] ?? 0) - (times[first] ?? 0) >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

describe('rate limit', () => {
  it('counts every HTTP request to a cloud, retries included, commands included', async () => {
    h.sim.clearRequests();
    h.sim.setFaults({ errorRate: 1, errorKinds: ['busy'] });
    const started = Date.now();
    const reads = h.bridge.poller.readStates();
    for (const cloud of ['kasa', 'tapo'] as const) {
      for (const node of relayNodes(h, cloud).slice(0, 2)) await h.publish(`tplink/${h.nameOf(node.id)}/set`, 'ON');
    }
    await reads;
    for (const cloud of ['kasa', 'tapo'] as const) expect(relayNodes(h, cloud).length, `${cloud} devices commanded`).toBe(2);
    await h.waitFor(() => h.bridge.queues.get('kasa')?.size === 0 && h.bridge.queues.get('tapo')?.size === 0, 15_000, 'queues empty');
    h.sim.setFaults({ errorRate: 0 });
    const requests = h.sim.requests.filter((request) => request.time >= started);
    for (const cloud of ['kasa', 'tapo'] as const) {
      const count = requests.filter((request) => request.cloud === cloud).length;
      // Enough traffic to have hit the limit: retries of every read and command.
      expect(count, `${cloud} requests`).toBeGreaterThan(2 * PER_SECOND);
      expect(busiestWindow(requests, cloud, 900), `${cloud}: requests in one second`).toBeLessThanOrEqual(PER_SECOND);
    }
  }, 30_000);
});
