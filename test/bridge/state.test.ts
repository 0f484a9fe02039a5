import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

describe('state topics', () => {
  let h: Harness;
  beforeAll(async () => {
    // A frozen simulated clock: energy counters stand still, so "nothing changed" is exact.
    h = await startHarness({ sim: { clock: () => 1_750_000_000_000 } });
    await h.waitForMessage('tplink/bridge/info');
  });
  afterAll(async () => {
    await h.close();
  });

  const nodeNamed = (name: string) => h.node(name);

  it('publishes one complete, retained JSON state per node, outlets included', async () => {
    const fridge = nodeNamed('Fridge');
    const state = h.lastJson<Record<string, unknown>>(`tplink/${h.nameOf(fridge.id)}`);
    expect(state).toMatchObject({ state: 'ON', led: expect.any(String) });
    expect(state?.power).toBeCloseTo(87.5, 0);
    expect(state?.voltage).toBeGreaterThan(200);
    const monitor = nodeNamed('Monitor');
    expect(monitor.parentId).toBe(nodeNamed('Office Strip').id);
    await h.waitFor(() => h.lastJson<{ power?: number }>(`tplink/${h.nameOf(monitor.id)}`)?.power !== undefined, 5000, 'outlet energy');
    const lamp = nodeNamed('Living Room Lamp');
    expect(h.lastJson(`tplink/${h.nameOf(lamp.id)}`)).toMatchObject({ state: 'ON', brightness: expect.any(Number), color_mode: expect.any(String) });
    const stateMessages = h.messages.filter((message) => message.topic === `tplink/${h.nameOf(fridge.id)}`);
    expect(stateMessages.every((message) => message.retain)).toBe(true);
    expect(h.lastJson(`tplink/${h.nameOf(fridge.id)}/availability`)).toEqual({ state: 'online' });
  });

  it('publishes nothing for a poll cycle in which nothing changed', async () => {
    await h.bridge.poller.readStates();
    await h.bridge.poller.readEnergy();
    const { state, availability, discovery } = h.bridge.publisher.counts;
    h.sim.clearRequests();
    await h.bridge.poller.readStates();
    await h.bridge.poller.readEnergy();
    expect(h.sim.requests.length).toBeGreaterThan(0);
    expect(h.bridge.publisher.counts).toMatchObject({ state, availability, discovery });
  });

  it('republishes a changed device after the next poll', async () => {
    const hall = nodeNamed('Hall Lamp');
    const address = hall.address.cloud === 'kasa' ? hall.address.deviceId : '';
    h.sim.setDeviceState(address, { relay_state: 1 });
    await h.bridge.poller.readStates();
    await h.waitFor(() => h.lastJson<{ state?: string }>(`tplink/${h.nameOf(hall.id)}`)?.state === 'ON', 3000, 'state ON');
  });

  it('answers <name>/get with a fresh read, published even when unchanged', async () => {
    const hall = nodeNamed('Hall Lamp');
    const topic = `tplink/${h.nameOf(hall.id)}`;
    const count = () => h.messages.filter((message) => message.topic === topic).length;
    const before = count();
    h.sim.clearRequests();
    await h.publish(`${topic}/get`, '');
    await h.waitFor(() => count() > before, 3000, 'republished state');
    // Its state, and its settings (which are read at a slow pace otherwise): one passthrough each.
    expect(h.sim.requests.filter((request) => request.api === 'passthrough')).toHaveLength(2);
  });

  it('publishes bridge/info and bridge/devices without secrets', () => {
    const info = h.lastJson<Record<string, unknown>>('tplink/bridge/info');
    expect(info).toMatchObject({ version: expect.any(String), device_count: h.bridge.store.size });
    expect(info?.clouds).toMatchObject({ kasa: { status: 'ok' }, tapo: { status: 'ok' } });
    const devices = h.lastJson<Array<Record<string, unknown>>>('tplink/bridge/devices');
    expect(devices).toHaveLength(h.bridge.store.size);
    expect(devices?.[0]).toMatchObject({ id: expect.any(String), name: expect.any(String), model: expect.any(String), cloud: expect.any(String), features: expect.any(Array) });
    const everything = h.messages.map((message) => message.payload).join('\n');
    expect(everything).not.toContain(h.sim.password);
  });
});
