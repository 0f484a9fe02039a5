/**
 * Tapo firmware as Home Assistant's update entity (checked at the firmware
 * cadence only) and the auto-update switch, over the fixtures and through
 * MQTT against the simulator.
 */
import { describe, expect, it } from 'vitest';
import { firmwareState } from '../../src/clouds/tapo/modules/firmware.js';
import { hasFixtures } from '../helpers/fixtures.js';
import { fixtureBridge } from '../features/helpers.js';

const INSTALLED = '1.2.3 Build 240624 Rel.154806';

describe('the update entity state', () => {
  const answers = (latest: Record<string, unknown>, download: Record<string, unknown> = { status: 0, download_progress: 0 }) =>
    new Map<string, Record<string, unknown>>([
      ['get_device_info', { fw_ver: INSTALLED }],
      ['get_latest_fw', latest],
      ['get_fw_download_state', download],
    ]);

  it('up to date: latest is the installed version', () => {
    expect(firmwareState(answers({ type: 0, fw_ver: INSTALLED, need_to_upgrade: false, release_note: '' }))).toEqual({
      installed_version: INSTALLED,
      latest_version: INSTALLED,
      release_summary: null,
      in_progress: false,
      update_percentage: null,
    });
  });

  it('a newer version with its notes (cut to 255 characters); progress while the device downloads', () => {
    const state = firmwareState(answers({ type: 1, fw_ver: '1.3.0 Build 250101 Rel.1', need_to_upgrade: true, release_note: 'x'.repeat(400) }, { status: 2, download_progress: 42 }));
    expect(state).toMatchObject({ latest_version: '1.3.0 Build 250101 Rel.1', in_progress: true, update_percentage: 42 });
    expect(state?.release_summary).toHaveLength(255);
  });

  it("an install's progress read (no get_latest_fw) keeps the latest version and notes of the last check", () => {
    const previous = { installed_version: INSTALLED, latest_version: '1.3.0', release_summary: 'Fixes.', in_progress: false, update_percentage: null };
    const progress = (download: Record<string, unknown>, fw = INSTALLED) =>
      new Map<string, Record<string, unknown>>([
        ['get_device_info', { fw_ver: fw }],
        ['get_fw_download_state', download],
      ]);
    expect(firmwareState(progress({ status: 2, download_progress: 60 }), previous)).toEqual({ ...previous, in_progress: true, update_percentage: 60 });
    expect(firmwareState(progress({ status: 3, download_progress: 100 }), previous)).toMatchObject({ in_progress: true, update_percentage: 100 });
    expect(firmwareState(progress({ status: 0, download_progress: 0 }, '1.3.0'), previous)).toEqual({ ...previous, installed_version: '1.3.0' });
    // Never checked: a progress read alone tells nothing.
    expect(firmwareState(progress({ status: 2, download_progress: 60 }))).toBeUndefined();
  });

  it('no answer from get_latest_fw (P110, P110M, P300): no update entity', () => {
    expect(firmwareState(new Map([['get_device_info', { fw_ver: INSTALLED }]]))).toBeUndefined();
  });
});

describe.skipIf(!hasFixtures)('Tapo firmware through MQTT against the simulator', () => {
  const bridge = fixtureBridge(Date.parse('2026-12-02T10:00:00Z'));
  const byModel = (model: string) => bridge.model(model);
  const asked = (method: string) => bridge.h.sim.requests.filter((r) => r.api === 'services-sync' && JSON.stringify(r.body).includes(`"${method}"`));

  it('never checked at start or with the state and settings reads; a check gives the update entity, with Install', async () => {
    expect(asked('get_latest_fw')).toEqual([]);
    const node = byModel('KP125M');
    expect(bridge.h.bridge.store.get(node.id)?.features).not.toHaveProperty('firmware');
    await bridge.h.bridge.poller.checkFirmware([node.id]);
    const topic = `tplink/${bridge.h.nameOf(node.id)}`;
    await bridge.h.waitFor(() => bridge.h.lastJson<Record<string, unknown>>(topic)?.firmware !== undefined, 5000, 'the firmware state');
    expect(bridge.h.lastJson<Record<string, unknown>>(topic)?.firmware).toEqual({
      installed_version: INSTALLED,
      latest_version: INSTALLED,
      release_summary: null,
      in_progress: false,
      update_percentage: null,
    });
    expect(asked('get_latest_fw')).toHaveLength(1);
    await bridge.h.waitFor(() => bridge.h.messages.some((m) => m.topic.startsWith('homeassistant/') && m.payload.includes(`${node.id}_firmware`)), 5000, 'the update discovery');
    const config = JSON.parse(bridge.h.messages.filter((m) => m.topic.startsWith('homeassistant/') && m.payload.includes(`${node.id}_firmware`)).at(-1)?.payload ?? '{}') as Record<string, unknown>;
    const update = (config.cmps ? Object.values(config.cmps as Record<string, Record<string, unknown>>).find((c) => c.unique_id === `${node.id}_firmware`) : config) ?? {};
    expect(update).toMatchObject({ device_class: 'firmware', entity_category: 'config', name: 'Firmware' });
    expect(update).toMatchObject({ command_topic: `tplink/${bridge.h.nameOf(node.id)}/set/firmware`, payload_install: 'install' });
  });

  it('P110 answers no get_latest_fw: no update entity; its auto-update switch is written with set_auto_update_info', async () => {
    const node = byModel('P110');
    await bridge.h.bridge.poller.checkFirmware([node.id]);
    expect(bridge.h.bridge.store.get(node.id)?.features).not.toHaveProperty('firmware');
    const topic = `tplink/${bridge.h.nameOf(node.id)}`;
    expect(bridge.h.lastJson<Record<string, unknown>>(topic)?.auto_update_enabled).toBe('ON');
    await bridge.h.publish(`${topic}/set/auto_update_enabled`, 'OFF');
    await bridge.h.waitFor(() => asked('set_auto_update_info').length > 0, 5000, 'the setter');
    const from = bridge.h.messages.length;
    await bridge.h.publish(`${topic}/get`, '');
    await bridge.h.waitFor(() => bridge.h.messages.slice(from).some((m) => m.topic === topic && (JSON.parse(m.payload) as Record<string, unknown>).auto_update_enabled === 'OFF'), 5000, 'OFF read back');
  });
});
