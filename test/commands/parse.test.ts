import { describe, expect, it } from 'vitest';
import { parseSetPayload, MAX_PAYLOAD_BYTES } from '../../src/commands/parse.js';
import type { DesiredState } from '../../src/commands/types.js';
import type { DeviceNode } from '../../src/model/node.js';
import { featureSet, withRange, type Feature } from '../../src/model/feature.js';
import { STATE } from '../../src/model/features.js';
import { bulb, dimmer, kasaNode, lightstrip, meteredPlug, outlet, plug, strip, tapoBulb, whiteBulb } from './nodes.js';

type Good = [string, DeviceNode, string | undefined, string | Buffer, DesiredState];
type Bad = [string, DeviceNode, string | undefined, string | Buffer, RegExp];

const good: Good[] = [
  ['plain ON', plug, undefined, 'ON', { state: 'ON' }],
  ['plain off lower case, spaces', plug, undefined, '  off \n', { state: 'OFF' }],
  ['plain Toggle', plug, undefined, 'Toggle', { state: 'TOGGLE' }],
  ['1', plug, undefined, '1', { state: 'ON' }],
  ['0', plug, undefined, '0', { state: 'OFF' }],
  ['true', plug, undefined, 'true', { state: 'ON' }],
  ['FALSE', plug, undefined, 'FALSE', { state: 'OFF' }],
  ['JSON string', plug, undefined, '"on"', { state: 'ON' }],
  ['JSON state', outlet, undefined, '{"state":"ON"}', { state: 'ON' }],
  ['JSON state boolean', outlet, undefined, '{"state":true}', { state: 'ON' }],
  ['JSON state + led', plug, undefined, '{"state":"off","led":"OFF"}', { state: 'OFF', led: 'OFF' }],
  ['strip ON = all outlets', strip, undefined, 'ON', { state: 'ON' }],
  ['strip led', strip, 'led', 'on', { led: 'ON' }],
  ['dimmer brightness', dimmer, undefined, '{"brightness":60}', { brightness: 60 }],
  ['dimmer brightness 0 = OFF', dimmer, undefined, '{"state":"ON","brightness":0}', { state: 'OFF' }],
  ['dimmer brightness string', dimmer, undefined, '{"brightness":"42"}', { brightness: 42 }],
  ['dimmer transition', dimmer, undefined, '{"brightness":10,"transition":2.5}', { brightness: 10, transition: 2.5 }],
  [
    'bulb full',
    bulb,
    undefined,
    '{"state":"ON","brightness":60,"color_temp":2700,"transition":1}',
    { state: 'ON', brightness: 60, color_temp: 2700, transition: 1 },
  ],
  ['bulb colour h/s', bulb, undefined, '{"color":{"h":30,"s":80}}', { color: { h: 30, s: 80 } }],
  ['bulb colour floats rounded', bulb, undefined, '{"color":{"h":30.6,"s":79.5}}', { color: { h: 31, s: 80 } }],
  ['bulb colour hue/saturation', bulb, undefined, '{"color":{"hue":360,"saturation":0}}', { color: { h: 360, s: 0 } }],
  ['lightstrip colour', lightstrip, undefined, '{"state":"ON","color":{"h":0,"s":100}}', { state: 'ON', color: { h: 0, s: 100 } }],
  ['attr brightness', dimmer, 'brightness', '60', { brightness: 60 }],
  ['attr brightness 0', dimmer, 'brightness', '0', { state: 'OFF' }],
  ['attr led', plug, 'led', 'OFF', { led: 'OFF' }],
  ['attr state toggle', plug, 'state', 'toggle', { state: 'TOGGLE' }],
  ['attr color_temp', bulb, 'color_temp', '3000', { color_temp: 3000 }],
  ['attr color', bulb, 'color', '{"h":120,"s":50}', { color: { h: 120, s: 50 } }],
  ['attr transition', bulb, 'transition', '0', { transition: 0 }],
  ['buffer payload', plug, undefined, Buffer.from('ON'), { state: 'ON' }],
  ['tapo bulb range edge', tapoBulb, undefined, '{"color_temp":6500}', { color_temp: 6500 }],
];

