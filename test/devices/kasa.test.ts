import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kasaChildId, kasaEnergyReading, kasaFamily, kasaIdentity, kasaKelvinRange, kasaReadings, kasaWrite, kasaOutletsRequest } from '../../src/clouds/kasa/devices.js';
import type { KasaListEntryInput } from '../../src/model/inputs.js';
import type { DeviceNode, NodeIdentity } from '../../src/model/node.js';
import { fixtureFiles, hasFixtures } from '../helpers/fixtures.js';
import { kasaCase, kasaFixtureNodes } from './fixture-nodes.js';
import { bulb, dimmer, lightstrip, outlet, plug, strip } from '../commands/nodes.js';

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
  KL420L5: { kind: 'lightstrip', energy: true },
  KL430: { kind: 'lightstrip', energy: true },
  KS220M: { kind: 'dimmer' },
  KP115: { kind: 'plug', energy: true },
  KP303: { kind: 'strip', outlets: 3 },
  KP400: { kind: 'strip', outlets: 2 },
};

function mapFixture(prefix: string): { nodes: DeviceNode[]; entry: KasaListEntryInput; response: Record<string, unknown> } {
  const file = fixtureFiles('kasa').find((f) => basename(f).startsWith(prefix));
  if (!file) throw new Error(`no fixture ${prefix}`);
  const c = kasaCase(file);
  const identity = kasaIdentity(c.entry) as NodeIdentity;
  expect(kasaReadings(identity, c.response, 1).problems).toEqual([]);
  return { nodes: kasaFixtureNodes(c), entry: c.entry, response: c.response };
}

