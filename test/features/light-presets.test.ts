/**
 * Tapo light presets through MQTT against the simulator, over the fixtures
 * that have them (L530E: 7 presets; L920-5: 4 of its `sum` 7): the same
 * `light_preset` select as Kasa lights; its state is the preset the light
 * shows, worked out at every state read; choosing one is a shadow light
 * write (no services-sync setter), and the next read shows the preset.
 * Only Date is faked.
 */
import { describe, expect, it, vi } from 'vitest';
import type { DeviceNode } from '../../src/model/node.js';
import { hasFixtures } from '../helpers/fixtures.js';
import { fixtureBridge } from './helpers.js';

const START = Date.UTC(2026, 5, 15, 12, 0, 0);
const names = (count: number) => Array.from({ length: count }, (_, i) => `Light preset ${i + 1}`);

describe.skipIf(!hasFixtures)('Tapo light presets', () => {
  const bridge = fixtureBridge(START);
  const { model, stateOf } = bridge;
  const topicOf = (node: DeviceNode) => `tplink/${bridge.h.nameOf(node.id)}`;

  it('a config select of the presets the light reported, as Kasa lights have it', () => {
    const bulb = model('L530');
    expect(bridge.components(bulb).light_preset).toEqual(
      expect.objectContaining({ p: 'select', name: 'Light preset', entity_category: 'config', options: names(7), unique_id: `${bulb.id}_light_preset` }),
    );
    expect(model('L920').features?.light_preset?.type).toEqual({ kind: 'enum', options: names(4) });
    expect(model('KL130').features?.light_preset?.entity).toEqual(bulb.features?.light_preset?.entity);
    // Plugs have none.
    expect(model('P110').features?.light_preset).toBeUndefined();
    bridge.assertValidDiscovery();
  });

  it('choosing one writes its light values through the shadow; the next read shows it, a change of light leaves it', async () => {
    const { h } = bridge;
    const bulb = model('L530');
    h.sim.clearRequests();
    await h.publish(`${topicOf(bulb)}/set/light_preset`, 'Light preset 2');
    await h.waitFor(() => h.sim.requests.some((r) => r.api === 'shadows.patch'), 5000, 'the shadow write');
    const patch = h.sim.requests.find((r) => r.api === 'shadows.patch');
    expect((patch?.body as { state: { desired: unknown } }).state.desired).toEqual({ on: true, brightness: 100, color_temp: 0, hue: 240, saturation: 100 });
    expect(h.sim.requests.filter((r) => r.api === 'services-sync' && JSON.stringify(r.body).includes('"set_'))).toEqual([]);
    // The confirming read shows the light the preset made (hue 240 is no optimistic value), and the preset with it.
    await h.waitFor(() => (stateOf(bulb).color as { h?: number } | undefined)?.h === 240, 5000, 'the confirming read');
    await h.bridge.poller.readNodes([bulb.id]);
    expect(stateOf(bulb)).toMatchObject({ state: 'ON', light_preset: 'Light preset 2', brightness: 100, color: { h: 240, s: 100 } });
    // Past the least interval between two commands to one device (the clock is Date's).
    vi.setSystemTime(START + 60_000);
    await h.publish(`${topicOf(bulb)}/set`, JSON.stringify({ brightness: 37 }));
    await h.waitFor(() => h.sim.requests.filter((r) => r.api === 'shadows.patch' && r.status === 200).length === 2, 5000, 'the brightness');
    await h.waitFor(() => stateOf(bulb).light_preset === null, 5000, 'the preset gone');
    await h.bridge.poller.readNodes([bulb.id]);
    expect(stateOf(bulb).light_preset).toBeNull();
  });

  it('a white preset: colour temperature, no colour', async () => {
    const { h } = bridge;
    const strip = model('L920');
    h.sim.clearRequests();
    await h.publish(`${topicOf(strip)}/set`, JSON.stringify({ light_preset: 'Light preset 1' }));
    await h.waitFor(() => h.sim.requests.some((r) => r.api === 'shadows.patch' && r.status === 200), 5000, 'the shadow write');
    const patch = h.sim.requests.find((r) => r.api === 'shadows.patch');
    expect((patch?.body as { state: { desired: unknown } }).state.desired).toEqual({ on: true, brightness: 50, color_temp: 9000 });
    // The confirming read (a shadow read after the write) comes after the command settled.
    const patchAt = h.sim.requests.findIndex((r) => r.api === 'shadows.patch');
    await h.waitFor(() => h.sim.requests.slice(patchAt).some((r) => r.api === 'shadows.get' && r.status === 200), 5000, 'the confirming read');
    await h.bridge.poller.readNodes([strip.id]);
    expect(stateOf(strip).light_preset).toBe('Light preset 1');
  });
});