const bad: Bad[] = [
  ['empty', plug, undefined, '', /empty/],
  ['whitespace', plug, undefined, '  ', /empty/],
  ['word', plug, undefined, 'MAYBE', /ON, OFF or TOGGLE/],
  ['number 2', plug, undefined, '2', /ON, OFF or TOGGLE/],
  ['broken JSON', plug, undefined, '{"state":', /not valid JSON/],
  ['JSON array', plug, undefined, '[1,2]', /ON, OFF or TOGGLE/],
  ['JSON null', plug, undefined, 'null', /ON, OFF or TOGGLE/],
  ['empty object', plug, undefined, '{}', /nothing to set/],
  ['unknown key', plug, undefined, '{"state":"ON","sparkle":"rainbow"}', /unknown key "sparkle"/],
  ['read-only feature', meteredPlug, undefined, '{"power":5}', /power is read-only/],
  ['feature of another family', plug, 'color', '{"h":1,"s":1}', /color is not supported/],
  ['unknown keys', plug, undefined, '{"a":1,"b":2}', /unknown keys "a", "b"/],
  ['proto key', plug, undefined, '{"__proto__":{"x":1}}', /unknown key "__proto__"/],
  ['led on plug without led', outlet, undefined, '{"led":"ON"}', /led is not supported/],
  ['brightness on plug', plug, undefined, '{"brightness":50}', /brightness is not supported/],
  ['brightness 101', dimmer, undefined, '{"brightness":101}', /brightness.*100 or less/],
  ['brightness -1', dimmer, undefined, '{"brightness":-1}', /brightness.*0 or more/],
  ['brightness float', dimmer, undefined, '{"brightness":50.5}', /brightness.*integer/],
  ['brightness string', dimmer, 'brightness', 'bright', /brightness.*number/],
  ['color_temp below', whiteBulb, undefined, '{"color_temp":2000}', /color_temp must be 2700-5000 K/],
  ['color_temp above', whiteBulb, 'color_temp', '6500', /color_temp must be 2700-5000 K/],
  ['color_temp mired-ish', bulb, undefined, '{"color_temp":153}', /2500-9000 K/],
  ['color_temp on dimmer', dimmer, undefined, '{"color_temp":3000}', /color_temp is not supported/],
  ['color on white bulb', whiteBulb, undefined, '{"color":{"h":1,"s":1}}', /color is not supported/],
  ['hue 361', bulb, undefined, '{"color":{"h":361,"s":1}}', /color/],
  ['sat 101', bulb, 'color', '{"h":1,"s":101}', /color/],
  ['color x/y', bulb, undefined, '{"color":{"x":0.3,"y":0.3}}', /color/],
  ['color and color_temp', bulb, undefined, '{"color":{"h":1,"s":1},"color_temp":3000}', /together/],
  ['transition 61', bulb, undefined, '{"transition":61}', /transition.*60 or less/],
  ['transition on plug', plug, undefined, '{"state":"ON","transition":1}', /transition is not supported/],
  ['TOGGLE on strip', strip, undefined, 'TOGGLE', /TOGGLE is not supported on a power strip/],
  ['led TOGGLE', plug, 'led', 'TOGGLE', /led.*ON or OFF/],
  ['state on strip-less node', kasaNodeNoRelay(), undefined, 'ON', /cannot be switched/],
  ['unknown attribute', plug, 'sparkle', 'x', /unknown attribute "sparkle"/],
  ['empty attribute value', plug, 'state', '', /empty value/],
  ['binary', plug, undefined, Buffer.from([0xff, 0xfe, 0x00, 0x80]), /not UTF-8/],
  ['too large', plug, undefined, 'O'.repeat(MAX_PAYLOAD_BYTES + 1), /too large/],
  ['deep JSON', plug, undefined, `{"state":${'['.repeat(1000)}${']'.repeat(1000)}}`, /state/],
];

function kasaNodeNoRelay(): DeviceNode {
  const { state: _state, ...features } = plug.features ?? {};
  return { ...plug, features };
}

