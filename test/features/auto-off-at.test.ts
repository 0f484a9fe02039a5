/**
 * When a Tapo plug's auto-off switches it off (`auto_off_at`), through MQTT
 * against the simulator over the fixtures: null while nothing counts down;
 * enabling auto-off on a plug that is on starts the device's countdown, and
 * the instant (read time + `auto_off_remain_time`) is published once and
 * kept while later reads see the same countdown; when it runs out the plug
 * is off and the sensor null again. Only Date is faked: the bridge's and
 * the simulator's clocks move together, no real waiting.
 */
import { describe, expect, it, vi } from 'vitest';
import { hasFixtures } from '../helpers/fixtures.js';
import { fixtureBridge } from './helpers.js';

const START = Date.UTC(2026, 5, 15, 12, 0, 0);

describe.skipIf(!hasFixtures)('auto-off at', () => {
  const bridge = fixtureBridge(START);
  const { model, stateOf } = bridge;

  it('a diagnostic timestamp sensor on plugs and sockets that report auto-off, none on strips or plugs without it', () => {
    const { h } = bridge;
    const plug = model('KP125M');
    expect(stateOf(plug).auto_off_at).toBeNull();
    const cmps = bridge.components(plug);
    expect(cmps.auto_off_at).toEqual(
      expect.objectContaining({ p: 'sensor', name: 'Auto-off at', device_class: 'timestamp', entity_category: 'diagnostic', unique_id: `${plug.id}_auto_off_at` }),
    );
    expect(cmps.auto_off_at?.unit_of_measurement).toBeUndefined();
    const having = h.bridge.store.all().filter((node) => 'auto_off_at' in (node.features ?? {}));
    for (const node of having) expect(['plug', 'outlet'], node.model).toContain(node.kind);
    expect(having.map((node) => node.model)).toEqual(expect.arrayContaining(['KP125M', 'P110', 'P110M', 'P316M']));
    expect(Object.keys(model('P316M').features ?? {})).not.toContain('auto_off_at');
    expect(Object.keys(model('P100').features ?? {})).not.toContain('auto_off_at');
    bridge.assertValidDiscovery();
  });

  it('counts down from enabling it: one instant, kept read after read, then off and null', async () => {
    const { h } = bridge;
    const plug = model('KP125M');
    const topic = `tplink/${h.nameOf(plug.id)}`;
    expect(stateOf(plug).state).toBe('ON');
    await h.publish(`${topic}/set`, JSON.stringify({ auto_off_enabled: 'ON', auto_off_minutes: 30 }));
    await h.waitFor(() => stateOf(plug).auto_off_enabled === 'ON' && typeof stateOf(plug).auto_off_at === 'string', 5000, 'the countdown');
    const first = stateOf(plug).auto_off_at as string;
    expect(first).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(Math.abs(Date.parse(first) - (START + 30 * 60_000))).toBeLessThanOrEqual(2_000);
    // Later reads: the remaining time shrinks, the instant (and what is published) stays.
    for (const seconds of [1, 7, 61, 600]) {
      vi.setSystemTime(START + seconds * 1000);
      await h.bridge.poller.readStates();
      expect(stateOf(plug).auto_off_at).toBe(first);
    }
    const published = h.messages.filter((m) => m.topic === topic).map((m) => (JSON.parse(m.payload) as Record<string, unknown>).auto_off_at);
    expect(new Set(published.filter((at) => typeof at === 'string'))).toEqual(new Set([first]));
    // Past it: the device switched itself off.
    vi.setSystemTime(START + 31 * 60_000);
    await h.bridge.poller.readStates();
    expect(stateOf(plug)).toMatchObject({ state: 'OFF', auto_off_at: null });
    expect(h.sim.deviceState(plug.address.cloud === 'tapo' ? plug.address.thingName : '')?.reported).toMatchObject({ on: false, auto_off_status: 'off' });
  });

  it('switched on again with auto-off enabled: a new countdown from then', async () => {
    const { h } = bridge;
    const plug = model('KP125M');
    const topic = `tplink/${h.nameOf(plug.id)}`;
    const at = START + 40 * 60_000;
    vi.setSystemTime(at);
    await h.publish(`${topic}/set`, JSON.stringify({ state: 'ON' }));
    await h.waitFor(() => stateOf(plug).state === 'ON' && typeof stateOf(plug).auto_off_at === 'string', 5000, 'the new countdown');
    expect(Math.abs(Date.parse(stateOf(plug).auto_off_at as string) - (at + 30 * 60_000))).toBeLessThanOrEqual(2_000);
  });
});
