/**
 * The device model end to end, through MQTT against the simulator: strips
 * switched as a whole, power following the relay, the discovery mode
 * switch, and re-interviews on request.
 */
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import { silentLogger } from '../../src/logger.js';
import type { DeviceNode } from '../../src/model/node.js';
import { startSimulator } from 'tplink-cloud-sim';
import { startHarness, testHarness, WAIT_MS, type Harness } from './harness.js';
import { tempDir } from '../helpers/temp.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cloudId = (node: DeviceNode): string =>
  node.address.cloud === 'kasa' ? (node.address.childId ?? node.address.deviceId) : node.address.thingName;
const topicOf = (harness: Harness, node: DeviceNode) => `tplink/${harness.nameOf(node.id)}`;
const stateOf = (harness: Harness, node: DeviceNode) => harness.lastJson<Record<string, unknown>>(topicOf(harness, node));

describe.concurrent('power strips', () => {
  it('Kasa: ON/OFF to the strip switches every outlet in one request; its state is ON while any outlet is', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    const strip = harness.node('Office Strip');
    const outlets = harness.bridge.store.childrenOf(strip.id);
    harness.sim.clearRequests();
    await harness.publish(`${topicOf(harness, strip)}/set`, 'OFF');
    await harness.waitFor(() => outlets.every((o) => harness.sim.deviceState(cloudId(o))?.state === 0), WAIT_MS, 'every outlet off');
    const writes = harness.sim.requests.filter((r) => r.api === 'passthrough' && JSON.stringify(r.body).includes('set_relay_state'));
    expect(writes).toHaveLength(1);
    await harness.waitFor(() => stateOf(harness, strip)?.state === 'OFF' && outlets.every((o) => stateOf(harness, o)?.state === 'OFF'), WAIT_MS, 'OFF shown');
    // One outlet switched at the strip's button: the strip reads ON.
    harness.sim.setDeviceState(cloudId(outlets[2] as DeviceNode), { state: 1 });
    await harness.publish(`${topicOf(harness, strip)}/get`, '');
    await harness.waitFor(() => stateOf(harness, strip)?.state === 'ON', WAIT_MS, 'strip ON with one outlet on');
  });

  it('Tapo: ON/OFF to the strip is one shadow PATCH per socket, none on the strip itself', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    const strip = harness.node('Garage Strip');
    const sockets = harness.bridge.store.childrenOf(strip.id);
    expect(sockets).toHaveLength(3);
    harness.sim.clearRequests();
    await harness.publish(`${topicOf(harness, strip)}/set`, 'ON');
    await harness.waitFor(() => sockets.every((s) => stateOf(harness, s)?.state === 'ON'), WAIT_MS, 'sockets shown ON');
    await harness.waitFor(() => harness.sim.requests.filter((r) => r.api === 'shadows.patch').length === 3, WAIT_MS, 'three PATCHes');
    const patched = harness.sim.requests.filter((r) => r.api === 'shadows.patch').map((r) => r.deviceId);
    expect(patched.sort()).toEqual(sockets.map(cloudId).sort());
    await sleep(200);
    expect(stateOf(harness, strip)?.state).toBe('ON');
  });

  it('TOGGLE on a strip is refused with the reason; a strip has no switch entity of its own', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    for (const name of ['Office Strip', 'Garage Strip']) {
      const strip = harness.node(name);
      const from = harness.messages.length;
      await harness.publish(`${topicOf(harness, strip)}/set`, 'TOGGLE');
      const refused = () => harness.messages.slice(from).find((m) => m.topic === 'tplink/bridge/event' && m.payload.includes('command_rejected'));
      await harness.waitFor(() => refused() !== undefined, WAIT_MS, 'command_rejected');
      expect(JSON.parse(refused()?.payload ?? '{}')).toMatchObject({ data: { reason: expect.stringContaining('TOGGLE is not supported on a power strip') } });
      const config = harness.lastJson<{ cmps: Record<string, { p: string }> }>(`homeassistant/device/${strip.id}/config`);
      // Its LED and diagnostics only: no main switch or light.
      expect(Object.keys(config?.cmps ?? {})).not.toContain('switch');
      expect(Object.keys(config?.cmps ?? {})).not.toContain('light');
    }
  });
});

