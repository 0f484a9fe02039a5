import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TapoThingInput } from '../../src/model/inputs.js';
import type { DeviceNode } from '../../src/model/node.js';
import { applyTapoShadow, applyTapoUsage, decodeNickname, tapoNodes } from '../../src/clouds/tapo/devices.js';
import { fixtureFiles, hasFixtures } from '../helpers/fixtures.js';
import { tapoCase } from './fixture-nodes.js';

function mapFixture(prefix: string): { nodes: DeviceNode[]; c: ReturnType<typeof tapoCase> } {
  const file = fixtureFiles('tapo').find((f) => basename(f).startsWith(prefix));
  if (!file) throw new Error(`no fixture ${prefix}`);
  const c = tapoCase(file);
  return { nodes: tapoNodes(c.things, c.shadows), c };
}

const thing = (over: Partial<TapoThingInput> = {}): TapoThingInput => ({
  thingName: '80223AAAA',
  nickname: 'UGx1Zw==',
  model: 'P100',
  deviceType: 'SMART.TAPOPLUG',
  category: 'plug',
  status: 1,
  appServerUrl: 'https://euw1-app-server.iot.i.tplinknbu.com',
  ...over,
});

describe.skipIf(!hasFixtures)('Tapo fixtures', () => {
  it.each(fixtureFiles('tapo').map((f) => [basename(f), f]))('%s maps without surprises', (_name, file) => {
    const c = tapoCase(file);
    const nodes = tapoNodes(c.things, c.shadows);
    expect(nodes.length).toBe(c.things.length);
    for (const node of nodes) {
      expect(node.id).toMatch(/^tapo_[a-zA-Z0-9_-]+$/);
      expect(node.name).toBe('#MASKED_NAME#');
      expect(node.cloud).toBe('tapo');
    }
  });

  it('P110: metering plug; energy from usage (mW, Wh)', () => {
    const { nodes, c } = mapFixture('P110');
    const [plug] = nodes;
    expect(plug).toMatchObject({ kind: 'plug', model: 'P110', online: true });
    expect(plug?.capabilities.energy).toEqual({ power: true, voltage: false, current: false, energy: true });
    expect(plug?.capabilities.protection).toEqual(['overcurrent', 'overheat', 'power_protection']);
    expect(plug?.state).toMatchObject({ state: 'OFF', rssi: -42, overheat: false, power_protection: false, on_time: 0 });
    const state = applyTapoUsage(plug as DeviceNode, c.usage ?? {});
    expect(state).toMatchObject({ power: 0, energy: 0.43, state: 'OFF' });
    expect(applyTapoUsage(plug as DeviceNode, { current_power: 12345, today_energy: 46 })).toMatchObject({ power: 12.35, energy: 0.046 });
  });

  it('P100: plain plug, no meter, overheat state', () => {
    const [plug] = mapFixture('P100').nodes;
    expect(plug?.capabilities.energy).toBeUndefined();
    expect(plug?.capabilities.protection).toEqual(['overheat']);
    expect(plug?.state).toMatchObject({ state: 'OFF', rssi: -57, overheat: false });
    expect(applyTapoUsage(plug as DeviceNode, { energy_usage: { current_power: 5000 } }).power).toBeUndefined();
  });

  it('L530: colour bulb with the reported Kelvin range', () => {
    const { nodes, c } = mapFixture('L530');
    const [bulb] = nodes;
    expect(bulb?.kind).toBe('bulb');
    expect(bulb?.capabilities).toMatchObject({ relay: true, brightness: true, color: true, colorTemp: { min: 2500, max: 6500 } });
    expect(bulb?.state).toMatchObject({ state: 'ON', brightness: 100, color_temp: 2700, color: { h: 0, s: 100 }, color_mode: 'color_temp' });
    const thingName = c.things[0]?.thingName ?? '';
    const colour = applyTapoShadow(bulb as DeviceNode, { thingName, state: { reported: { color_temp: 0, hue: 240, saturation: 80 } }, version: 2 });
    expect(colour).toMatchObject({ color_mode: 'hs', color: { h: 240, s: 80 } });
    expect(colour.color_temp).toBeUndefined();
  });

  it('P300: a strip without a relay of its own and three socket outlets', () => {
    const { nodes, c } = mapFixture('P300');
    const [strip, ...outlets] = nodes;
    expect(strip).toMatchObject({ kind: 'strip', name: '#MASKED_NAME#' });
    expect(strip?.capabilities.relay).toBe(false);
    expect(outlets).toHaveLength(3);
    for (const outlet of outlets) {
      expect(outlet).toMatchObject({ kind: 'outlet', parentId: strip?.id, mac: undefined });
      expect(outlet.capabilities.relay).toBe(true);
      expect(outlet.capabilities.protection).toEqual(['overheat']);
      expect(outlet.state).toMatchObject({ state: 'OFF', overheat: false });
    }
    expect(outlets.map((o) => o.address)).toEqual(c.things.slice(1).map((t) => ({ cloud: 'tapo', thingName: t.thingName, appServerUrl: '' })));
  });
});

