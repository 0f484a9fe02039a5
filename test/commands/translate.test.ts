import { describe, expect, it } from 'vitest';
import {
  kasaRequest,
  kasaStripRequest,
  mergeDesired,
  optimisticState,
  resolveToggle,
  tapoDesired,
} from '../../src/commands/translate.js';
import type { KasaAddress } from '../../src/model/node.js';
import { bulb, dimmer, lightstrip, outlet, plug, strip, tapoBulb, tapoPlug } from './nodes.js';

describe('kasaRequest', () => {
  it('plug relay and LED in one request', () => {
    expect(kasaRequest(plug, { state: 'ON' })).toEqual({ system: { set_relay_state: { state: 1 } } });
    expect(kasaRequest(plug, { state: 'OFF' })).toEqual({ system: { set_relay_state: { state: 0 } } });
    expect(kasaRequest(plug, { led: 'OFF' })).toEqual({ system: { set_led_off: { off: 1 } } });
    expect(kasaRequest(plug, { state: 'ON', led: 'ON' })).toEqual({
      system: { set_relay_state: { state: 1 }, set_led_off: { off: 0 } },
    });
  });

  it('outlet adds context.child_ids', () => {
    expect(kasaRequest(outlet, { state: 'ON' })).toEqual({
      context: { child_ids: ['DEV101'] },
      system: { set_relay_state: { state: 1 } },
    });
  });

  it('strip parent switches every outlet (no context)', () => {
    expect(kasaRequest(strip, { state: 'OFF' })).toEqual({ system: { set_relay_state: { state: 0 } } });
  });

  it('dimmer: brightness turns it on too', () => {
    expect(kasaRequest(dimmer, { brightness: 40 })).toEqual({
      'smartlife.iot.dimmer': { set_brightness: { brightness: 40 } },
      system: { set_relay_state: { state: 1 } },
    });
    expect(kasaRequest(dimmer, { state: 'OFF' })).toEqual({ system: { set_relay_state: { state: 0 } } });
  });

  it('bulb: transition_light_state, hs sets color_temp 0', () => {
    expect(kasaRequest(bulb, { state: 'ON', brightness: 60, color: { h: 30, s: 80 }, transition: 1.5 })).toEqual({
      'smartlife.iot.smartbulb.lightingservice': {
        transition_light_state: { on_off: 1, brightness: 60, hue: 30, saturation: 80, color_temp: 0, transition_period: 1500 },
      },
    });
    expect(kasaRequest(bulb, { color_temp: 2700 })).toEqual({
      'smartlife.iot.smartbulb.lightingservice': { transition_light_state: { color_temp: 2700 } },
    });
    expect(kasaRequest(bulb, { state: 'OFF' })).toEqual({
      'smartlife.iot.smartbulb.lightingservice': { transition_light_state: { on_off: 0 } },
    });
  });

  it('light strip: set_light_state with the same fields', () => {
    expect(kasaRequest(lightstrip, { brightness: 5, color: { h: 0, s: 100 } })).toEqual({
      'smartlife.iot.lightStrip': { set_light_state: { on_off: 1, brightness: 5, hue: 0, saturation: 100, color_temp: 0 } },
    });
  });

  it('nothing to do gives {} and a Tapo node throws', () => {
    expect(kasaRequest(plug, {})).toEqual({});
    expect(kasaRequest(outlet, {})).toEqual({});
    expect(() => kasaRequest(tapoPlug, { state: 'ON' })).toThrow(/not a Kasa node/);
  });
});

describe('kasaStripRequest', () => {
  it('switches several outlets in one passthrough', () => {
    expect(kasaStripRequest(strip, ['DEV100', 'DEV101', 'DEV102'], 1)).toEqual({
      context: { child_ids: ['DEV100', 'DEV101', 'DEV102'] },
      system: { set_relay_state: { state: 1 } },
    });
    expect(kasaStripRequest(strip.address as KasaAddress, ['DEV100'], 0)).toEqual({
      context: { child_ids: ['DEV100'] },
      system: { set_relay_state: { state: 0 } },
    });
    expect(() => kasaStripRequest(strip, [], 1)).toThrow();
    expect(() => kasaStripRequest(tapoPlug, ['x'], 1)).toThrow();
  });
});

