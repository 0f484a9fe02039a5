import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kasaChildId, kasaFamily, kasaKelvinRange, kasaNodes, kasaOutletEnergy } from '../../src/clouds/kasa/devices.js';
import type { KasaListEntryInput } from '../../src/model/inputs.js';
import type { DeviceNode } from '../../src/model/node.js';
import { fixtureFiles, hasFixtures } from '../helpers/fixtures.js';
import { kasaCase } from './fixture-nodes.js';

const EXPECTED_KIND: Record<string, { kind: DeviceNode['kind']; outlets?: number; energy?: boolean }> = {
  EP40: { kind: 'strip', outlets: 2 },
  HS100: { kind: 'plug' },
  HS103: { kind: 'plug' },
  HS105: { kind: 'plug' },
  HS110: { kind: 'plug', energy: true },
  HS200: { kind: 'switch' },
  HS220: { kind: 'dimmer' },
  HS300: { kind: 'strip', outlets: 6, energy: true },
  KL110: { kind: 'bulb', energy: true },
  KL130: { kind: 'bulb', energy: true },
  KL430: { kind: 'lightstrip', energy: true },
  KP115: { kind: 'plug', energy: true },
  KP303: { kind: 'strip', outlets: 3 },
  KP400: { kind: 'strip', outlets: 2 },
};

function mapFixture(prefix: string): { nodes: DeviceNode[]; entry: KasaListEntryInput; response: Record<string, unknown> } {
  const file = fixtureFiles('kasa').find((f) => basename(f).startsWith(prefix));
  if (!file) throw new Error(`no fixture ${prefix}`);
  const c = kasaCase(file);
  const { nodes, problems } = kasaNodes(c.entry, c.response);
  expect(problems).toEqual([]);
  return { nodes, entry: c.entry, response: c.response };
}

const entry = (over: Partial<KasaListEntryInput> = {}): KasaListEntryInput => ({
  deviceId: '8006AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  alias: 'Desk lamp',
  deviceModel: 'HS103(US)',
  deviceType: 'IOT.SMARTPLUGSWITCH',
  appServerUrl: 'https://use1-wap.tplinkcloud.com',
  status: 1,
  ...over,
});