describe('parseSetPayload', () => {
  it.each(good)('accepts %s', (_name, node, attribute, payload, expected) => {
    expect(parseSetPayload(payload, attribute, node)).toEqual({ ok: true, desired: expected });
  });

  it.each(bad)('rejects %s', (_name, node, attribute, payload, reason) => {
    const result = parseSetPayload(payload, attribute, node);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(reason);
      expect(result.reason.length).toBeLessThan(300);
    }
  });

  it('checks each node against its own features, also when nodes of another shape were parsed before', () => {
    // Schemas are shared between nodes of one shape: a range or a feature must never leak to another shape.
    const ramp: Feature = { id: 'ramp', doc: 'A ramp.', writable: true, readable: true, type: { kind: 'number', min: 10, max: 50, step: 1 } };
    const narrow = kasaNode('dimmer', [STATE, ramp], { id: 'kasa_narrow' });
    const wide = kasaNode('dimmer', [STATE, withRange(ramp, 0, 500)], { id: 'kasa_wide' });
    expect(parseSetPayload('{"ramp": 100}', undefined, narrow)).toMatchObject({ ok: false });
    expect(parseSetPayload('{"ramp": 100}', undefined, wide)).toEqual({ ok: true, desired: { ramp: 100 } });
    expect(parseSetPayload('{"ramp": 100}', undefined, narrow)).toMatchObject({ ok: false });
    // A node that learned a feature (a new feature set) is checked against it at once.
    const grown: DeviceNode = { ...plug, features: featureSet([...Object.values(plug.features ?? {}), ramp]) };
    expect(parseSetPayload('{"ramp": 20}', undefined, plug)).toMatchObject({ ok: false });
    expect(parseSetPayload('{"ramp": 20}', undefined, grown)).toEqual({ ok: true, desired: { ramp: 20 } });
  });

  it('never echoes a long input in the reason', () => {
    const key = 'k'.repeat(1000);
    const result = parseSetPayload(JSON.stringify({ [key]: 1 }), undefined, plug);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.length).toBeLessThan(100);
    const attr = parseSetPayload('1', 'z'.repeat(500), plug);
    if (!attr.ok) expect(attr.reason.length).toBeLessThan(100);
  });

  it('never throws on random input (fuzz)', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const nodes = [plug, outlet, strip, dimmer, bulb, whiteBulb, lightstrip, tapoBulb];
    const attributes = [undefined, 'state', 'brightness', 'color', 'color_temp', 'led', 'transition', 'x'];
    const fragments = ['{', '}', '[', ']', '"', ':', ',', 'state', 'ON', 'brightness', 'color', 'h', 's', '1e999', '-0', 'null', 'true', '\\u0000', '9'.repeat(30)];
    for (let i = 0; i < 4000; i++) {
      const node = nodes[i % nodes.length] as DeviceNode;
      const attribute = attributes[Math.floor(rand() * attributes.length)];
      let payload: Buffer | string;
      if (i % 3 === 0) {
        payload = Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
      } else if (i % 3 === 1) {
        payload = Array.from({ length: Math.floor(rand() * 20) }, () => fragments[Math.floor(rand() * fragments.length)]).join('');
      } else {
        const value: Record<string, unknown> = {
          state: ['ON', 'off', 1, 2, null, [], {}][Math.floor(rand() * 7)],
          brightness: Math.floor(rand() * 300) - 100,
          color_temp: Math.floor(rand() * 10000),
          color: { h: rand() * 500 - 50, s: rand() * 150 },
        };
        for (const key of Object.keys(value)) if (rand() < 0.5) delete value[key];
        payload = JSON.stringify(value);
      }
      const result = parseSetPayload(payload, attribute, node);
      expect(typeof result.ok).toBe('boolean');
      if (result.ok) {
        const d = result.desired;
        if (d.brightness !== undefined) expect(d.brightness).toBeGreaterThanOrEqual(1);
        if (d.brightness !== undefined) expect(d.brightness).toBeLessThanOrEqual(100);
        if (d.color) expect(d.color.h).toBeLessThanOrEqual(360);
      }
    }
  });
});
