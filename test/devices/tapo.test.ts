import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TapoShadowInput, TapoThingInput } from '../../src/model/inputs.js';
import type { DeviceNode } from '../../src/model/node.js';
import { decodeNickname, tapoReadings, tapoTargets, tapoUsageReading, tapoWrite } from '../../src/clouds/tapo/devices.js';
import { fixtureFiles, hasFixtures } from '../helpers/fixtures.js';
import { tapoCase, tapoFixtureNodes } from './fixture-nodes.js';

function mapFixture(prefix: string): { nodes: DeviceNode[]; c: ReturnType<typeof tapoCase> } {
  const file = fixtureFiles('tapo').find((f) => basename(f).startsWith(prefix));
  if (!file) throw new Error(`no fixture ${prefix}`);
  const c = tapoCase(file);
  return { nodes: tapoFixtureNodes(c), c };
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

const ids = (node: DeviceNode | undefined) => Object.keys(node?.features ?? {});

/** Things and shadows as one state read sees them. */
function read(things: TapoThingInput[], shadows: Map<string, TapoShadowInput>) {
  return tapoReadings(tapoTargets(things), shadows, 1);
}

describe.skipIf(!hasFixtures)('Tapo fixtures', () => {
  it.each(fixtureFiles('tapo').map((f) => [basename(f), f]))('%s maps without surprises', (_name, file) => {
    const c = tapoCase(file);
    const nodes = tapoFixtureNodes(c);
    expect(nodes.length).toBe(c.things.length);
    for (const node of nodes) {
      expect(node.id).toMatch(/^tapo_[a-zA-Z0-9_-]+$/);
      // Masked in the fixtures; a strip without a nickname is named after its model.
      expect(['#MASKED_NAME#', node.model]).toContain(node.name);
      expect(node.cloud).toBe('tapo');
      expect(node.features).toBeDefined();
      for (const feature of Object.values(node.features ?? {})) {
        if (feature.readable && !['power', 'energy', 'energy_today', 'voltage', 'current'].includes(feature.id)) expect(node.state, `${node.id} ${feature.id}`).toHaveProperty(feature.id);
      }
    }
  });

  it('P110: metering plug; energy from usage (mW, Wh); only the protection states it reports', () => {
    const { nodes, c } = mapFixture('P110(');
    const [plug] = nodes;
    expect(plug).toMatchObject({ kind: 'plug', model: 'P110', online: true });
    expect(ids(plug)).toEqual(['state', 'power', 'energy', 'energy_today', 'auto_off_at', 'overheat', 'power_protection', 'rssi', 'signal_level', 'ssid', 'on_time', 'on_since', 'reboot']);
    expect(plug?.state).toMatchObject({ state: 'OFF', rssi: -42, overheat: false, power_protection: false, on_time: 0, power: 0, energy: 0.43 });
    expect(tapoUsageReading(plug as DeviceNode, c.usage ?? {}, 1)?.values).toEqual({ power: 0, energy: 0.43, energy_today: 0.046 });
    // No month figure: today's is today's, never passed off as the month's.
    expect(tapoUsageReading(plug as DeviceNode, { current_power: 12345, today_energy: 46 }, 1)?.values).toEqual({ power: 12.35, energy_today: 0.046 });
  });

  it('P100: plain plug, no meter, overheat state', () => {
    const [plug] = mapFixture('P100').nodes;
    expect(ids(plug)).not.toContain('power');
    expect(plug?.state).toMatchObject({ state: 'OFF', rssi: -57, overheat: false });
    expect(tapoUsageReading(plug as DeviceNode, { energy_usage: { current_power: 5000 } }, 1)).toBeUndefined();
  });

  it('L530: colour bulb with the reported Kelvin range', () => {
    const { nodes, c } = mapFixture('L530');
    const [bulb] = nodes;
    expect(bulb?.kind).toBe('bulb');
    expect(ids(bulb).slice(0, 4)).toEqual(['state', 'brightness', 'color_temp', 'color']);
    expect(bulb?.features?.color_temp?.type).toMatchObject({ min: 2500, max: 6500 });
    expect(bulb?.state).toMatchObject({ state: 'ON', brightness: 100, color_temp: 2700, color: { h: 0, s: 100 }, color_mode: 'color_temp' });
    const thingName = c.things[0]?.thingName ?? '';
    const [colour] = read(c.things, new Map([[thingName, { thingName, state: { reported: { color_temp: 0, hue: 240, saturation: 80 } }, version: 2 }]]));
    expect(colour?.values).toMatchObject({ color_mode: 'hs', color: { h: 240, s: 80 } });
    expect(colour?.values.color_temp).toBeUndefined();
  });

  it('P300: a strip whose state is its sockets\', no switch of its own, three socket outlets', () => {
    const { nodes, c } = mapFixture('P300');
    const [strip, ...outlets] = nodes;
    expect(strip).toMatchObject({ kind: 'strip', name: '#MASKED_NAME#' });
    expect(ids(strip)).toEqual(['state', 'rssi', 'signal_level', 'ssid', 'reboot']);
    expect(strip?.state.state).toBe('OFF');
    expect(outlets).toHaveLength(3);
    for (const outlet of outlets) {
      expect(outlet).toMatchObject({ kind: 'outlet', parentId: strip?.id, mac: undefined });
      expect(ids(outlet)).toEqual(['state', 'overheat', 'on_time', 'on_since']);
      expect(outlet.state).toMatchObject({ state: 'OFF', overheat: false });
    }
    expect(outlets.map((o) => o.address)).toEqual(c.things.slice(1).map((t) => ({ cloud: 'tapo', thingName: t.thingName, appServerUrl: '' })));
  });

  it('P316M: six metered sockets', () => {
    const { nodes } = mapFixture('P316M');
    const outlets = nodes.filter((n) => n.kind === 'outlet');
    expect(outlets).toHaveLength(6);
    for (const outlet of outlets) expect(ids(outlet)).toEqual(expect.arrayContaining(['state', 'power', 'energy', 'overcurrent']));
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
    const targets = tapoTargets([
      thing({ nickname: '' }),
      thing({ thingName: 'orphan', isSubThing: true, edgeThingName: 'missing', category: 'plug.powerstrip.sub-plug', model: 'P300' }),
    ]);
    expect(targets.map(({ node }) => [node.name, node.kind, node.parentId])).toEqual([
      ['P100', 'plug', undefined],
      ['Plug', 'plug', undefined],
    ]);
  });

  it('skips Kasa devices, hubs and garbage', () => {
    const targets = tapoTargets([
      thing({ thingName: 'kasa', deviceType: 'IOT.SMARTPLUGSWITCH', model: 'HS103' }),
      thing({ thingName: 'hub', deviceType: 'SMART.TAPOHUB', model: 'H100', category: 'hub' }),
      null as unknown as TapoThingInput,
      { status: 1 } as TapoThingInput,
      thing({ thingName: 'ok' }),
    ]);
    expect(targets.map(({ node }) => node.id)).toEqual(['tapo_ok']);
    expect(tapoTargets('nope' as unknown as TapoThingInput[])).toEqual([]);
  });

  it('never throws on broken shadows or usage', () => {
    for (const bad of [null, 'x', 3, { state: 'x' }, { state: { reported: [] } }, { state: { reported: { on: 'yes', rssi: 'low' } } }]) {
      const [reading] = read([thing({ model: 'P110' })], new Map([['80223AAAA', bad as never]]));
      if (reading) expect(reading.values).toEqual({});
    }
    const [target] = tapoTargets([thing({ model: 'P110' })]);
    const node: DeviceNode = { ...(target?.node as DeviceNode), features: { power: { id: 'power', type: { kind: 'number' }, readable: true, writable: false, doc: '' } }, state: {} };
    for (const bad of [null, 'x', { energy_usage: 'x' }, { current_power: 'lots' }, { current_power: -5 }]) {
      expect(tapoUsageReading(node, bad as never, 1)).toBeUndefined();
    }
  });

  it('derives light features from the model and the shadow', () => {
    const shadows = new Map([
      ['l900', { thingName: 'l900', state: { reported: { on: true, hue: 10, saturation: 50, color_temp_range: [9000, 9000] } }, version: 1 }],
      ['l510', { thingName: 'l510', state: { reported: { on: false, brightness: 40 } }, version: 1 }],
    ]);
    const [strip, bulb] = read(
      [
        thing({ thingName: 'l900', model: 'L900', deviceType: 'SMART.TAPOBULB', category: 'bulb' }),
        thing({ thingName: 'l510', model: 'L510E', deviceType: 'SMART.TAPOBULB', category: 'bulb' }),
      ],
      shadows,
    );
    expect(strip?.identity?.kind).toBe('lightstrip');
    expect(Object.keys(strip?.features ?? {})).toEqual(['state', 'brightness', 'color', 'reboot']);
    expect(strip?.values).toMatchObject({ state: 'ON', color: { h: 10, s: 50 }, color_mode: 'hs' });
    expect(Object.keys(bulb?.features ?? {})).toEqual(['state', 'brightness', 'reboot']);
    expect(bulb?.values).toMatchObject({ state: 'OFF', brightness: 40, color_mode: 'brightness' });
  });

  it('reads protection states: anything but "normal" is a problem; unreported ones are no feature', () => {
    const shadows = new Map([
      ['p', { thingName: 'p', state: { reported: { on: true, overcurrent_status: 'lastOverCurrent', power_protection_status: 'normal', overheat_status: 'cooling_down' } }, version: 1 }],
      ['q', { thingName: 'q', state: { reported: { on: true, overheated: false } }, version: 1 }],
    ]);
    const [p, q] = read([thing({ thingName: 'p', model: 'P110M' }), thing({ thingName: 'q', model: 'P115' })], shadows);
    expect(p?.values).toMatchObject({ overcurrent: true, power_protection: false, overheat: true });
    // Bug 6: a P115 that never reports overcurrent_status gets no Overcurrent sensor.
    expect(Object.keys(q?.features ?? {})).toEqual(['state', 'power', 'energy', 'energy_today', 'overheat', 'reboot']);
  });

  it('writes shadow desired fragments per module', () => {
    const [target] = tapoTargets([thing({ model: 'L530', deviceType: 'SMART.TAPOBULB', category: 'bulb' })]);
    if (!target) throw new Error('no target');
    expect(tapoWrite(target, {}, { state: 'ON' })).toEqual({ on: true });
    expect(tapoWrite(target, {}, { brightness: 30 })).toEqual({ on: true, brightness: 30 });
    expect(tapoWrite(target, {}, { color: { h: 200, s: 50 } })).toEqual({ hue: 200, saturation: 50, color_temp: 0 });
    expect(tapoWrite(target, {}, { state: 'ON', color_temp: 4000, transition: 2, led: 'OFF' })).toEqual({ on: true, color_temp: 4000 });
  });
});