describe.concurrent('energy follows the relay', () => {
  it('power is 0 at once when a metered plug is switched off, and confirmed by the next read', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    for (const name of ['Fridge', 'Dishwasher']) {
      const plug = harness.node(name);
      const topic = topicOf(harness, plug);
      expect((stateOf(harness, plug)?.power as number) > 0).toBe(true);
      const from = harness.messages.length;
      await harness.publish(`${topic}/set`, 'OFF');
      await harness.waitFor(() => harness.messages.slice(from).some((m) => m.topic === topic), WAIT_MS, 'optimistic state');
      const first = JSON.parse(harness.messages.slice(from).find((m) => m.topic === topic)?.payload ?? '{}') as Record<string, unknown>;
      expect(first).toMatchObject({ state: 'OFF', power: 0 });
      await sleep(300); // the confirmation read (state and energy) agrees
      expect(stateOf(harness, plug)).toMatchObject({ state: 'OFF', power: 0 });
    }
  });

  it('an outlet switched on shows its power after the confirmation read, not a whole energy interval later', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished, { config: { commands: { confirmDelayS: 0.2 } } });
    const strip = harness.node('Office Strip');
    const outlet = harness.bridge.store.childrenOf(strip.id).find((o) => stateOf(harness, o)?.state === 'OFF');
    if (!outlet) throw new Error('no outlet off');
    expect(stateOf(harness, outlet)?.power).toBe(0);
    await harness.publish(`${topicOf(harness, outlet)}/set`, 'ON');
    // poll.energyIntervalS is an hour here: only the confirmation's energy read can bring it.
    await harness.waitFor(() => (stateOf(harness, outlet)?.power as number) > 0, WAIT_MS, 'power after ON');
  });
});

describe.concurrent('discovery mode switch', () => {
  it.for([
    ['device', 'entity'],
    ['entity', 'device'],
  ] as const)('%s -> %s clears the other mode\'s retained configs, for every node and the bridge', async ([first, second], { onTestFinished }) => {
    const broker = await startEmbeddedBroker({ port: 0, logger: silentLogger() });
    onTestFinished(() => broker.close());
    const sim = await startSimulator({ shadowApplyDelayMs: 0 });
    onTestFinished(() => sim.close());
    const stateDir = tempDir('tpcm-mode-');
    const run = async (mode: 'device' | 'entity') => {
      const harness = await startHarness({ simulator: sim, stateDir, config: { mqtt: { url: broker.url }, homeassistant: { discovery: mode } } });
      await harness.close();
    };
    await run(first);
    await run(second);
    // What a Home Assistant starting now would find retained.
    const ha = await mqtt.connectAsync(broker.url, { clientId: 'ha-after' });
    onTestFinished(() => ha.endAsync(true));
    const retained = new Map<string, string>();
    ha.on('message', (topic, payload) => {
      if (payload.length > 0) retained.set(topic, payload.toString('utf8'));
      else retained.delete(topic);
    });
    await ha.subscribeAsync('homeassistant/#', { qos: 1 });
    await sleep(300);
    const topics = [...retained.keys()];
    expect(topics.length).toBeGreaterThan(10);
    const deviceMode = topics.filter((t) => t.startsWith('homeassistant/device/'));
    if (second === 'entity') expect(deviceMode).toEqual([]);
    else expect(topics.filter((t) => !deviceMode.includes(t))).toEqual([]);
  });
});

describe.concurrent('interview on request', () => {
  it('bridge/request/device/interview reads a device again and answers its features', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    const plug = harness.node('Fridge');
    harness.sim.clearRequests();
    await harness.publish('tplink/bridge/request/device/interview', JSON.stringify({ id: harness.nameOf(plug.id), transaction: 7 }));
    const answer = await harness.waitForMessage('tplink/bridge/response/device/interview');
    expect(JSON.parse(answer.payload)).toMatchObject({ status: 'ok', transaction: 7, data: { id: plug.id, features: expect.arrayContaining(['state', 'power', 'led']) } });
    expect(harness.sim.requests.some((r) => r.api === 'passthrough' && r.deviceId === cloudId(plug))).toBe(true);
    await harness.publish('tplink/bridge/request/device/interview', JSON.stringify({ id: 'nope', transaction: 8 }));
    const refused = await harness.waitForMessage('tplink/bridge/response/device/interview', (p) => p.includes('"transaction":8'));
    expect(JSON.parse(refused.payload)).toMatchObject({ status: 'error', error: expect.stringContaining('unknown device') });
  });
});
