/**
 * Bugs 1-4 and 8 of issue 13 ("Device features declared once"), each
 * reproduced through MQTT against the simulator. Only the harness, the
 * simulator's knobs and the poller's public loops are used, so the same
 * file runs against older code (where each of these failed).
 */
import mqtt from 'mqtt';
import { describe, expect, it, vi } from 'vitest';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import { silentLogger } from '../../src/logger.js';
import type { DeviceNode } from '../../src/model/node.js';
import { testHarness, WAIT_MS, type Harness, type Message } from './harness.js';

function byName(harness: Harness, name: string): DeviceNode {
  return harness.node(name);
}

function cloudId(node: DeviceNode): string {
  return node.address.cloud === 'kasa' ? (node.address.childId ?? node.address.deviceId) : node.address.thingName;
}

const statesOn = (harness: Harness, topic: string, from: number) =>
  harness.messages.slice(from).filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload) as Record<string, unknown>);

const rejections = (harness: Harness, from: number) =>
  harness.messages.slice(from).filter((m) => m.topic === 'tplink/bridge/event' && m.payload.includes('command_rejected'));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until a command's confirmation read of each node (commands.confirmDelayS after it
 * settled) has been applied, and what it published has reached the observer.
 */
function confirmationReads(harness: Harness): (nodeIds: string[]) => Promise<void> {
  const reads = vi.spyOn(harness.bridge.poller, 'readNodes');
  const confirmed = (nodeId: string) => reads.mock.calls.some(([ids], call) => ids.includes(nodeId) && reads.mock.settledResults[call]?.type === 'fulfilled');
  return async (nodeIds) => {
    await harness.waitFor(() => nodeIds.every(confirmed), WAIT_MS, 'the confirmation reads');
    await harness.synced();
  };
}

describe.concurrent('issue 13 regressions, through MQTT against the simulator', () => {
  it('bug 1: a device-list read does not make a bulb forget colour temperature and colour', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    const bulb = byName(harness, 'Living Room Lamp');
    const topic = `tplink/${harness.nameOf(bulb.id)}`;
    const from = harness.messages.length;
    await harness.bridge.poller.readLists();
    await harness.publish(`${topic}/set`, '{"color_temp":3000}');
    await harness.publish(`${topic}/set/color`, '{"h":120,"s":50}');
    await harness.waitFor(() => statesOn(harness, topic, from).some((s) => (s.color as { h?: number } | undefined)?.h === 120), WAIT_MS, 'colour applied');
    expect(rejections(harness, from)).toEqual([]);
  });

  it('bug 2: discovery never loses entities after a rename, an added or a removed device', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    const components = new Map<string, number>();
    const record = (from: number) => {
      for (const m of harness.messages.slice(from)) {
        if (!m.topic.startsWith('homeassistant/device/') || m.payload === '') continue;
        const count = Object.keys((JSON.parse(m.payload) as { cmps: object }).cmps).length;
        const known = components.get(m.topic);
        if (known !== undefined) expect(count, `${m.topic} lost entities`).toBeGreaterThanOrEqual(known);
        components.set(m.topic, Math.max(known ?? 0, count));
      }
    };
    record(0);
    const plug = byName(harness, 'Hall Lamp');
    if (plug.address.cloud !== 'kasa') throw new Error('no Kasa plug');
    let from = harness.messages.length;
    harness.sim.setDeviceState(plug.address.deviceId, { alias: 'Garden Pump' });
    await harness.bridge.poller.readLists();
    await sleep(200);
    record(from);
    from = harness.messages.length;
    const strip = byName(harness, 'Media Strip');
    harness.sim.removeDevice(cloudId(strip));
    await harness.bridge.poller.readLists();
    await sleep(200);
    record(from);
    expect(components.size).toBeGreaterThan(10);
  });

  it('bug 3: a state read sent before a command never brings the old state back (no flicker)', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    const plug = byName(harness, 'Washing Machine');
    const topic = `tplink/${harness.nameOf(plug.id)}`;
    expect(harness.lastJson<{ state: string }>(topic)?.state).toBe('ON');
    // Every answer takes 300 ms: the poll's read leaves first and answers after the command was sent.
    harness.sim.setFaults({ latencyMs: 300 });
    const confirmed = confirmationReads(harness);
    const from = harness.messages.length;
    const poll = harness.bridge.poller.readStates();
    await sleep(60);
    await harness.publish(`${topic}/set`, 'OFF');
    await poll;
    await harness.waitFor(() => harness.sim.deviceState(cloudId(plug))?.relay_state === 0, WAIT_MS, 'relay off');
    harness.sim.setFaults({ latencyMs: 0 });
    await confirmed([plug.id]);
    const seen = statesOn(harness, topic, from).map((s) => s.state);
    expect(seen[0]).toBe('OFF');
    expect(seen, `published states: ${seen.join(' -> ')}`).not.toContain('ON');
  });

  it('bug 4: no {} or partial state is ever published, from the very start', async ({ onTestFinished }) => {
    const broker = await startEmbeddedBroker({ port: 0, logger: silentLogger() });
    onTestFinished(() => broker.close());
    const observer = await mqtt.connectAsync(broker.url, { clientId: 'early-observer' });
    onTestFinished(() => observer.endAsync(true));
    const seen: Message[] = [];
    observer.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString('utf8'), retain: packet.retain, at: Date.now() }));
    await observer.subscribeAsync('tplink/#', { qos: 1 });
    const harness = await testHarness(onTestFinished, { config: { mqtt: { url: broker.url } } });
    await sleep(200);
    const names = new Set(harness.bridge.store.all().map((node) => harness.nameOf(node.id)));
    const states = seen.filter((m) => names.has(m.topic.slice('tplink/'.length)));
    expect(states.length).toBeGreaterThanOrEqual(names.size);
    for (const message of states) {
      const state = JSON.parse(message.payload) as Record<string, unknown>;
      expect(Object.keys(state).length, `${message.topic} published ${message.payload}`).toBeGreaterThan(0);
    }
    // The first state of a metered plug already has its meter's figures.
    const fridge = byName(harness, 'Fridge');
    const first = states.find((m) => m.topic === `tplink/${harness.nameOf(fridge.id)}`);
    expect(JSON.parse(first?.payload ?? '{}')).toMatchObject({ state: 'ON', power: expect.any(Number) });
  });

  it('bug 8: an energy read in flight when an outlet is switched does not carry its old state back', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    const outlets = harness.bridge.store.all().filter((node) => node.parentId === byName(harness, 'Office Strip').id);
    const off = outlets.filter((outlet) => harness.lastJson<{ state: string }>(`tplink/${harness.nameOf(outlet.id)}`)?.state === 'OFF');
    expect(off.length).toBeGreaterThan(0);
    harness.sim.setFaults({ latencyMs: 300 });
    const confirmed = confirmationReads(harness);
    const from = harness.messages.length;
    const energy = harness.bridge.poller.readEnergy();
    await sleep(60);
    for (const outlet of off) await harness.publish(`tplink/${harness.nameOf(outlet.id)}/set`, 'ON');
    await energy;
    harness.sim.setFaults({ latencyMs: 0 });
    await confirmed(off.map((outlet) => outlet.id));
    for (const outlet of off) {
      const seen = statesOn(harness, `tplink/${harness.nameOf(outlet.id)}`, from).map((s) => s.state);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen, `${outlet.name}: ${seen.join(' -> ')}`).not.toContain('OFF');
    }
  });
});
