/**
 * Kasa firmware through MQTT against the simulator: the update entity from
 * the cloud module's get_intl_fw_list, asked only by a firmware check (one
 * passthrough per device), never by a state, energy or settings read;
 * read-only (no Install in Home Assistant, `install` refused saying why);
 * no entity on strip outlets. Only Date is faked.
 */
import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from 'tplink-cloud-sim';
import type { DeviceNode } from '../../src/model/node.js';
import { hasFixtures } from '../helpers/fixtures.js';
import { updateStateIssues } from '../homeassistant/checker.js';
import { fixtureBridge } from './helpers.js';

const START = Date.UTC(2026, 11, 2, 10, 0, 0);
const asksFirmware = (r: RecordedRequest) => r.api === 'passthrough' && JSON.stringify(r.body).includes('get_intl_fw_list');

describe.skipIf(!hasFixtures)('Kasa firmware', () => {
  const bridge = fixtureBridge(START);
  const deviceIdOf = (node: DeviceNode) => (node.address.cloud === 'kasa' ? node.address.deviceId : '');
  const check = async (node: DeviceNode) => {
    await bridge.h.bridge.poller.checkFirmware([node.id]);
    await bridge.h.waitFor(() => bridge.stateOf(node).firmware !== undefined, 5000, `the firmware of ${node.model}`);
    return bridge.stateOf(node).firmware;
  };

  it('never asked at start or by the state, energy and settings reads', async () => {
    const { h } = bridge;
    expect(h.sim.requests.filter(asksFirmware)).toEqual([]);
    await h.bridge.poller.readStates();
    await h.bridge.poller.readEnergy();
    await h.bridge.poller.readSettings();
    expect(h.sim.requests.filter(asksFirmware)).toEqual([]);
  });

  it('KL130: installed 1.8.8, its cloud lists 1.8.11 with release notes; one passthrough asks it', async () => {
    const { h } = bridge;
    const bulb = bridge.model('KL130');
    h.sim.clearRequests();
    const firmware = await check(bulb);
    expect(firmware).toEqual({
      installed_version: '1.8.8 Build 190613 Rel.123436',
      latest_version: '1.8.11 Build 191113 Rel.105336',
      release_summary: expect.stringMatching(/^New Features\/Enhancements:\n1\. Added the offset feature/),
      in_progress: false,
      update_percentage: null,
    });
    expect(updateStateIssues(firmware)).toEqual([]);
    // The check asks in one passthrough (the request's state read is the other).
    const asked = h.sim.requests.filter((r) => r.deviceId === deviceIdOf(bulb) && asksFirmware(r));
    expect(asked).toHaveLength(1);
    expect(JSON.stringify(asked[0]?.body)).toContain('smartlife.iot.common.cloud');
  });

  it('read-only: no Install in Home Assistant, and an install is refused saying why', async () => {
    const { h } = bridge;
    const bulb = bridge.model('KL130');
    const update = bridge.components(bulb).firmware;
    expect(update).toMatchObject({ p: 'update', device_class: 'firmware', entity_category: 'config', name: 'Firmware' });
    expect(update).not.toHaveProperty('command_topic');
    bridge.assertValidDiscovery();
    const from = h.messages.length;
    await h.publish(`tplink/${h.nameOf(bulb.id)}/set/firmware`, 'install');
    const event = await h.waitForMessage('tplink/bridge/event', (payload) => payload.includes('command_rejected'));
    expect(h.messages.indexOf(event)).toBeGreaterThanOrEqual(from);
    expect((JSON.parse(event.payload) as { data: { reason: string } }).data.reason).toMatch(/^firmware is read-only: the Kasa cloud has no firmware install/);
  });

  it('a plug (cnCloud): up to date; an offered version shows at the next check; strip outlets get no entity', async () => {
    const { h } = bridge;
    const plug = bridge.model('HS110');
    const installed = h.bridge.store.get(plug.id)?.swVersion ?? null;
    expect(await check(plug)).toMatchObject({ installed_version: installed, latest_version: installed, release_summary: null });
    h.sim.offerFirmware(deviceIdOf(plug), '1.5.9 Build 261201 Rel.101010', 'Security fixes.');
    await h.bridge.poller.readNodes([plug.id], { firmware: true });
    await h.waitFor(() => (bridge.stateOf(plug).firmware as { latest_version?: string }).latest_version === '1.5.9 Build 261201 Rel.101010', 5000, 'the offer');
    expect(bridge.stateOf(plug).firmware).toMatchObject({ installed_version: installed, release_summary: 'Security fixes.' });
    const strip = bridge.model('HS300');
    await check(strip);
    for (const outlet of h.bridge.store.childrenOf(strip.id)) expect(outlet.features?.firmware, outlet.name).toBeUndefined();
  });
});
