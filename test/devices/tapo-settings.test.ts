/**
 * Tapo settings (LED, auto-off, power protection, smooth transitions): read
 * from the fixtures' own answers, written with the device's setters through
 * services-sync, and round-tripped through MQTT against the simulator.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TAPO_MODULES } from '../../src/clouds/tapo/modules/index.js';
import { tapoWriteServices } from '../../src/clouds/tapo/devices.js';
import { DEFAULT_MODULE_SETTINGS, type TapoTarget } from '../../src/clouds/tapo/module.js';
import { featureSet } from '../../src/model/feature.js';
import type { DeviceNode } from '../../src/model/node.js';
import { fixtureFiles, hasFixtures } from '../helpers/fixtures.js';
import { readFixture } from './fixture-nodes.js';
import { fixtureBridge } from '../features/helpers.js';

type Results = Map<string, Record<string, unknown>>;

function results(prefix: string, socket?: number): Results {
  const file = fixtureFiles('tapo').find((f) => basename(f).startsWith(prefix));
  if (!file) throw new Error(`no fixture ${prefix}`);
  let data = readFixture(file);
  if (socket !== undefined) data = Object.values(data.child_devices as Record<string, Record<string, unknown>>)[socket] ?? {};
  return new Map(Object.entries(data).filter((entry): entry is [string, Record<string, unknown>] => typeof entry[1] === 'object' && entry[1] !== null));
}

const target = (kind: DeviceNode['kind'], energy = false): TapoTarget => ({
  node: { id: 'tapo_X', cloud: 'tapo', kind, name: 'x', model: 'X', address: { cloud: 'tapo', thingName: 'X', appServerUrl: '' }, online: true },
  traits: { kind, energy, emeterData: false, brightness: false, color: false, colorTemp: false },
});

/** What the settings modules find and read in a device's answers, as a services read would. */
function read(t: TapoTarget, answers: Results) {
  const asked = new Set(TAPO_MODULES.flatMap((m) => m.servicesMethods?.(t, {}, 'settings') ?? []));
  const seen: Results = new Map([...answers].filter(([method]) => asked.has(method)));
  const features = featureSet(TAPO_MODULES.flatMap((m) => m.detectServices?.(seen, DEFAULT_MODULE_SETTINGS) ?? []));
  const values = Object.assign({}, ...TAPO_MODULES.map((m) => m.parseServices?.(seen, features, {}) ?? {})) as Record<string, unknown>;
  return { features, values };
}

