/**
 * Light effects of Kasa light strips through MQTT against the simulator,
 * over the fixtures that have them (KL430, KL420L5: sysinfo
 * `lighting_effect_state`): the JSON light lists "off" and the strip's
 * current effect; starting it sends the whole definition the strip reported
 * (`get_lighting_effect`, read in the settings passthrough) back with
 * `set_lighting_effect`, "off" stops it; the next read shows each. Only
 * Date is faked.
 */
import { describe, expect, it, vi } from 'vitest';
import type { RecordedRequest } from 'tplink-cloud-sim';
import type { DeviceNode } from '../../src/model/node.js';
import { hasFixtures } from '../helpers/fixtures.js';
import { fixtureBridge } from './helpers.js';

const START = Date.UTC(2026, 5, 15, 12, 0, 0);
const body = (request: RecordedRequest) => JSON.stringify(request.body).replace(/\\/g, '');

describe.skipIf(!hasFixtures)('Kasa light effects', () => {
  const bridge = fixtureBridge(START);
  const { model, stateOf } = bridge;
  const topicOf = (node: DeviceNode) => `tplink/${bridge.h.nameOf(node.id)}`;

  it('the light lists "off" and the strip\'s current effect; none runs', () => {
    for (const [name, effect] of [['KL430', 'Flicker'], ['KL420L5', 'station']] as const) {
      const strip = model(name);
      expect(bridge.components(strip).light, name).toEqual(expect.objectContaining({ p: 'light', effect: true, effect_list: ['off', effect] }));
      expect(stateOf(strip).effect, name).toBe('off');
    }
    // Bulbs and plugs have none.
    for (const node of bridge.h.bridge.store.all().filter((n) => n.cloud === 'kasa' && n.kind !== 'lightstrip')) expect(node.features?.effect, node.model).toBeUndefined();
    bridge.assertValidDiscovery();
  });

  it('the definition rides in the settings passthrough: no request of its own', async () => {
    const { h } = bridge;
    const strip = model('KL430');
    h.sim.clearRequests();
    await h.bridge.poller.readNodes([strip.id], { settings: true });
    const asked = h.sim.requests.filter((r) => r.api === 'passthrough' && body(r).includes('get_lighting_effect'));
    expect(asked).toHaveLength(1);
    expect(body(asked[0] as RecordedRequest)).toContain('cloud');
  });

  it('starts the current effect with its whole definition, and stops it; the next read shows each', async () => {
    const { h } = bridge;
    const strip = model('KL430');
    h.sim.clearRequests();
    const sets = () => h.sim.requests.filter((r) => body(r).includes('set_lighting_effect') && r.status === 200);
    await h.publish(`${topicOf(strip)}/set`, JSON.stringify({ effect: 'Flicker' }));
    await h.waitFor(() => sets().length === 1, 5000, 'the effect sent');
    const sent = sets()[0];
    expect(body(sent as RecordedRequest)).toMatch(/"set_lighting_effect":\{[^}]*"name":"Flicker"/);
    expect(body(sent as RecordedRequest)).toMatch(/"type":"(sequence|random)"/);
    expect(body(sent as RecordedRequest)).toContain('"enable":1');
    // Read back from the strip once the command has settled (a read while it is in flight loses
    // to it), not only shown optimistically; synced: what the read published has arrived.
    await h.waitFor(() => stateOf(strip).effect === 'Flicker', 5000, 'the effect settled');
    await h.bridge.poller.readNodes([strip.id]);
    await h.synced();
    expect(stateOf(strip).effect).toBe('Flicker');
    // Past the least interval between two commands to one device (the clock is Date's).
    vi.setSystemTime(START + 60_000);
    await h.publish(`${topicOf(strip)}/set`, JSON.stringify({ effect: 'off' }));
    await h.waitFor(() => sets().length === 2, 5000, 'the stop sent');
    expect(body(sets()[1] as RecordedRequest)).toMatch(/"set_lighting_effect":\{[^}]*"enable":0/);
    await h.waitFor(() => stateOf(strip).effect === 'off', 5000, 'the stop settled');
    await h.bridge.poller.readNodes([strip.id]);
    await h.synced();
    expect(stateOf(strip).effect).toBe('off');
    expect(h.sim.deviceState(strip.address.cloud === 'kasa' ? strip.address.deviceId : '')?.lighting_effect_state).toMatchObject({ name: 'Flicker', enable: 0 });
  });

  it('an effect the strip does not list is refused before the cloud', async () => {
    const { h } = bridge;
    const strip = model('KL420L5');
    h.sim.clearRequests();
    const from = h.messages.length;
    await h.publish(`${topicOf(strip)}/set`, JSON.stringify({ effect: 'Aurora' }));
    await h.waitFor(() => h.messages.slice(from).some((m) => m.topic === 'tplink/bridge/event'), 5000, 'the rejection');
    expect(h.sim.requests.filter((r) => body(r).includes('set_lighting_effect'))).toEqual([]);
  });
});
