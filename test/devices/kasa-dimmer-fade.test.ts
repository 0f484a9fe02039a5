/**
 * Kasa dimmers' fade-on/off times (src/clouds/kasa/modules/dimmer-fade.ts):
 * found in the fixtures' get_dimmer_parameters answers, read in the same
 * settings ask as the other dimmer parameters, written with their own
 * setters, offered to Home Assistant as config numbers. The round trip
 * through MQTT against the simulator runs in fixtures-mqtt.test.ts, as for
 * every writable feature of every fixture.
 */
import { describe, expect, it } from 'vitest';
import { kasaCadenceQuery, kasaWrite } from '../../src/clouds/kasa/devices.js';
import { nodeEntities } from '../../src/homeassistant/entities.js';
import { hasFixtures } from '../helpers/fixtures.js';
import { kasaFixtureDevice as device } from './fixture-nodes.js';

describe.skipIf(!hasFixtures)('Kasa dimmer fade times (fixtures)', () => {
  it('HS220 and KS220M: both times read in ms; plugs have none', () => {
    expect(device('HS220').node.state).toMatchObject({ fade_on_time: 1000, fade_off_time: 1000 });
    expect(device('KS220M').node.state).toMatchObject({ fade_on_time: 0, fade_off_time: 0 });
    expect(device('HS100').node.features).not.toHaveProperty('fade_on_time');
  });

  it('a config number entity each, 0-10000 ms', () => {
    const { node } = device('HS220');
    expect(node.features?.fade_off_time?.type).toEqual({ kind: 'number', min: 0, max: 10_000, step: 100, unit: 'ms' });
    const entities = nodeEntities(node, { baseTopic: 'tplink', name: 'hall_dimmer' }).filter((e) => e.object.startsWith('fade_'));
    expect(entities.map((e) => [e.component, e.object, e.config.unique_id, e.config.default_entity_id])).toEqual([
      ['number', 'fade_on_time', `${node.id}_fade_on_time`, 'number.hall_dimmer_fade_on_time'],
      ['number', 'fade_off_time', `${node.id}_fade_off_time`, 'number.hall_dimmer_fade_off_time'],
    ]);
    expect(entities[0]?.config).toMatchObject({ name: 'Fade on time', device_class: 'duration', unit_of_measurement: 'ms', entity_category: 'config', mode: 'box', min: 0, max: 10_000 });
  });

  it('read in the one get_dimmer_parameters ask the other dimmer settings make', () => {
    expect(kasaCadenceQuery(device('KS220M').node, 'settings')).toMatchObject({ 'smartlife.iot.dimmer': { get_dimmer_parameters: null } });
    expect(Object.keys((kasaCadenceQuery(device('HS220').node, 'settings') as Record<string, object>)['smartlife.iot.dimmer'] ?? {})).toEqual(['get_dimmer_parameters']);
  });

  it('written with set_fade_on_time / set_fade_off_time, in one passthrough with other settings', () => {
    const { node } = device('HS220');
    expect(kasaWrite(node, { fade_on_time: 500 })).toEqual({ 'smartlife.iot.dimmer': { set_fade_on_time: { fadeTime: 500 } } });
    expect(kasaWrite(node, { fade_off_time: 2000, gentle_on_time: 4000 })).toEqual({
      'smartlife.iot.dimmer': { set_fade_off_time: { fadeTime: 2000 }, set_gentle_on_time: { duration: 4000 } },
    });
    expect(kasaWrite(device('HS100').node, { fade_on_time: 500 })).toEqual({});
  });
});
