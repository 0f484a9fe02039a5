/**
 * Kasa dimmer settings and KS220M motion / ambient-light sensors: found in
 * the fixtures' answers, read, and written as the setters python-kasa
 * documents (the whole-bridge round trip through MQTT runs in
 * test/devices/fixtures-mqtt.test.ts for every writable feature).
 */
import { describe, expect, it } from 'vitest';
import { kasaCadenceQuery, kasaCadenceReading, kasaReadings, kasaWrite } from '../../src/clouds/kasa/devices.js';
import type { DeviceNode, NodeIdentity } from '../../src/model/node.js';
import { hasFixtures } from '../helpers/fixtures.js';
import { kasaFixtureDevice as device } from './fixture-nodes.js';
import { pirRanges } from '../../src/clouds/kasa/modules/motion.js';

const config = (node: DeviceNode) => Object.values(node.features ?? {}).filter((f) => f.entity?.entity_category === 'config').map((f) => f.id);

describe.skipIf(!hasFixtures)('Kasa dimmer settings (fixtures)', () => {
  it('HS220: gentle times in ms, ramp rate; no motion sensor', () => {
    const { node } = device('HS220');
    expect(config(node)).toEqual(expect.arrayContaining(['led', 'light_preset', 'gentle_on_time', 'gentle_off_time', 'ramp_rate']));
    expect(config(node)).not.toContain('pir_enabled');
    expect(node.state).toMatchObject({ gentle_on_time: 3000, gentle_off_time: 10000, ramp_rate: 30 });
    expect(node.features?.ramp_rate?.type).toMatchObject({ min: 10, max: 50 });
    expect(node.features?.gentle_on_time?.entity).toMatchObject({ component: 'number', device_class: 'duration', unit_of_measurement: 'ms', entity_category: 'config', mode: 'box' });
  });

  it('KS220M: motion sensor on, range Near of the four it lists, ambient light on', () => {
    const { node } = device('KS220M');
    expect(config(node)).toEqual(expect.arrayContaining(['pir_enabled', 'pir_range', 'ambient_light_enabled', 'gentle_on_time', 'ramp_rate']));
    expect(node.state).toMatchObject({ pir_enabled: 'ON', pir_range: 'Near', ambient_light_enabled: 'ON', gentle_off_time: 10000 });
    expect(node.features?.pir_range?.type).toEqual({ kind: 'enum', options: ['Far', 'Mid', 'Near', 'Custom'] });
    expect(node.features?.pir_range?.entity).toMatchObject({ component: 'select', name: 'Motion sensor range' });
  });

  it('the settings read asks them in one passthrough; plugs are not asked; what a device lacks is left out', () => {
    const { node } = device('KS220M');
    expect(kasaCadenceQuery(node, 'settings')).toMatchObject({
      'smartlife.iot.dimmer': { get_dimmer_parameters: null },
      'smartlife.iot.PIR': { get_config: null },
      'smartlife.iot.LAS': { get_config: null },
    });
    expect(Object.keys(kasaCadenceQuery(node, 'settings', new Set(['smartlife.iot.PIR'])) ?? {})).not.toContain('smartlife.iot.PIR');
    expect(kasaCadenceQuery(device('HS100').node, 'settings') ?? {}).not.toHaveProperty('smartlife.iot.dimmer');
  });

  it('writes: each setting its own setter, several in one passthrough', () => {
    const { node } = device('KS220M');
    expect(kasaWrite(node, { gentle_on_time: 5000, ramp_rate: 40, gentle_off_time: 200 })).toEqual({
      'smartlife.iot.dimmer': { set_gentle_on_time: { duration: 5000 }, set_button_ramp_rate: { rampRate: 40 }, set_gentle_off_time: { duration: 200 } },
    });
    expect(kasaWrite(node, { pir_enabled: 'OFF', pir_range: 'Far', ambient_light_enabled: 'OFF' })).toEqual({
      'smartlife.iot.PIR': { set_enable: { enable: 0 }, set_trigger_sens: { index: 0 } },
      'smartlife.iot.LAS': { set_enable: { enable: 0 } },
    });
    // A plug has none of them: nothing is sent.
    expect(kasaWrite(device('HS100').node, { ramp_rate: 40, pir_enabled: 'ON' })).toEqual({});
  });
});

