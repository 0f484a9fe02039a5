/**
 * Every fault the simulator can inject, on both clouds at once: no crash,
 * no unhandled rejection, bounded retries with backoff, devices shown
 * unavailable after repeated failed reads and available again on recovery.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAILURES_BEFORE_OFFLINE } from '../../src/runtime/node-store.js';
import type { FaultKind } from 'tplink-cloud-sim';
import { startHarness, type Harness } from '../bridge/harness.js';
import { availability, watchUnhandled } from './helpers.js';

const RETRY_DEADLINE_S = 0.3;
const REQUEST_TIMEOUT_S = 0.1;

let h: Harness;
let stopWatching: () => unknown[];

beforeAll(async () => {
  h = await startHarness({ config: { cloud: { retryDeadlineS: RETRY_DEADLINE_S, requestTimeoutS: REQUEST_TIMEOUT_S } } });
  await h.waitForMessage('tplink/bridge/info');
  // With 100 ms timeouts a loaded machine can miss start-up reads (the Tapo login alone is four
  // requests in a row): read lists and states until both clouds are there and every node is
  // online, as the poll loops would, so every case starts from the same healthy bridge.
  const listed = () => h.bridge.store.ofCloud('kasa').length > 0 && h.bridge.store.ofCloud('tapo').length > 0;
  const healthy = () => listed() && h.bridge.store.all().every((node) => node.online);
  for (let attempt = 0; attempt < 20 && !healthy(); attempt++) {
    if (!listed()) await h.bridge.poller.readLists();
    await h.bridge.poller.readStates();
  }
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  stopWatching = watchUnhandled();
});
afterEach(() => {
  h.sim.setFaults({ errorRate: 0, rateLimitPerSecond: 0 });
  expect(stopWatching()).toEqual([]);
});

/** State reads per device (Kasa passthrough, Tapo shadows batch) in the requests recorded so far. */
function readsPerTarget(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of h.sim.requests) {
    const key = request.api === 'passthrough' ? request.deviceId : request.api === 'shadows.get' ? 'tapo-batch' : undefined;
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

async function expectAllOnline(): Promise<void> {
  await h.waitFor(() => h.bridge.store.all().every((node) => node.online && availability(h, node) === 'online'), 3000, 'every node online');
}

// A garbled answer to a read (not JSON, wrong shape) is retried like a transient error too:
// reading again changes nothing, and 45 of 46 failures in a fault run were such answers.
const retried: FaultKind[] = ['http500', 'busy', 'timeout', 'reset', 'malformed', 'schema'];

describe.each(retried)('fault %s on every request', (kind) => {
  it('keeps running, backs off, marks devices unavailable after repeated failures, recovers', async () => {
    await expectAllOnline();
    h.sim.setFaults({ errorRate: 1, errorKinds: [kind] });
    for (let cycle = 1; cycle <= FAILURES_BEFORE_OFFLINE; cycle++) {
      h.sim.clearRequests();
      const started = Date.now();
      await h.bridge.poller.readStates();
      const elapsedMs = Date.now() - started;
      const counts = [...readsPerTarget().values()];
      expect(counts.length).toBeGreaterThan(5);
      // Retried, but inside the deadline and with pauses between attempts: never a tight loop.
      expect(Math.max(...counts)).toBeGreaterThanOrEqual(2);
      expect(Math.max(...counts)).toBeLessThanOrEqual(12);
      expect(elapsedMs).toBeLessThan((RETRY_DEADLINE_S + 2 * REQUEST_TIMEOUT_S) * 1000 + 1000);
      const online = h.bridge.store.all().filter((node) => node.online).length;
      if (cycle < FAILURES_BEFORE_OFFLINE) expect(online, `after ${cycle} failed cycle(s)`).toBe(h.bridge.store.size);
    }
    await h.waitFor(() => h.bridge.store.all().every((node) => availability(h, node) === 'offline'), 3000, 'every node offline');
    expect(h.bridge.mqtt.connected).toBe(true);

    h.sim.setFaults({ errorRate: 0 });
    await h.bridge.poller.readStates();
    await expectAllOnline();
  });
});

describe('mixed faults and rate limits', () => {
  it('a 50 % mix of every fault kind for five cycles: nothing breaks, everything recovers', async () => {
    h.sim.setFaults({ errorRate: 0.5, errorKinds: retried });
    for (let cycle = 0; cycle < 5; cycle++) {
      await h.bridge.poller.readStates();
      await h.bridge.poller.readEnergy();
    }
    await h.bridge.poller.readLists();
    h.sim.setFaults({ errorRate: 0 });
    await h.bridge.poller.readStates();
    await expectAllOnline();
  });

  it('rate-limit answers are backed off from, and nobody is shown offline for them', async () => {
    h.sim.clearRequests();
    h.sim.setFaults({ rateLimitPerSecond: 4 });
    await h.bridge.poller.readStates();
    const limited = h.sim.requests.filter((request) => request.errorCode === -20004);
    expect(limited.length).toBeGreaterThan(0);
    // Full jitter inside the deadline: the cloud never sees a burst of retries.
    expect(h.sim.requests.length).toBeLessThan(60);
    h.sim.setFaults({ rateLimitPerSecond: 0 });
    await h.bridge.poller.readStates();
    await expectAllOnline();
  });
});