describe('Tapo mapping without fixtures', () => {
  it('decodes nicknames defensively', () => {
    expect(decodeNickname('TGl2aW5nIHJvb20=')).toBe('Living room');
    expect(decodeNickname('8J+SoSBMYW1w')).toBe('💡 Lamp');
    expect(decodeNickname('Desk')).toBe('Desk');
    expect(decodeNickname('Kitchen plug')).toBe('Kitchen plug');
    expect(decodeNickname('//79')).toBe('//79'); // valid base64, invalid UTF-8
    expect(decodeNickname('AAEC')).toBe('AAEC'); // decodes to control bytes
    expect(decodeNickname(undefined)).toBe('');
    expect(decodeNickname(42)).toBe('');
  });

  it('falls back to the model for a nameless thing and keeps a parentless socket as a plug', () => {
    const nodes = tapoNodes([
      thing({ nickname: '' }),
      thing({ thingName: 'orphan', isSubThing: true, edgeThingName: 'missing', category: 'plug.powerstrip.sub-plug', model: 'P300' }),
    ]);
    expect(nodes.map((n) => [n.name, n.kind, n.parentId])).toEqual([
      ['P100', 'plug', undefined],
      ['Plug', 'plug', undefined],
    ]);
  });

  it('skips Kasa devices, hubs and garbage', () => {
    const nodes = tapoNodes([
      thing({ thingName: 'kasa', deviceType: 'IOT.SMARTPLUGSWITCH', model: 'HS103' }),
      thing({ thingName: 'hub', deviceType: 'SMART.TAPOHUB', model: 'H100', category: 'hub' }),
      null as unknown as TapoThingInput,
      { status: 1 } as TapoThingInput,
      thing({ thingName: 'ok' }),
    ]);
    expect(nodes.map((n) => n.id)).toEqual(['tapo_ok']);
    expect(tapoNodes('nope' as unknown as TapoThingInput[])).toEqual([]);
  });

  it('never throws on broken shadows or usage', () => {
    const [node] = tapoNodes([thing({ model: 'P110' })], new Map([['80223AAAA', { thingName: '80223AAAA', state: null, version: 1 } as never]]));
    expect(node?.state).toEqual({});
    for (const bad of [null, 'x', 3, { state: 'x' }, { state: { reported: [] } }, { state: { reported: { on: 'yes', rssi: 'low' } } }]) {
      expect(applyTapoShadow(node as DeviceNode, bad as never)).toEqual({});
    }
    for (const bad of [null, 'x', { energy_usage: 'x' }, { current_power: 'lots' }, { current_power: -5 }]) {
      expect(applyTapoUsage(node as DeviceNode, bad as never)).toEqual({});
    }
  });

  it('derives light capabilities from the model and the shadow', () => {
    const shadows = new Map([
      ['l900', { thingName: 'l900', state: { reported: { on: true, hue: 10, saturation: 50, color_temp_range: [9000, 9000] } }, version: 1 }],
      ['l510', { thingName: 'l510', state: { reported: { on: false, brightness: 40 } }, version: 1 }],
    ]);
    const [strip, bulb] = tapoNodes(
      [
        thing({ thingName: 'l900', model: 'L900', deviceType: 'SMART.TAPOBULB', category: 'bulb' }),
        thing({ thingName: 'l510', model: 'L510E', deviceType: 'SMART.TAPOBULB', category: 'bulb' }),
      ],
      shadows,
    );
    expect(strip?.kind).toBe('lightstrip');
    expect(strip?.capabilities.color).toBe(true);
    expect(strip?.capabilities.colorTemp).toBeUndefined();
    expect(strip?.state).toMatchObject({ state: 'ON', color: { h: 10, s: 50 }, color_mode: 'hs' });
    expect(bulb?.capabilities).toMatchObject({ brightness: true, color: false });
    expect(bulb?.state).toMatchObject({ state: 'OFF', brightness: 40, color_mode: 'brightness' });
  });

  it('reads protection states: anything but "normal" is a problem', () => {
    const shadows = new Map([
      ['p', { thingName: 'p', state: { reported: { on: true, overcurrent_status: 'lastOverCurrent', power_protection_status: 'normal', overheat_status: 'cooling_down' } }, version: 1 }],
    ]);
    const [plug] = tapoNodes([thing({ thingName: 'p', model: 'P110M' })], shadows);
    expect(plug?.state).toMatchObject({ overcurrent: true, power_protection: false, overheat: true });
  });
});