describe('Kasa motion ranges', () => {
  it('offers only the ranges the device has thresholds for', () => {
    expect(pirRanges([80, 50])).toEqual(['Far', 'Mid']);
    expect(pirRanges([80, 50, 20, 61, 9])).toEqual(['Far', 'Mid', 'Near', 'Custom']);
    expect(pirRanges(undefined)).toEqual(['Far', 'Mid', 'Near', 'Custom']);
  });

  it('a device that answers "module not support" has no sensor; a broken answer is a problem, not a crash', () => {
    const identity: NodeIdentity = { id: 'kasa_X', cloud: 'kasa', kind: 'dimmer', name: 'd', model: 'HS220', address: { cloud: 'kasa', deviceId: 'X', appServerUrl: '' }, online: true };
    const sysinfo = { model: 'HS220(US)', mic_type: 'IOT.SMARTPLUGSWITCH', relay_state: 1, brightness: 50, dev_name: 'Smart Wi-Fi Dimmer' };
    const response = {
      system: { get_sysinfo: sysinfo },
      'smartlife.iot.PIR': { err_code: -1, err_msg: 'module not support' },
      'smartlife.iot.LAS': { get_config: { err_code: 0, devs: 'broken' } },
    };
    const node = { ...identity, features: kasaReadings(identity, response, 1).readings[0]?.features, state: {} } as DeviceNode;
    const mapped = kasaCadenceReading(node, response, 2, 'settings');
    expect(Object.keys(mapped.reading?.features ?? {})).not.toContain('pir_enabled');
    expect(Object.keys(mapped.reading?.features ?? {})).not.toContain('ambient_light_enabled');
    expect(mapped.problems.join()).toMatch(/smartlife\.iot\.LAS\.get_config/);
  });
});

describe.skipIf(!hasFixtures)('Kasa light presets (fixtures)', () => {
  it('KL130: four presets by index; the state names the one the bulb shows, null when none', () => {
    const { node, response } = device('KL130');
    expect(node.features?.light_preset?.type).toEqual({ kind: 'enum', options: ['Light preset 1', 'Light preset 2', 'Light preset 3', 'Light preset 4'] });
    expect(node.features?.light_preset?.entity).toMatchObject({ component: 'select', name: 'Light preset', entity_category: 'config' });
    // On at brightness 100, 2700 K: no preset is that.
    expect(node.state.light_preset).toBeNull();
    // Preset 3 (index 2) is colour: hue 120, saturation 75, brightness 100.
    expect(kasaWrite(node, { light_preset: 'Light preset 3' }, response)).toEqual({
      'smartlife.iot.smartbulb.lightingservice': { transition_light_state: { on_off: 1, brightness: 100, color_temp: 0, hue: 120, saturation: 75 } },
    });
    expect(kasaWrite(node, { light_preset: 'Light preset 9' }, response)).toEqual({});
  });

  it('KL430: only the light presets (effect presets need definitions the cloud does not give); KL420L5 has none', () => {
    const { node, response } = device('KL430');
    expect(node.features?.light_preset?.type).toEqual({ kind: 'enum', options: ['Light preset 3', 'Light preset 4', 'Light preset 5'] });
    expect(kasaWrite(node, { light_preset: 'Light preset 5' }, response)).toEqual({
      'smartlife.iot.lightStrip': { set_light_state: { on_off: 1, brightness: 15, color_temp: 2500 } },
    });
    expect(device('KL420L5').node.features).not.toHaveProperty('light_preset');
  });

  it('HS220: brightness presets through set_brightness; the current 25 % is preset 4', () => {
    const { node, response } = device('HS220');
    expect(node.state.light_preset).toBe('Light preset 4');
    expect(kasaWrite(node, { light_preset: 'Light preset 1' }, response)).toEqual({ 'smartlife.iot.dimmer': { set_brightness: { brightness: 100 } } });
  });
});
