/**
 * The command queue through the whole bridge. Each case has a simulator and
 * bridge of its own, so the first two run side by side.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceNode } from '../../src/model/node.js';
import type { RecordedRequest } from 'tplink-cloud-sim';
import { startHarness, type Harness, type HarnessOptions } from './harness.js';

async function withHarness(options: HarnessOptions, body: (harness: Harness) => Promise<void>): Promise<void> {
  const harness = await startHarness(options);
  try {
    await body(harness);
  } finally {
    await harness.close();
  }
}

const PER_SECOND = 8;

const node = (harness: Harness, name: string): DeviceNode => harness.node(name);

const relayWrites = (harness: Harness): RecordedRequest[] =>
  harness.sim.requests.filter((request) => request.api === 'passthrough' && JSON.stringify(request.body).includes('set_relay_state'));

const anyWrites = (harness: Harness): RecordedRequest[] =>
  harness.sim.requests.filter((request) => request.api === 'passthrough' && !JSON.stringify(request.body).includes('"get_'));

describe.concurrent('command queue, end to end', () => {
  it('coalesces 200 alternating commands to one device into at most 3 cloud calls, last one wins', () => withHarness({ sim: { latencyMs: 20 } }, async (harness) => {
    const plug = node(harness, 'Hall Lamp');
    harness.sim.clearRequests();
    const topic = `tplink/${harness.nameOf(plug.id)}/set`;
    for (let i = 0; i < 200; i++) harness.client.publish(topic, i % 2 === 0 ? 'ON' : 'OFF', { qos: 1 });
    // The 200th command is OFF.
    await harness.waitFor(() => harness.bridge.queues.get('kasa')?.size === 0 && relayWrites(harness).length > 0, 5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const calls = relayWrites(harness);
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls.length).toBeLessThanOrEqual(3);
    const deviceId = plug.address.cloud === 'kasa' ? plug.address.deviceId : '';
    await harness.waitFor(() => harness.sim.deviceState(deviceId)?.relay_state === 0, 3000, 'final state OFF');
    await harness.waitFor(() => harness.lastJson<{ state?: string }>(`tplink/${harness.nameOf(plug.id)}`)?.state === 'OFF');
  }));

  it('switches several outlets of one Kasa strip to the same state in one passthrough', () => withHarness({}, async (harness) => {
    const outlets = ['TV', 'Console', 'Soundbar'].map((name) => node(harness, name));
    harness.sim.clearRequests();
    await Promise.all(outlets.map((outlet) => harness.publish(`tplink/${harness.nameOf(outlet.id)}/set`, 'ON')));
    await harness.waitFor(() => outlets.every((outlet) => harness.sim.deviceState(outlet.address.cloud === 'kasa' ? (outlet.address.childId ?? '') : '')?.state === 1), 5000, 'outlets on');
    const calls = relayWrites(harness);
    expect(calls).toHaveLength(1);
    const childIds = (calls[0]?.body as { params: { requestData: { context: { child_ids: string[] } } } }).params.requestData.context.child_ids;
    expect(childIds.sort()).toEqual(outlets.map((outlet) => (outlet.address.cloud === 'kasa' ? outlet.address.childId : '')).sort());
  }));

  // 8 a second. The limit also paces the start-up reads: a 10-device account (22 Kasa requests,
  // under 3 s) instead of the built-in one (36, 4.5 s); its five plugs and bulbs give the eleven
  // requests below, more than a second's worth. Alone, after the others: the check is on arrival
  // times at the simulator, which other bridges in this process would delay.
  it.sequential('respects the configured rate limit (requests per second to one cloud)', () => withHarness({ sim: { devices: 10, builtin: false }, config: { rateLimit: { kasaPerSecond: PER_SECOND, tapoPerSecond: PER_SECOND } } }, async (harness) => {
    const plugs = harness.bridge.store.ofCloud('kasa').filter((candidate) => candidate.features?.state?.writable && !candidate.parentId && candidate.kind !== 'strip');
    expect(plugs).toHaveLength(5);
    harness.sim.clearRequests();
    const started = Date.now();
    await Promise.all(plugs.map((plug) => harness.publish(`tplink/${harness.nameOf(plug.id)}/set`, 'TOGGLE')));
    await harness.bridge.poller.readStates();
    await harness.waitFor(() => anyWrites(harness).length >= plugs.length, 15_000, 'every command');
    const kasa = harness.sim.requests.filter((request) => request.cloud === 'kasa' && request.time >= started);
    expect(kasa.length).toBeGreaterThan(8);
    // Sliding 1 s windows: never more than the limit within any of them. Arrival times
    // jitter against the moments the queue started them (more so on a loaded CI machine): allow 100 ms.
    for (const request of kasa) {
      const inWindow = kasa.filter((other) => other.time >= request.time && other.time < request.time + 900);
      expect(inWindow.length, kasa.map((r) => r.time - started).join(',')).toBeLessThanOrEqual(PER_SECOND);
    }
    // Commands jump ahead of the queued poll: every write comes before the last state read.
    const lastWrite = Math.max(...anyWrites(harness).map((request) => harness.sim.requests.indexOf(request)));
    const lastRead = Math.max(...kasa.filter((request) => JSON.stringify(request.body).includes('get_sysinfo')).map((request) => harness.sim.requests.indexOf(request)));
    expect(lastWrite).toBeLessThan(lastRead);
  }), 30_000);
});