const has = (node: DeviceNode | undefined, id: string) => node?.features !== undefined && id in node.features;
const ids = (node: DeviceNode | undefined) => Object.keys(node?.features ?? {});

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
    const nodes = kasaFixtureNodes(c);
    expect(kasaReadings(kasaIdentity(c.entry) as NodeIdentity, c.response, 1).problems).toEqual([]);
    const expected = EXPECTED_KIND[c.model.replace(/\(.*$/, '')];
    expect(expected, `add ${c.model} to EXPECTED_KIND`).toBeDefined();
    const [device, ...outlets] = nodes;
    expect(device?.kind).toBe(expected?.kind);
    expect(device?.id).toBe(`kasa_${c.entry.deviceId}`);
    expect(device?.online).toBe(true);
    expect(outlets).toHaveLength(expected?.outlets ?? 0);
    const metered = expected?.outlets ? outlets : [device];
    for (const node of metered) expect(has(node, 'power')).toBe(expected?.energy ?? false);
    for (const node of nodes) {
      expect(node.id).toMatch(/^[a-zA-Z0-9_-]+$/);
      // Every readable feature has its value in the first complete read (but a
      // negative on_time, an HS300 firmware bug, which is no duration).
      for (const feature of Object.values(node.features ?? {})) {
        if (feature.readable && feature.id !== 'on_time') expect(node.state, `${node.id} ${feature.id}`).toHaveProperty(feature.id);
      }
    }
  });

  it('HS300: a strip with six metered outlets addressed by deviceId + 00..05', () => {
    const { nodes, entry: e } = mapFixture('HS300');
    const [strip, ...outlets] = nodes;
    // No relay of its own: its state is ON while any outlet is, and it has no meter (its outlets do).
    expect(ids(strip)).toEqual(['state', 'led', 'rssi', 'reboot']);
    expect(strip?.state).toMatchObject({ state: 'ON', led: 'ON', rssi: -62 });
    outlets.forEach((outlet, i) => {
      const childId = `${e.deviceId}0${i}`;
      expect(outlet).toMatchObject({ kind: 'outlet', parentId: strip?.id, id: `kasa_${childId}`, name: `#MASKED_NAME# ${i + 1}` });
      expect(outlet.address).toEqual({ cloud: 'kasa', deviceId: e.deviceId, appServerUrl: e.appServerUrl, childId });
      expect(ids(outlet)).toEqual(['state', 'power', 'voltage', 'current', 'energy', 'on_time', 'on_since']);
      expect(outlet.mac).toBeUndefined();
    });
    expect(outlets[5]?.state.state).toBe('ON');
    // A negative on_time is a firmware bug, not a duration.
    expect(outlets[5]?.state.on_time).toBeUndefined();
  });

  it('HS300 outlet energy from its own emeter answer (new shape), values only', () => {
    const { nodes, response } = mapFixture('HS300');
    const outlet = nodes[1] as DeviceNode;
    expect(outlet.state).toMatchObject({ state: 'OFF', power: 0.02, voltage: 122.4, current: 0.004, energy: 1.279 });
    // An energy read carries no relay state: it can never undo a command (bug 8).
    expect(kasaEnergyReading(outlet, { emeter: response.emeter }, 5).reading?.values).toEqual({ power: 0.02, voltage: 122.4, current: 0.004, energy: 1.279 });
    expect(kasaEnergyReading(outlet, { emeter: { err_code: -1, err_msg: 'module not support' } }, 5).reading).toBeUndefined();
    expect(kasaEnergyReading(outlet, 'garbage', 5).reading).toBeUndefined();
  });

  it('KP303: three outlets, no meter', () => {
    const { nodes } = mapFixture('KP303');
    expect(nodes.slice(1).map((n) => n.state.state)).toEqual(['ON', 'OFF', 'OFF']);
    expect(nodes.every((n) => !has(n, 'power'))).toBe(true);
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
    expect(ids(dimmer)).toEqual(['state', 'brightness', 'led', 'rssi', 'on_time', 'on_since', 'light_preset', 'reboot']);
    expect(dimmer?.state).toMatchObject({ state: 'OFF', brightness: 25, color_mode: 'brightness' });
    expect(mapFixture('HS200').nodes[0]?.kind).toBe('switch');
  });

  it('KL130: colour bulb 2500-9000 K with power', () => {
    const [bulb] = mapFixture('KL130').nodes;
    expect(ids(bulb)).toEqual(['state', 'brightness', 'color_temp', 'color', 'power', 'rssi', 'light_preset', 'reboot']);
    expect(bulb?.features?.color_temp?.type).toMatchObject({ min: 2500, max: 9000 });
    expect(bulb?.state).toMatchObject({ state: 'ON', brightness: 100, color_temp: 2700, color_mode: 'color_temp', power: 10.8 });
  });

  it('KL110: off, last values from dft_on_state, dimmable only', () => {
    const [bulb] = mapFixture('KL110').nodes;
    expect(has(bulb, 'brightness')).toBe(true);
    expect(has(bulb, 'color') || has(bulb, 'color_temp')).toBe(false);
    expect(bulb?.state).toMatchObject({ state: 'OFF', brightness: 95, color_mode: 'brightness', power: 0 });
    expect(bulb?.state.color_temp).toBeUndefined();
  });

  it('KL430: light strip with power and energy', () => {
    const [strip] = mapFixture('KL430').nodes;
    expect(has(strip, 'color') && has(strip, 'color_temp')).toBe(true);
    expect(strip?.state).toMatchObject({ brightness: 15, color_temp: 2500, power: 2.73, energy: 1.193 });
  });
});

