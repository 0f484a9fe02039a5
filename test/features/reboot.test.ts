/**
 * The restart button through MQTT against the simulator: Kasa
 * `system.reboot` in a passthrough, Tapo `device_reboot` through
 * services-sync; the device is out of reach for a while, then back with its
 * time on counting from the reboot. No button on strip outlets. Only Date is
 * faked.
 */
import { describe, expect, it, vi } from 'vitest';
import type { DeviceNode } from '../../src/model/node.js';
import type { RecordedRequest } from 'tplink-cloud-sim';
import { hasFixtures } from '../helpers/fixtures.js';
import { fixtureBridge } from './helpers.js';

const START = Date.UTC(2026, 5, 15, 12, 0, 0);
const body = (request: RecordedRequest) => JSON.stringify(request.body);

describe.skipIf(!hasFixtures)('restart button', () => {
  const bridge = fixtureBridge(START);
  const { model, stateOf } = bridge;
  const press = async (node: DeviceNode): Promise<RecordedRequest> => {
    const { h } = bridge;
    h.sim.clearRequests();
    await h.publish(`tplink/${h.nameOf(node.id)}/set/reboot`, 'PRESS');
    const sent = () => h.sim.requests.find((r) => body(r).includes('reboot'));
    await h.waitFor(() => sent() !== undefined, 5000, `the reboot of ${node.model}`);
    return sent() as RecordedRequest;
  };

  it('Kasa: one passthrough with system.reboot {delay: 1}; out of reach, then back with on_time from the reboot', async () => {
    const { h } = bridge;
    const plug = model('KP115');
    const request = await press(plug);
    expect(request.api).toBe('passthrough');
    expect(body(request).replace(/\\/g, '')).toContain('"system":{"reboot":{"delay":1}}');
    // Rebooting: the cloud says it is offline.
    vi.setSystemTime(START + 5_000);
    await h.bridge.poller.readNodes([plug.id]);
    expect(h.bridge.store.get(plug.id)?.online).toBe(false);
    vi.setSystemTime(START + 60_000);
    await h.bridge.poller.readLists();
    await h.bridge.poller.readNodes([plug.id]);
    const node = h.bridge.store.get(plug.id);
    expect(node?.online).toBe(true);
    // It counts its time on from when it came back (1 s delay + 15 s), 44 s ago.
    expect(node?.state.on_time).toBeGreaterThanOrEqual(43);
    expect(node?.state.on_time).toBeLessThanOrEqual(45);
    const near = () => Math.abs(Date.parse(stateOf(plug).on_since as string) - (START + 16_000)) <= 5_000;
    await h.waitFor(near, 3000, 'on_since at the reboot');
  });

  it('Tapo: services-sync device_reboot {delay: 1} (no shadow key restarts a device); out of reach meanwhile', async () => {
    const { h } = bridge;
    const plug = model('P110M');
    vi.setSystemTime(START + 120_000);
    const request = await press(plug);
    expect(request.api).toBe('services-sync');
    expect(body(request)).toContain('"method":"device_reboot","params":{"delay":1}');
    expect(h.sim.requests.filter((r) => r.api === 'shadows.patch')).toHaveLength(0);
    const events = () => h.messages.filter((m) => m.topic === 'tplink/bridge/event').map((m) => m.payload);
    expect(events().filter((payload) => payload.includes('command_failed'))).toEqual([]);
    vi.setSystemTime(START + 125_000);
    h.sim.clearRequests();
    await h.bridge.poller.readEnergy();
    expect(h.sim.requests.some((r) => r.api === 'services-sync' && r.status === 400)).toBe(true);
  });

  it('a button on every device, none on strip outlets; valid discovery', () => {
    const { h } = bridge;
    const devices = h.bridge.store.all().filter((node) => !node.parentId);
    for (const node of devices) expect(Object.keys(node.features ?? {}), node.model).toContain('reboot');
    for (const outlet of h.bridge.store.all().filter((node) => node.parentId)) expect(outlet.features?.reboot).toBeUndefined();
    bridge.assertValidDiscovery();
    const plug = model('KP115');
    const cmps = bridge.components(plug);
    expect(cmps.reboot).toEqual(
      expect.objectContaining({
        p: 'button',
        name: 'Restart',
        device_class: 'restart',
        entity_category: 'config',
        payload_press: 'PRESS',
        command_topic: `tplink/${h.nameOf(plug.id)}/set/reboot`,
        unique_id: `${plug.id}_reboot`,
      }),
    );
    expect(cmps.reboot?.state_topic).toBeUndefined();
    // Nothing to show for a button in the state.
    expect(stateOf(plug).reboot).toBeUndefined();
  });
});