describe.skipIf(!hasFixtures)('Kasa fixtures', () => {
  it.each(fixtureFiles('kasa').map((f) => [basename(f), f]))('%s maps to the expected nodes', (_name, file) => {
    const c = kasaCase(file);
    const { nodes, problems } = kasaNodes(c.entry, c.response);
    expect(problems).toEqual([]);
    const expected = EXPECTED_KIND[c.model.replace(/\(.*$/, '')];
    expect(expected, `add ${c.model} to EXPECTED_KIND`).toBeDefined();
    const [device, ...outlets] = nodes;
    expect(device?.kind).toBe(expected?.kind);
    expect(device?.id).toBe(`kasa_${c.entry.deviceId}`);
    expect(device?.online).toBe(true);
    expect(outlets).toHaveLength(expected?.outlets ?? 0);
    const metered = expected?.outlets ? outlets : [device];
    for (const node of metered) expect(node?.capabilities.energy !== undefined).toBe(expected?.energy ?? false);
    for (const node of nodes) expect(node.id).toMatch(/^[a-zA-Z0-9_-]+$/);
  });

  it('HS300: a strip with six metered outlets addressed by deviceId + 00..05', () => {
    const { nodes, entry: e } = mapFixture('HS300');
    const [strip, ...outlets] = nodes;
    expect(strip?.capabilities.relay).toBe(false);
    expect(strip?.capabilities.energy).toBeUndefined();
    expect(strip?.state).toMatchObject({ led: 'ON', rssi: -62 });
    outlets.forEach((outlet, i) => {
      const childId = `${e.deviceId}0${i}`;
      expect(outlet).toMatchObject({ kind: 'outlet', parentId: strip?.id, id: `kasa_${childId}`, name: `#MASKED_NAME# ${i + 1}` });
      expect(outlet.address).toEqual({ cloud: 'kasa', deviceId: e.deviceId, appServerUrl: e.appServerUrl, childId });
      expect(outlet.capabilities.energy).toEqual({ power: true, voltage: true, current: true, energy: true });
      expect(outlet.mac).toBeUndefined();
    });
    expect(outlets[5]?.state.state).toBe('ON');
    // A negative on_time is a firmware bug, not a duration.
    expect(outlets[5]?.state.on_time).toBeUndefined();
  });

  it('HS300 outlet energy from its own emeter answer (new shape)', () => {
    const { nodes, response } = mapFixture('HS300');
    const outlet = nodes[1] as DeviceNode;
    const state = kasaOutletEnergy(outlet, { emeter: response.emeter });
    expect(state).toMatchObject({ state: 'OFF', power: 0.02, voltage: 122.4, current: 0.004, energy: 1.279 });
    expect(kasaOutletEnergy(outlet, { emeter: { err_code: -1, err_msg: 'module not support' } })).toBe(outlet.state);
    expect(kasaOutletEnergy(outlet, 'garbage')).toBe(outlet.state);
  });

  it('KP303: three outlets, no meter', () => {
    const { nodes } = mapFixture('KP303');
    expect(nodes.slice(1).map((n) => n.state.state)).toEqual(['ON', 'OFF', 'OFF']);
    expect(nodes.every((n) => n.capabilities.energy === undefined)).toBe(true);
  });

  it('HS110: old emeter shape (A, V, W, kWh floats)', () => {
    const [plug] = mapFixture('HS110').nodes;
    // total is kWh in this shape (kasa-cloud.md §5, python-kasa); 0.93 W for 70 days alone is 1.5 kWh.
    expect(plug?.state).toMatchObject({ state: 'ON', power: 0.93, voltage: 231.1, current: 0.015, energy: 55.139, led: 'OFF' });
  });

  it('KP115: new emeter shape (mA, mV, mW, Wh)', () => {
    const [plug] = mapFixture('KP115').nodes;
    expect(plug?.state).toMatchObject({ power: 63.5, voltage: 230.6, current: 0.296, energy: 12.068, on_time: 2078998 });
  });

  it('HS220: a dimmer with brightness; HS200: a wall switch', () => {
    const [dimmer] = mapFixture('HS220').nodes;
    expect(dimmer?.capabilities).toMatchObject({ relay: true, brightness: true, led: true });
    expect(dimmer?.state).toMatchObject({ state: 'OFF', brightness: 25, color_mode: 'brightness' });
    expect(mapFixture('HS200').nodes[0]?.kind).toBe('switch');
  });

  it('KL130: colour bulb 2500-9000 K with power', () => {
    const [bulb] = mapFixture('KL130').nodes;
    expect(bulb?.capabilities).toMatchObject({ brightness: true, color: true, colorTemp: { min: 2500, max: 9000 }, led: false });
    expect(bulb?.capabilities.energy).toEqual({ power: true, voltage: false, current: false, energy: false });
    expect(bulb?.state).toMatchObject({ state: 'ON', brightness: 100, color_temp: 2700, color_mode: 'color_temp', power: 10.8 });
  });

  it('KL110: off, last values from dft_on_state, dimmable only', () => {
    const [bulb] = mapFixture('KL110').nodes;
    expect(bulb?.capabilities).toMatchObject({ brightness: true, color: false });
    expect(bulb?.capabilities.colorTemp).toBeUndefined();
    expect(bulb?.state).toMatchObject({ state: 'OFF', brightness: 95, color_mode: 'brightness', power: 0 });
    expect(bulb?.state.color_temp).toBeUndefined();
  });

  it('KL430: light strip with power and energy', () => {
    const [strip] = mapFixture('KL430').nodes;
    expect(strip?.capabilities).toMatchObject({ color: true, colorTemp: { min: 2500, max: 9000 } });
    expect(strip?.state).toMatchObject({ brightness: 15, color_temp: 2500, power: 2.73, energy: 1.193 });
  });
});

describe('Kasa mapping without fixtures', () => {
  it('builds a node from the list entry alone before the first sysinfo', () => {
    const { nodes, problems } = kasaNodes(entry({ status: 0, deviceMac: '50C7BF123456', fwVer: '1.0.3' }));
    expect(problems).toEqual([]);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ kind: 'plug', name: 'Desk lamp', model: 'HS103', online: false, mac: '50:c7:bf:12:34:56', swVersion: '1.0.3' });
    expect(kasaNodes(entry({ deviceModel: 'HS300(US)' })).nodes[0]?.kind).toBe('strip');
    expect(kasaNodes(entry({ deviceModel: 'HS200(US)' })).nodes[0]?.kind).toBe('switch');
    expect(kasaNodes(entry({ deviceModel: 'KL430(US)', deviceType: 'IOT.SMARTBULB' })).nodes[0]?.kind).toBe('lightstrip');
    expect(kasaNodes(entry({ deviceType: 'IOT.IPCAMERA' })).nodes).toEqual([]);
  });

  it('keeps a Tapo device of the Kasa list as such, with its base64 alias decoded', () => {
    const { nodes } = kasaNodes(entry({ deviceType: 'SMART.TAPOPLUG', deviceModel: 'P110', alias: 'S2l0Y2hlbg==', status: 0 }), { system: {} });
    expect(nodes[0]).toMatchObject({ name: 'Kitchen', deviceType: 'SMART.TAPOPLUG', online: false });
  });

  it('never throws on broken answers: reports a problem and falls back to the list entry', () => {
    const broken: unknown[] = [
      {},
      { system: { err_code: -1, err_msg: 'module not support' } },
      { system: { get_sysinfo: 'nope' } },
      { system: { get_sysinfo: { relay_state: 'on', model: 'HS103(US)', type: 'IOT.SMARTPLUGSWITCH' } } },
      { system: { get_sysinfo: { children: 'x', type: 'IOT.SMARTPLUGSWITCH' } } },
      { system: 42 },
      'garbage',
      null,
      [],
    ];
    for (const response of broken) {
      const { nodes, problems } = kasaNodes(entry(), response as Record<string, unknown>);
      expect(nodes).toHaveLength(1);
      expect(nodes[0]?.kind).toBe('plug');
      expect(problems.length).toBeGreaterThan(0);
    }
    expect(kasaNodes(null as unknown as KasaListEntryInput).problems).toEqual(['device list entry without a deviceId']);
    expect(kasaNodes({} as KasaListEntryInput).nodes).toEqual([]);
  });

  it('skips a broken emeter answer but keeps the device', () => {
    const response = {
      system: { get_sysinfo: { type: 'IOT.SMARTPLUGSWITCH', model: 'KP115(EU)', relay_state: 1, feature: 'TIM:ENE' } },
      emeter: { get_realtime: { power_mw: 'lots' } },
    };
    const { nodes, problems } = kasaNodes(entry(), response);
    expect(nodes[0]?.state.state).toBe('ON');
    expect(nodes[0]?.state.power).toBeUndefined();
    expect(nodes[0]?.capabilities.energy).toBeDefined();
    expect(problems.join()).toMatch(/emeter\.get_realtime/);
  });

  it('resolves outlet child ids', () => {
    expect(kasaChildId('ABC', '03')).toBe('ABC03');
    expect(kasaChildId('ABC', 'SCRUBBED_CHILD_DEVICE_ID_1')).toBe('ABC00');
    expect(kasaChildId('ABC', 'SCRUBBED_CHILD_DEVICE_ID_6')).toBe('ABC05');
    expect(kasaChildId('ABC', 'ABC04')).toBe('ABC04');
  });

  it('tells families apart from sysinfo', () => {
    const plug = { type: 'IOT.SMARTPLUGSWITCH' };
    expect(kasaFamily({ ...plug, children: [{ id: '00' }] })).toBe('strip');
    expect(kasaFamily({ ...plug, brightness: 50 })).toBe('dimmer');
    expect(kasaFamily({ ...plug, model: 'KS200M(US)' })).toBe('switch');
    expect(kasaFamily({ ...plug, dev_name: 'Smart Wi-Fi Light Switch' })).toBe('switch');
    expect(kasaFamily({ ...plug, model: 'KP125(US)' })).toBe('plug');
    expect(kasaFamily({ mic_type: 'IOT.SMARTBULB', length: 30 })).toBe('lightstrip');
    expect(kasaFamily({ mic_type: 'IOT.SMARTBULB' })).toBe('bulb');
    expect(kasaFamily({ type: 'IOT.IPCAMERA' })).toBeUndefined();
  });

  it('knows Kelvin ranges by model, 2700-6500 when unknown', () => {
    expect(kasaKelvinRange('KL130(US)')).toEqual({ min: 2500, max: 9000 });
    expect(kasaKelvinRange('KL120(US)')).toEqual({ min: 2700, max: 5000 });
    expect(kasaKelvinRange('KL120(EU)')).toEqual({ min: 2700, max: 6500 });
    expect(kasaKelvinRange('LB120(US)')).toEqual({ min: 2700, max: 6500 });
    expect(kasaKelvinRange('KL125(US)')).toEqual({ min: 2500, max: 6500 });
    expect(kasaKelvinRange('KL420L5(US)')).toEqual({ min: 2500, max: 9000 });
    expect(kasaKelvinRange('XX999')).toEqual({ min: 2700, max: 6500 });
  });
});