describe('Kasa mapping without fixtures', () => {
  it('builds an identity from the list entry alone: no features, no state', () => {
    const node = kasaIdentity(entry({ status: 0, deviceMac: '50C7BF123456', fwVer: '1.0.3' }));
    expect(node).toMatchObject({ kind: 'plug', name: 'Desk lamp', model: 'HS103', online: false, mac: '50:c7:bf:12:34:56', swVersion: '1.0.3' });
    expect(node).not.toHaveProperty('features');
    expect(node).not.toHaveProperty('state');
    expect(kasaIdentity(entry({ deviceModel: 'HS300(US)' }))?.kind).toBe('strip');
    expect(kasaIdentity(entry({ deviceModel: 'HS200(US)' }))?.kind).toBe('switch');
    expect(kasaIdentity(entry({ deviceModel: 'KL430(US)', deviceType: 'IOT.SMARTBULB' }))?.kind).toBe('lightstrip');
    expect(kasaIdentity(entry({ deviceType: 'IOT.IPCAMERA' }))).toBeUndefined();
    expect(kasaIdentity(entry({ deviceType: 'SMART.TAPOPLUG', deviceModel: 'P110', alias: 'S2l0Y2hlbg==', status: 0 }))).toMatchObject({ name: 'Kitchen' });
    expect(kasaIdentity(null as unknown as KasaListEntryInput)).toBeUndefined();
    expect(kasaIdentity({} as KasaListEntryInput)).toBeUndefined();
  });

  it('never throws on broken answers: no reading, a problem', () => {
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
    const identity = kasaIdentity(entry()) as NodeIdentity;
    for (const response of broken) {
      const { readings, problems } = kasaReadings(identity, response, 1);
      expect(readings).toEqual([]);
      expect(problems.length).toBeGreaterThan(0);
    }
  });

  it('skips a broken emeter answer but keeps the device and its meter (from the feature flag)', () => {
    const response = {
      system: { get_sysinfo: { type: 'IOT.SMARTPLUGSWITCH', model: 'KP115(EU)', relay_state: 1, feature: 'TIM:ENE' } },
      emeter: { get_realtime: { power_mw: 'lots' } },
    };
    const { readings, problems } = kasaReadings(kasaIdentity(entry()) as NodeIdentity, response, 1);
    expect(readings[0]?.values.state).toBe('ON');
    expect(readings[0]?.values.power).toBeUndefined();
    expect(readings[0]?.features).toHaveProperty('power');
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

describe('Kasa module writes', () => {
  it('plug relay and LED in one request', () => {
    expect(kasaWrite(plug, { state: 'ON' })).toEqual({ system: { set_relay_state: { state: 1 } } });
    expect(kasaWrite(plug, { led: 'OFF' })).toEqual({ system: { set_led_off: { off: 1 } } });
    expect(kasaWrite(plug, { state: 'ON', led: 'ON' })).toEqual({ system: { set_relay_state: { state: 1 }, set_led_off: { off: 0 } } });
    expect(kasaWrite(plug, {})).toEqual({});
  });

  it('outlet adds context.child_ids; a strip parent switches every outlet (no context)', () => {
    expect(kasaWrite(outlet, { state: 'ON' })).toEqual({ context: { child_ids: ['DEV101'] }, system: { set_relay_state: { state: 1 } } });
    expect(kasaWrite(outlet, {})).toEqual({});
    expect(kasaWrite(strip, { state: 'OFF' })).toEqual({ system: { set_relay_state: { state: 0 } } });
    expect(kasaOutletsRequest(['DEV100', 'DEV101'], 'ON')).toEqual({ context: { child_ids: ['DEV100', 'DEV101'] }, system: { set_relay_state: { state: 1 } } });
    expect(() => kasaOutletsRequest([], 'ON')).toThrow();
  });

  it('dimmer: brightness turns it on too', () => {
    expect(kasaWrite(dimmer, { brightness: 40 })).toEqual({
      system: { set_relay_state: { state: 1 } },
      'smartlife.iot.dimmer': { set_brightness: { brightness: 40 } },
    });
    expect(kasaWrite(dimmer, { state: 'OFF' })).toEqual({ system: { set_relay_state: { state: 0 } } });
  });

  it('bulb: transition_light_state, hs sets color_temp 0; light strip: set_light_state', () => {
    expect(kasaWrite(bulb, { state: 'ON', brightness: 60, color: { h: 30, s: 80 }, transition: 1.5 })).toEqual({
      'smartlife.iot.smartbulb.lightingservice': {
        transition_light_state: { on_off: 1, brightness: 60, hue: 30, saturation: 80, color_temp: 0, transition_period: 1500 },
      },
    });
    expect(kasaWrite(bulb, { state: 'OFF' })).toEqual({ 'smartlife.iot.smartbulb.lightingservice': { transition_light_state: { on_off: 0 } } });
    expect(kasaWrite(lightstrip, { brightness: 5, color: { h: 0, s: 100 } })).toEqual({
      'smartlife.iot.lightStrip': { set_light_state: { on_off: 1, brightness: 5, hue: 0, saturation: 100, color_temp: 0 } },
    });
  });
});