describe('tapoDesired', () => {
  it('maps to the shadow fields', () => {
    expect(tapoDesired(tapoPlug, { state: 'ON' })).toEqual({ on: true });
    expect(tapoDesired(tapoPlug, { state: 'OFF' })).toEqual({ on: false });
    expect(tapoDesired(tapoBulb, { brightness: 30 })).toEqual({ on: true, brightness: 30 });
    expect(tapoDesired(tapoBulb, { color: { h: 200, s: 50 } })).toEqual({ hue: 200, saturation: 50, color_temp: 0 });
    expect(tapoDesired(tapoBulb, { state: 'ON', color_temp: 4000, transition: 2, led: 'OFF' })).toEqual({
      on: true,
      color_temp: 4000,
    });
    expect(() => tapoDesired(plug, { state: 'ON' })).toThrow(/not a Tapo node/);
  });
});

describe('optimisticState', () => {
  it('applies the command over the current state', () => {
    const node = { ...bulb, state: { state: 'OFF' as const, brightness: 20, color_temp: 3000, color_mode: 'color_temp' as const, rssi: -50 } };
    expect(optimisticState(node, { brightness: 70 })).toEqual({ state: 'ON', brightness: 70, color_temp: 3000, color_mode: 'color_temp', rssi: -50 });
    expect(optimisticState(node, { color: { h: 10, s: 20 } })).toMatchObject({ state: 'OFF', color: { h: 10, s: 20 }, color_mode: 'hs' });
    expect(optimisticState(node, { state: 'ON', color_temp: 5000 })).toMatchObject({ state: 'ON', color_temp: 5000, color_mode: 'color_temp' });
    expect(optimisticState(plug, { state: 'ON', led: 'OFF' })).toEqual({ state: 'ON', led: 'OFF' });
    expect(node.state.brightness).toBe(20); // not mutated
  });
});

describe('resolveToggle', () => {
  it('flips the last known state; unknown counts as OFF', () => {
    expect(resolveToggle({ state: 'TOGGLE' }, { state: 'ON' })).toEqual({ state: 'OFF' });
    expect(resolveToggle({ state: 'TOGGLE', led: 'ON' }, { state: 'OFF' })).toEqual({ state: 'ON', led: 'ON' });
    expect(resolveToggle({ state: 'TOGGLE' }, {})).toEqual({ state: 'ON' });
    expect(resolveToggle({ brightness: 3 }, {})).toEqual({ brightness: 3 });
  });
});

describe('mergeDesired', () => {
  it.each([
    [{ state: 'ON' }, { state: 'OFF' }, { state: 'OFF' }],
    [{ state: 'TOGGLE' }, { state: 'TOGGLE' }, {}],
    [{ state: 'ON' }, { state: 'TOGGLE' }, { state: 'OFF' }],
    [{ state: 'OFF' }, { state: 'TOGGLE' }, { state: 'ON' }],
    [{ state: 'TOGGLE' }, { state: 'ON' }, { state: 'ON' }],
    [{ brightness: 10 }, { state: 'TOGGLE' }, { brightness: 10, state: 'TOGGLE' }],
    [{ state: 'ON', brightness: 10 }, { brightness: 50 }, { brightness: 50 }],
    [{ state: 'OFF' }, { brightness: 50 }, { brightness: 50 }],
    [{ brightness: 50, color: { h: 1, s: 2 } }, { state: 'OFF' }, { state: 'OFF' }],
    [{ color: { h: 1, s: 2 } }, { color_temp: 3000 }, { color_temp: 3000 }],
    [{ color_temp: 3000 }, { color: { h: 1, s: 2 } }, { color: { h: 1, s: 2 } }],
    [{ led: 'ON', state: 'ON' }, { led: 'OFF' }, { led: 'OFF', state: 'ON' }],
    [{ state: 'ON', transition: 2 }, { brightness: 30, transition: 5 }, { brightness: 30, transition: 5 }],
  ] as const)('%j + %j = %j', (older, newer, expected) => {
    expect(mergeDesired(older, newer)).toEqual(expected);
  });
});
