/**
 * Installing Tapo firmware from Home Assistant's update entity, through
 * MQTT against the simulator: Install (the entity's command_topic) sends
 * one `fw_download`; the bridge follows its progress (download, flashing,
 * the reboot) at firmware.progressIntervalS until the device reports the
 * new version. Installs nothing twice: not after a timeout, not while one
 * runs, not when up to date. With firmware.allowInstall off the entity has
 * no Install and a set is refused. Only Date is faked (the simulator's
 * clock); the progress interval is 50 ms of real time.
 */
import { describe, expect, it, vi } from 'vitest';
import type { RecordedRequest } from 'tplink-cloud-sim';
import type { DeviceNode } from '../../src/model/node.js';
import { hasFixtures } from '../helpers/fixtures.js';
import { fixtureBridge, type FixtureBridge } from './helpers.js';
import { updateStateIssues } from '../homeassistant/checker.js';

const START = Date.UTC(2026, 11, 2, 10, 0, 0);
const INSTALLED = '1.2.3 Build 240624 Rel.154806';
const NEXT = '1.3.0 Build 261201 Rel.101010';
const FAST = { firmware: { progressIntervalS: 0.05 } };

type Firmware = { installed_version: string | null; latest_version: string | null; in_progress?: boolean; update_percentage?: number | null };

const downloads = (requests: readonly RecordedRequest[], thing: string) =>
  requests.filter((r) => r.api === 'services-sync' && r.deviceId === thing && JSON.stringify(r.body).includes('"fw_download"'));

/** Helpers over one fixture bridge: the thing behind a node, its published firmware, the events. */
function firmwareOf(bridge: FixtureBridge) {
  const thingOf = (node: DeviceNode) => (node.address.cloud === 'tapo' ? node.address.thingName : '');
  const published = (node: DeviceNode): Firmware[] =>
    bridge.h.messages
      .filter((m) => m.topic === `tplink/${bridge.h.nameOf(node.id)}`)
      .map((m) => (JSON.parse(m.payload) as { firmware?: Firmware }).firmware)
      .filter((f): f is Firmware => f !== undefined);
  const events = (type: string) =>
    bridge.h.messages
      .filter((m) => m.topic === 'tplink/bridge/event')
      .map((m) => JSON.parse(m.payload) as { type: string; data: Record<string, unknown> })
      .filter((e) => e.type === type);
  const offerAndCheck = async (node: DeviceNode) => {
    bridge.h.sim.offerFirmware(thingOf(node), NEXT, 'Fixes the schedule.');
    await bridge.h.bridge.poller.readNodes([node.id], { firmware: true });
    await bridge.h.waitFor(() => published(node).at(-1)?.latest_version === NEXT, 5000, 'the offered version published');
  };
  return { thingOf, published, events, offerAndCheck };
}

