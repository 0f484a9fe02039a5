import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceNode } from '../../src/model/node.js';
import type { RecordedRequest } from 'tplink-cloud-sim';
import { startHarness, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.waitForMessage('tplink/bridge/info');
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.sim.clearRequests();
});

const node = (name: string): DeviceNode => h.node(name);

function cloudId(target: DeviceNode): string {
  return target.address.cloud === 'kasa' ? target.address.deviceId : target.address.thingName;
}

const requestData = (request: RecordedRequest | undefined): unknown =>
  (request?.body as { params?: { requestData?: unknown } } | undefined)?.params?.requestData;

/** A passthrough that calls anything but a `get_*` method (state, energy, settings reads only get). */
function isKasaWrite(request: RecordedRequest): boolean {
  const raw = requestData(request);
  const data = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown> | undefined;
  return Object.entries(data ?? {}).some(
    ([module, methods]) => module !== 'context' && typeof methods === 'object' && methods !== null && Object.keys(methods).some((method) => !method.startsWith('get_')),
  );
}

const writes = (): RecordedRequest[] =>
  h.sim.requests.filter((request) => request.api === 'shadows.patch' || (request.api === 'passthrough' && isKasaWrite(request)));

async function command(target: DeviceNode, payload: string, attribute?: string): Promise<RecordedRequest> {
  const before = writes().length;
  const topic = `tplink/${h.nameOf(target.id)}/set${attribute ? `/${attribute}` : ''}`;
  await h.publish(topic, payload);
  await h.waitFor(() => writes().length > before, 5000, `a cloud write for ${topic}`);
  return writes()[before] as RecordedRequest;
}

describe('set commands reach the cloud as the exact call', () => {
  it('switches a plug with plain ON/OFF/TOGGLE in any case, 1/0 and true/false', async () => {
    const plug = node('Hall Lamp');
    const cases: [string, number][] = [
      ['on', 1],
      ['OFF', 0],
      ['Toggle', 1],
      ['0', 0],
      ['true', 1],
      ['false', 0],
    ];
    for (const [payload, relay] of cases) {
      const request = await command(plug, payload);
      expect(request.deviceId).toBe(cloudId(plug));
      expect(requestData(request)).toEqual({ system: { set_relay_state: { state: relay } } });
      await h.waitFor(() => h.lastJson<{ state?: string }>(`tplink/${h.nameOf(plug.id)}`)?.state === (relay ? 'ON' : 'OFF'));
    }
    expect(h.sim.deviceState(cloudId(plug))).toMatchObject({ relay_state: 0 });
  });

  it('sets a dimmer brightness through set/brightness', async () => {
    const dimmer = node('Dining Room Dimmer');
    const request = await command(dimmer, '45', 'brightness');
    expect(JSON.stringify(requestData(request))).toContain('"smartlife.iot.dimmer":{"set_brightness":{"brightness":45}}');
    await h.waitFor(() => h.sim.deviceState(cloudId(dimmer))?.brightness === 45, 3000, 'dimmer at 45');
  });

  it('sends colour to a Kasa bulb with color_temp 0 and a transition', async () => {
    const bulb = node('Living Room Lamp');
    const request = await command(bulb, JSON.stringify({ state: 'ON', brightness: 30, color: { h: 120, s: 50 }, transition: 1 }));
    const light = (requestData(request) as Record<string, Record<string, Record<string, unknown>>>)['smartlife.iot.smartbulb.lightingservice']?.transition_light_state;
    expect(light).toMatchObject({ on_off: 1, brightness: 30, hue: 120, saturation: 50, color_temp: 0, transition_period: 1000 });
    await h.waitFor(() => h.lastJson<{ color_mode?: string }>(`tplink/${h.nameOf(bulb.id)}`)?.color_mode === 'hs');
  });

  it('sets colour temperature and rejects one outside the model range', async () => {
    const bulb = node('Living Room Lamp');
    const request = await command(bulb, JSON.stringify({ color_temp: 4000 }));
    expect(JSON.stringify(requestData(request))).toContain('"color_temp":4000');
    const events = h.messages.length;
    await h.publish(`tplink/${h.nameOf(bulb.id)}/set`, JSON.stringify({ color_temp: 20000 }));
    await h.waitForMessage('tplink/bridge/event', (payload) => payload.includes('command_rejected') && payload.includes('color_temp'));
    expect(h.messages.slice(events).some((message) => message.topic === 'tplink/bridge/event')).toBe(true);
    expect(writes()).toHaveLength(1);
  });

  it('addresses one strip outlet with context.child_ids', async () => {
    const outlet = node('Printer');
    const request = await command(outlet, 'ON');
    expect(requestData(request)).toEqual({
      context: { child_ids: [outlet.address.cloud === 'kasa' ? outlet.address.childId : ''] },
      system: { set_relay_state: { state: 1 } },
    });
    await h.waitFor(() => h.sim.deviceState(outlet.address.cloud === 'kasa' ? (outlet.address.childId ?? '') : '')?.state === 1);
  });

  it('switches the LED with set/led', async () => {
    const plug = node('Fridge');
    const request = await command(plug, 'OFF', 'led');
    expect(requestData(request)).toEqual({ system: { set_led_off: { off: 1 } } });
  });

  it('accepts the stable id in place of the topic name', async () => {
    const plug = node('Porch Light');
    const before = writes().length;
    await h.publish(`tplink/${plug.id}/set`, 'ON');
    await h.waitFor(() => writes().length > before);
    expect(writes()[before]?.deviceId).toBe(cloudId(plug));
  });

  it('patches a Tapo shadow with version + 1', async () => {
    const plug = node('Coffee Maker');
    const version = Number(h.sim.deviceState(cloudId(plug))?.version);
    const request = await command(plug, 'ON');
    expect(request.api).toBe('shadows.patch');
    expect(request.body).toMatchObject({ state: { desired: { on: true } } });
    expect(Number((request.body as { version: unknown }).version)).toBe(version + 1);
    await h.waitFor(() => (h.sim.deviceState(cloudId(plug))?.reported as { on?: boolean } | undefined)?.on === true);
  });

  it('sets a Tapo bulb brightness and a Tapo strip socket', async () => {
    const bulb = node('Reading Light');
    expect((await command(bulb, '{"brightness":25}')).body).toMatchObject({ state: { desired: { brightness: 25 } } });
    const socket = node('Radio');
    const request = await command(socket, 'ON');
    expect(request.deviceId).toBe(cloudId(socket));
  });
});