describe.skipIf(!hasFixtures)('Tapo settings from the fixtures', () => {
  it('KP125M: LED on, auto-off off after 120 min, protection off with a 0-1542 W threshold', () => {
    const { features, values } = read(target('plug', true), results('KP125M'));
    expect(values).toMatchObject({ led: 'ON', auto_off_enabled: 'OFF', auto_off_minutes: 120, power_protection_enabled: 'OFF', power_protection_threshold: 0 });
    expect(features.power_protection_threshold?.type).toMatchObject({ min: 0, max: 1542, unit: 'W' });
    expect(features.power_protection_threshold?.entity).toMatchObject({ component: 'number', entity_category: 'config', device_class: 'power', mode: 'slider' });
  });

  it('P110M: protection on at 1120 W of 2465; P300 night-mode LED is ON; P100 "always" though not lit now is ON', () => {
    expect(read(target('plug', true), results('P110M')).values).toMatchObject({ power_protection_enabled: 'ON', power_protection_threshold: 1120 });
    expect(read(target('strip'), results('P300')).values).toMatchObject({ led: 'ON' });
    expect(read(target('plug'), results('P100')).values).toMatchObject({ led: 'ON' });
  });

  it('P316M: sockets have auto-off and protection (protection_enabled, their own 1633 W), the strip only its LED', () => {
    const strip = Object.keys(read(target('strip', true), results('P316M')).features);
    expect(strip).toContain('led');
    for (const id of ['auto_off_enabled', 'power_protection_enabled', 'power_protection_threshold']) expect(strip).not.toContain(id);
    const socket = read(target('outlet', true), results('P316M', 2));
    expect(Object.keys(socket.features)).toEqual(expect.arrayContaining(['auto_off_enabled', 'auto_off_minutes', 'power_protection_enabled', 'power_protection_threshold']));
    expect(Object.keys(socket.features)).not.toContain('led');
    expect(socket.features.power_protection_threshold?.type).toMatchObject({ max: 1633 });
  });

  it('L530E (version 3): smooth on and off in seconds up to 60; L920-5 (version 1): one switch', () => {
    const l530 = read(target('bulb'), results('L530E'));
    expect(l530.values).toMatchObject({ smooth_transition_on: 2, smooth_transition_off: 2 });
    expect(l530.features.smooth_transition_on?.type).toMatchObject({ min: 0, max: 60, unit: 's' });
    expect(read(target('lightstrip'), results('L920-5')).values).toMatchObject({ smooth_transitions: 'OFF' });
  });

  it('writes go to the device setters: whole objects back, under the key the device read', () => {
    const plug = target('outlet', true);
    const socket = results('P316M', 2);
    const { features } = read(plug, socket);
    expect(tapoWriteServices(plug, features, { power_protection_enabled: 'ON', power_protection_threshold: 800 }, socket)).toEqual([
      { method: 'set_protection_power', params: { protection_enabled: true, protection_power: 800 } },
    ]);
    expect(tapoWriteServices(plug, features, { auto_off_minutes: 30 }, socket)).toEqual([{ method: 'set_auto_off_config', params: { enable: false, delay_min: 30 } }]);
    const p300 = results('P300');
    const strip = read(target('strip'), p300);
    // OFF is "never"; ON keeps a night mode.
    expect(tapoWriteServices(target('strip'), strip.features, { led: 'OFF' }, p300)[0]).toMatchObject({ params: { led_rule: 'never', night_mode: { night_mode_type: 'sunrise_sunset' } } });
    expect(tapoWriteServices(target('strip'), strip.features, { led: 'ON' }, p300)[0]).toMatchObject({ params: { led_rule: 'night_mode' } });
    const bulb = read(target('bulb'), results('L530E'));
    expect(tapoWriteServices(target('bulb'), bulb.features, { smooth_transition_on: 5, smooth_transition_off: 0 }, results('L530E'))).toEqual([
      { method: 'set_on_off_gradually_info', params: { on_state: { enable: true, duration: 5 }, off_state: { enable: false } } },
    ]);
    // Nothing of these on a node without the features.
    expect(tapoWriteServices(target('bulb'), {}, { led: 'OFF', auto_off_minutes: 3 }, new Map())).toEqual([]);
  });
});