describe.skipIf(!hasFixtures)('installing Tapo firmware from Home Assistant', () => {
  const bridge = fixtureBridge(START, FAST);
  const { thingOf, published, events, offerAndCheck } = firmwareOf(bridge);

  it('an update on offer: the entity has Install (command_topic, payload_install) and valid discovery', async () => {
    const plug = bridge.model('KP125M');
    await offerAndCheck(plug);
    expect(bridge.stateOf(plug).firmware).toEqual({
      installed_version: INSTALLED,
      latest_version: NEXT,
      release_summary: 'Fixes the schedule.',
      in_progress: false,
      update_percentage: null,
    });
    const update = bridge.components(plug).firmware;
    expect(update).toMatchObject({ p: 'update', device_class: 'firmware', command_topic: `tplink/${bridge.h.nameOf(plug.id)}/set/firmware`, payload_install: 'install' });
    bridge.assertValidDiscovery();
  });

  it('Install: one fw_download, progress published as it downloads and flashes, then the new version after the reboot', async () => {
    const { h } = bridge;
    const plug = bridge.model('KP125M');
    const thing = thingOf(plug);
    const from = published(plug).length;
    await h.publish(`tplink/${h.nameOf(plug.id)}/set/firmware`, 'install');
    await h.waitFor(() => downloads(h.sim.requests, thing).length === 1, 5000, 'fw_download');
    expect(JSON.stringify(downloads(h.sim.requests, thing)[0]?.body)).toContain('{"method":"fw_download"}');
    // At once: under way, from 0 %.
    await h.waitFor(() => published(plug).slice(from).some((f) => f.in_progress === true), 5000, 'in progress');
    vi.setSystemTime(START + 10_000);
    await h.waitFor(() => published(plug).some((f) => f.in_progress === true && (f.update_percentage ?? 0) >= 40 && (f.update_percentage ?? 0) < 100), 5000, 'download progress');
    vi.setSystemTime(START + 21_000);
    await h.waitFor(() => published(plug).at(-1)?.update_percentage === 100, 5000, 'flashing');
    // Rebooting into the new version: out of reach; still in progress.
    vi.setSystemTime(START + 27_000);
    await h.waitFor(() => h.sim.requests.some((r) => r.api === 'services-sync' && r.deviceId === thing && r.status === 400), 5000, 'the reboot');
    expect(bridge.stateOf(plug).firmware).toMatchObject({ installed_version: INSTALLED, in_progress: true });
    vi.setSystemTime(START + 40_000);
    await h.waitFor(() => published(plug).at(-1)?.installed_version === NEXT, 5000, 'the new version');
    // Followed to its end, then checked: up to date.
    await h.waitFor(() => h.bridge.poller.installing.length === 0, 5000, 'the install followed to its end');
    expect(bridge.stateOf(plug).firmware).toEqual({ installed_version: NEXT, latest_version: NEXT, release_summary: null, in_progress: false, update_percentage: null });
    // Progress percentages only grew; the install was asked for once; nothing failed.
    const percentages = published(plug).slice(from).flatMap((f) => (f.in_progress && typeof f.update_percentage === 'number' ? [f.update_percentage] : []));
    expect(percentages).toEqual([...percentages].sort((a, b) => a - b));
    expect(downloads(h.sim.requests, thing)).toHaveLength(1);
    expect(events('command_failed')).toEqual([]);
    expect(h.bridge.store.get(plug.id)?.online).toBe(true);
    // Every state published on the way is one Home Assistant takes.
    expect(published(plug).flatMap(updateStateIssues)).toEqual([]);
  });

  it('up to date now: another install is refused before it reaches the cloud', async () => {
    const { h } = bridge;
    const plug = bridge.model('KP125M');
    await h.publish(`tplink/${h.nameOf(plug.id)}/set/firmware`, 'install');
    await h.waitFor(() => events('command_rejected').length > 0, 5000, 'the refusal');
    expect(events('command_rejected').at(-1)?.data.reason).toContain('is the latest version; nothing to install');
    expect(downloads(h.sim.requests, thingOf(plug))).toHaveLength(1);
  });

  it('while an install runs, a second Install is refused', async () => {
    const { h } = bridge;
    const bulb = bridge.model('L530');
    vi.setSystemTime(START + 60_000);
    await offerAndCheck(bulb);
    const rejected = events('command_rejected').length;
    await h.publish(`tplink/${h.nameOf(bulb.id)}/set/firmware`, 'install');
    await h.waitFor(() => published(bulb).at(-1)?.in_progress === true, 5000, 'in progress');
    await h.publish(`tplink/${h.nameOf(bulb.id)}/set`, JSON.stringify({ firmware: 'INSTALL' }));
    await h.waitFor(() => events('command_rejected').length > rejected, 5000, 'the refusal');
    expect(events('command_rejected').at(-1)?.data.reason).toBe('firmware: an install is already under way');
    expect(downloads(h.sim.requests, thingOf(bulb))).toHaveLength(1);
    vi.setSystemTime(START + 120_000);
    await h.waitFor(() => published(bulb).at(-1)?.installed_version === NEXT && h.bridge.poller.installing.length === 0, 5000, 'the bulb updated');
  });

  it('an install whose request times out is never sent again: its progress is read instead', async () => {
    const { h } = bridge;
    const strip = bridge.model('P316M');
    vi.setSystemTime(START + 180_000);
    await offerAndCheck(strip);
    const failed = events('command_failed').length;
    h.sim.setFaults({ errorRate: 1, errorKinds: ['timeout'] });
    await h.publish(`tplink/${h.nameOf(strip.id)}/set/firmware`, 'install');
    await h.waitFor(() => events('command_failed').length > failed, 10_000, 'the failure');
    h.sim.setFaults({ errorRate: 0 });
    expect(events('command_failed').at(-1)?.data.reason).toContain('not sent again');
    expect(downloads(h.sim.requests, thingOf(strip))).toHaveLength(1);
    // Followed: the device shows no install (the request never reached it); given up after the start grace.
    await h.waitFor(() => h.bridge.poller.installing.includes(strip.id), 5000, 'followed');
    vi.setSystemTime(START + 250_000);
    await h.waitFor(() => h.bridge.poller.installing.length === 0, 5000, 'no longer followed');
    expect(bridge.stateOf(strip).firmware).toMatchObject({ installed_version: '1.0.5 Build 250306 Rel.151943', latest_version: NEXT, in_progress: false });
    expect(downloads(h.sim.requests, thingOf(strip))).toHaveLength(1);
  });
});

describe.skipIf(!hasFixtures)('firmware.allowInstall off', () => {
  const bridge = fixtureBridge(START, { firmware: { allowInstall: false, progressIntervalS: 0.05 } });
  const { thingOf, events, offerAndCheck } = firmwareOf(bridge);

  it('the update entity shows the versions without Install, and an install is refused saying why', async () => {
    const { h } = bridge;
    const plug = bridge.model('KP125M');
    await offerAndCheck(plug);
    const update = bridge.components(plug).firmware;
    expect(update).toMatchObject({ p: 'update', device_class: 'firmware' });
    expect(update).not.toHaveProperty('command_topic');
    expect(update).not.toHaveProperty('payload_install');
    bridge.assertValidDiscovery();
    await h.publish(`tplink/${h.nameOf(plug.id)}/set/firmware`, 'install');
    await h.waitFor(() => events('command_rejected').length > 0, 5000, 'the refusal');
    expect(events('command_rejected').at(-1)?.data.reason).toBe('firmware is read-only: installing firmware is turned off (firmware.allowInstall)');
    expect(downloads(h.sim.requests, thingOf(plug))).toEqual([]);
  });
});