describe('invalid commands never reach the cloud', () => {
  const bad: [string, string, string][] = [
    ['Hall Lamp', 'set', 'MAYBE'],
    ['Hall Lamp', 'set', '{"brightness":50}'],
    ['Dining Room Dimmer', 'set/brightness', '500'],
    ['Hall Lamp', 'set', '{"state":"ON","colour":1}'],
    ['Hall Lamp', 'set', '\u0000\u00ff\u0001'],
    ['Hall Lamp', 'set', '{"state":'],
    ['No Such Device', 'set', 'ON'],
  ];

  it.each(bad)('%s %s %j -> command_rejected', async (name, suffix, payload) => {
    const target = h.bridge.store.all().find((candidate) => candidate.name === name);
    const topicName = target ? h.nameOf(target.id) : 'no_such_device';
    const events = h.messages.length;
    await h.publish(`tplink/${topicName}/${suffix}`, payload);
    await h.waitFor(
      () => h.messages.slice(events).some((message) => message.topic === 'tplink/bridge/event' && message.payload.includes('command_rejected')),
      3000,
      'command_rejected',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(writes()).toHaveLength(0);
  });
});

describe('failures', () => {
  it('reports command_failed with the reason and restores the real state', async () => {
    const plug = node('Hall Lamp');
    h.sim.setOnline(cloudId(plug), false);
    try {
      const real = h.bridge.store.get(plug.id)?.state.state;
      const target = real === 'ON' ? 'OFF' : 'ON';
      const events = h.messages.length;
      await h.publish(`tplink/${h.nameOf(plug.id)}/set`, target);
      const failed = await h.waitForMessage('tplink/bridge/event', (payload) => payload.includes('command_failed'));
      expect(h.messages.indexOf(failed)).toBeGreaterThanOrEqual(events);
      expect(JSON.parse(failed.payload)).toMatchObject({ type: 'command_failed', data: { id: plug.id, reason: expect.stringContaining('offline') } });
      await h.waitFor(() => h.lastJson<{ state?: string }>(`tplink/${h.nameOf(plug.id)}`)?.state === real, 3000, 'state restored');
    } finally {
      h.sim.setOnline(cloudId(plug), true);
    }
  });
});