describe.skipIf(!hasFixtures)('Tapo settings through MQTT against the simulator', () => {
  const bridge = fixtureBridge(Date.parse('2026-12-02T10:00:00Z'));
  const byModel = (model: string) => bridge.model(model);
  async function fresh(node: DeviceNode): Promise<Record<string, unknown>> {
    const topic = `tplink/${bridge.h.nameOf(node.id)}`;
    const from = bridge.h.messages.length;
    await bridge.h.publish(`${topic}/get`, '');
    await bridge.h.waitFor(() => bridge.h.messages.slice(from).some((m) => m.topic === topic), 5000, `a read of ${topic}`);
    return bridge.h.lastJson(topic) ?? {};
  }
  const setters = () => bridge.h.sim.requests.filter((r) => r.api === 'services-sync').map((r) => JSON.stringify(r.body)).filter((body) => body.includes('"set_'));

  it('P110M: threshold and LED written with set_* through services-sync; the next read shows them; discovery has the number', async () => {
    const node = byModel('P110M');
    await fresh(node);
    const topic = `tplink/${bridge.h.nameOf(node.id)}`;
    expect(bridge.h.bridge.store.get(node.id)?.features?.power_protection_threshold?.type).toMatchObject({ max: 2465 });
    const discovered = () => bridge.h.messages.find((m) => m.topic.startsWith('homeassistant/') && m.payload.includes(`${node.id}_power_protection_threshold`));
    await bridge.h.waitFor(() => discovered() !== undefined, 5000, 'the threshold in discovery');
    const config = discovered();
    expect(config?.payload).toContain('"max":2465');
    bridge.h.sim.clearRequests();
    await bridge.h.publish(`${topic}/set`, JSON.stringify({ power_protection_threshold: 1500, led: 'OFF' }));
    await bridge.h.waitFor(() => setters().length >= 1, 5000, 'the setters');
    expect(setters().join()).toMatch(/set_protection_power.*"protection_power":1500|set_led_info.*"led_rule":"never"/);
    expect(bridge.h.sim.requests.some((r) => r.api === 'shadows.patch')).toBe(false);
    expect(await fresh(node)).toMatchObject({ power_protection_threshold: 1500, led: 'OFF' });
  });

  it('a threshold above the device maximum is refused before the cloud', async () => {
    const node = byModel('P110M');
    const topic = `tplink/${bridge.h.nameOf(node.id)}`;
    bridge.h.sim.clearRequests();
    const from = bridge.h.messages.length;
    await bridge.h.publish(`${topic}/set/power_protection_threshold`, '3000');
    await bridge.h.waitFor(() => bridge.h.messages.slice(from).some((m) => m.topic === 'tplink/bridge/event'), 5000, 'the rejection');
    expect(bridge.h.messages.slice(from).find((m) => m.topic === 'tplink/bridge/event')?.payload).toMatch(/2465 or less/);
    expect(setters()).toEqual([]);
  });
});

describe.skipIf(!hasFixtures)('Tapo light effects', () => {
  it('L530E: the dynamic rules as effects by their app names; start and stop with the rule setter', () => {
    const answers = results('L530E');
    const { features, values } = read(target('bulb'), answers);
    expect(features.effect?.type).toEqual({ kind: 'enum', options: ['off', 'Party', 'Relax'] });
    expect(values.effect).toBe('off');
    expect(tapoWriteServices(target('bulb'), features, { effect: 'Relax' }, answers)).toEqual([{ method: 'set_dynamic_light_effect_rule_enable', params: { enable: true, id: 'L2' } }]);
    expect(tapoWriteServices(target('bulb'), features, { effect: 'off' }, answers)).toEqual([{ method: 'set_dynamic_light_effect_rule_enable', params: { enable: false } }]);
  });

  it('L920-5: its current effect, started again with its whole definition', () => {
    const answers = results('L920-5');
    const { features, values } = read(target('lightstrip'), answers);
    expect(features.effect?.type).toEqual({ kind: 'enum', options: ['off', 'station'] });
    expect(values.effect).toBe('off');
    const [call] = tapoWriteServices(target('lightstrip'), features, { effect: 'station' }, answers);
    expect(call).toMatchObject({ method: 'set_lighting_effect', params: { name: 'station', type: 'sequence', enable: 1, sequence: expect.any(Array) } });
  });
});

describe('the JSON light with effects', () => {
  it('discovery lists them, "off" first', async () => {
    const { nodeEntities } = await import('../../src/homeassistant/entities.js');
    const { STATE, BRIGHTNESS } = await import('../../src/model/features.js');
    const { EFFECT } = await import('../../src/model/effects.js');
    const node: DeviceNode = { ...target('bulb').node, features: featureSet([STATE, BRIGHTNESS, { ...EFFECT, type: { kind: 'enum', options: ['off', 'Party'] } }]), state: {} };
    const light = nodeEntities(node, { baseTopic: 'tplink', name: 'lamp' }).find((entity) => entity.component === 'light');
    expect(light?.config).toMatchObject({ effect: true, effect_list: ['off', 'Party'] });
    expect(nodeEntities(node, { baseTopic: 'tplink', name: 'lamp' }).map((entity) => entity.object)).toEqual(['light']);
  });
});
