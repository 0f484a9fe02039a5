/** The checker must be able to fail: each broken payload below must be caught. */
import { describe, expect, it } from 'vitest';
import type { DeviceNode } from '../../src/model/node.js';
import { featureSet, withRange, type Feature } from '../../src/model/feature.js';
import { BRIGHTNESS, COLOR, COLOR_TEMP, ENERGY, POWER, RSSI, STATE } from '../../src/model/features.js';
import { bridgeDiscovery, discoveryMessages, type DiscoveryMessage } from '../../src/homeassistant/discovery.js';
import { options } from './bridge-nodes.js';
import { assertDiscovery, checkDiscovery, updateStateIssues } from './checker.js';

type Obj = Record<string, unknown>;

// One feature of each component the checker knows, as modules declare them.
const settable = { readable: true, writable: true, doc: 'test' };
const THRESHOLD: Feature = {
  id: 'threshold', type: { kind: 'number', min: 0, max: 3000, unit: 'W' }, ...settable,
  entity: { component: 'number', name: 'Threshold', device_class: 'power', unit_of_measurement: 'W', entity_category: 'config', mode: 'box' },
};
const RANGE: Feature = {
  id: 'range', type: { kind: 'enum', options: ['Far', 'Near'] }, ...settable,
  entity: { component: 'select', name: 'Range', entity_category: 'config' },
};
const REBOOT: Feature = {
  id: 'reboot', type: { kind: 'press' }, readable: false, writable: true, doc: 'test',
  entity: { component: 'button', name: 'Restart', device_class: 'restart', entity_category: 'config' },
};
const FIRMWARE: Feature = {
  id: 'firmware', type: { kind: 'update' }, ...settable,
  entity: { component: 'update', name: 'Firmware', device_class: 'firmware', entity_category: 'config' },
};
const ON_SINCE: Feature = {
  id: 'on_since', type: { kind: 'timestamp' }, readable: true, writable: false, doc: 'test',
  entity: { component: 'sensor', name: 'On since', device_class: 'timestamp', entity_category: 'diagnostic' },
};

const node: DeviceNode = {
  id: 'kasa_X1',
  cloud: 'kasa',
  kind: 'bulb',
  name: 'Lamp',
  model: 'KL130',
  mac: 'aa:bb:cc:dd:ee:ff',
  address: { cloud: 'kasa', deviceId: 'X1', appServerUrl: '' },
  features: featureSet([STATE, BRIGHTNESS, withRange(COLOR_TEMP, 2500, 9000), COLOR, POWER, ENERGY, RSSI, THRESHOLD, RANGE, REBOOT, FIRMWARE, ON_SINCE]),
  state: {},
  online: true,
};

function entityMessages(): DiscoveryMessage[] {
  return [...bridgeDiscovery(options('entity')), ...discoveryMessages([node], options('entity'))];
}

function deviceMessages(): DiscoveryMessage[] {
  return [...bridgeDiscovery(options('device')), ...discoveryMessages([node], options('device'))];
}

/** Applies `edit` to the entity-mode payload whose topic contains `part`, returns the issues. */
function issuesAfter(part: string, edit: (payload: Obj) => void, messages = entityMessages()): string[] {
  const target = messages.find((m) => m.topic.includes(part));
  if (!target) throw new Error(`no message for ${part}`);
  edit(target.payload);
  return checkDiscovery(messages).map((i) => i.message);
}

const cmps = (payload: Obj): Record<string, Obj> => payload.cmps as Record<string, Obj>;

describe('discovery checker', () => {
  it('accepts the valid baseline, JSON strings, abbreviations and removals', () => {
    expect(checkDiscovery(entityMessages())).toEqual([]);
    expect(checkDiscovery(deviceMessages())).toEqual([]);
    const asStrings = entityMessages().map((m) => ({ topic: m.topic, payload: JSON.stringify(m.payload) }));
    expect(checkDiscovery([...asStrings, { topic: 'homeassistant/switch/gone/switch/config', payload: '' }])).toEqual([]);
    const abbreviated = deviceMessages().map((m) => ({ ...m }));
    const last = abbreviated.at(-1) as DiscoveryMessage;
    const { availability, ...rest } = last.payload;
    last.payload = { ...rest, avty: availability };
    expect(checkDiscovery(abbreviated)).toEqual([]);
  });

  it.each<[string, string, (p: Obj) => void, RegExp]>([
    ['power unit', '/power/', (p) => (p.unit_of_measurement = 'kWh'), /not a valid unit for device class 'power'/],
    ['energy state class', '/energy/', (p) => (p.state_class = 'measurement'), /state_class 'measurement' is not valid for device class 'energy'/],
    ['energy without state class', '/energy/', (p) => delete p.state_class, /without state_class/],
    ['config sensor', '/rssi/', (p) => (p.entity_category = 'config'), /entity_category 'config' is not allowed/],
    ['rssi unit', '/rssi/', (p) => (p.unit_of_measurement = '%'), /not a valid unit for device class 'signal_strength'/],
    ['unknown device class', '/power/', (p) => (p.device_class = 'wattage'), /unknown or unsupported sensor device_class/],
    ['onoff with others', '/light/', (p) => (p.supported_color_modes = ['onoff', 'hs']), /must stand alone/],
    ['brightness with others', '/light/', (p) => (p.supported_color_modes = ['brightness', 'color_temp']), /must stand alone/],
    ['unknown colour mode', '/light/', (p) => (p.supported_color_modes = ['rainbow']), /unknown colour mode/],
    ['mireds', '/light/', (p) => delete p.color_temp_kelvin, /color_temp_kelvin: true/],
    ['bad kelvin range', '/light/', (p) => (p.min_kelvin = 9000), /min_kelvin < max_kelvin/],
    ['not json schema', '/light/', (p) => delete p.schema, /only schema 'json'/],
    ['object_id', '/light/', (p) => (p.object_id = 'lamp'), /object_id is deprecated/],
    ['unknown key', '/light/', (p) => (p.colour = 'red'), /unknown key 'colour'/],
    ['missing command topic', '/light/', (p) => delete p.command_topic, /'command_topic' is required/],
    ['wildcard topic', '/light/', (p) => (p.command_topic = 'tplink/+/set'), /wildcard/],
    ['missing state topic', '/power/', (p) => delete p.state_topic, /'state_topic' is required/],
    ['unique_id charset', '/power/', (p) => (p.unique_id = 'kasa X1 power'), /not \[a-zA-Z0-9_-\]/],
    ['no availability', '/power/', (p) => delete p.availability, /no availability/],
    ['bad availability mode', '/power/', (p) => (p.availability_mode = 'most'), /bad availability_mode/],
    ['both availability forms', '/power/', (p) => (p.availability_topic = 'x/y'), /exclusive/],
    ['default_entity_id platform', '/power/', (p) => (p.default_entity_id = 'switch.lamp_power'), /must be 'sensor\.<slug>'/],
    ['name empty', '/power/', (p) => (p.name = ''), /name must be a string or null/],
    ['no device', '/power/', (p) => delete p.device, /entity without device/],
    ['device without ids', '/power/', (p) => (p.device = { name: 'Lamp' }), /at least one identifying value/],
    ['device extra key', '/power/', (p) => (p.device = { ...(p.device as Obj), colour: 'red' }), /device: extra key 'colour'/],
    ['unknown via device', '/power/', (p) => (p.device = { ...(p.device as Obj), via_device: 'nobody' }), /via_device 'nobody' names no device/],
    ['origin without name', '/power/', (p) => (p.origin = { sw_version: '1' }), /origin\.name is required/],
    ['origin extra key', '/power/', (p) => (p.origin = { name: 'x', colour: 1 }), /origin: extra key/],
    ['abbreviated and full', '/power/', (p) => (p.uniq_id = 'other_id'), /given twice/],
    ['bad binary sensor class', 'connection_state', (p) => (p.device_class = 'door_bell'), /binary_sensor: bad device_class/],
    ['number without max', '/threshold/', (p) => delete p.max, /min and max required/],
    ['number min above max', '/threshold/', (p) => (p.min = 5000), /min must be below max/],
    ['number bad mode', '/threshold/', (p) => (p.mode = 'dial'), /bad mode 'dial'/],
    ['number bad unit', '/threshold/', (p) => (p.unit_of_measurement = 'kWh'), /not a valid unit for device class 'power'/],
    ['number without command topic', '/threshold/', (p) => delete p.command_topic, /'command_topic' is required/],
    ['number unknown key', '/threshold/', (p) => (p.options = ['a']), /number: unknown key 'options'/],
    ['select without options', '/range/', (p) => delete p.options, /'options' is required/],
    ['select empty options', '/range/', (p) => (p.options = []), /non-empty list of strings/],
    ['select duplicate options', '/range/', (p) => (p.options = ['Far', 'Far']), /duplicate options/],
    ['button state topic', '/reboot/', (p) => (p.state_topic = 'tplink/lamp'), /button: unknown key 'state_topic'/],
    ['button bad class', '/reboot/', (p) => (p.device_class = 'reboot'), /button: bad device_class 'reboot'/],
    ['button without command topic', '/reboot/', (p) => delete p.command_topic, /'command_topic' is required/],
    ['update bad class', '/firmware/', (p) => (p.device_class = 'software'), /update: bad device_class/],
    ['update install without topic', '/firmware/', (p) => delete p.command_topic, /payload_install without command_topic/],
    ['update long summary', '/firmware/', (p) => (p.release_summary = 'x'.repeat(256)), /longer than 255/],
    ['update unknown key', '/firmware/', (p) => (p.options = ['a']), /update: unknown key 'options'/],
    ['update install topic without payload', '/firmware/', (p) => delete p.payload_install, /command_topic without payload_install/],
    ['update install on the state topic', '/firmware/', (p) => (p.command_topic = p.state_topic), /command_topic is the state topic/],
    ['update template without JSON', '/firmware/', (p) => (p.value_template = '{{ value_json.firmware }}'), /render the state as JSON/],
    ['timestamp with unit', '/on_since/', (p) => (p.unit_of_measurement = 's'), /not a valid unit for device class 'timestamp'/],
    ['timestamp with state class', '/on_since/', (p) => (p.state_class = 'measurement'), /not valid for device class 'timestamp'/],
  ])('rejects %s', (_label, part, edit, expected) => {
    const issues = issuesAfter(part, edit);
    expect(issues.join('\n')).toMatch(expected);
  });

  it("checks an update entity's JSON state as Home Assistant reads it", () => {
    const good = { installed_version: '1.0', latest_version: null, release_summary: null, in_progress: true, update_percentage: 40 };
    expect(updateStateIssues(good)).toEqual([]);
    expect(updateStateIssues('1.0')).toEqual(['update state: must be a JSON object']);
    expect(updateStateIssues({ ...good, in_progress: 40 })).toEqual(['update state: in_progress must be true or false']);
    expect(updateStateIssues({ ...good, update_percentage: 140 })).toEqual(['update state: update_percentage must be 0-100 or null']);
    expect(updateStateIssues({ ...good, latest_version: 2 })).toEqual(['update state: latest_version must be text or null']);
    expect(updateStateIssues({ latest_version: '1', progress: 1 })).toEqual(["update state: unknown key 'progress'", 'update state: installed_version missing']);
    expect(updateStateIssues({ ...good, release_summary: 'x'.repeat(256) })).toEqual(['update state: release_summary longer than 255 characters']);
  });

  it('rejects a duplicate unique_id anywhere in the bridge', () => {
    const messages = entityMessages();
    const power = messages.find((m) => m.topic.includes('/power/'));
    const energy = messages.find((m) => m.topic.includes('/energy/'));
    if (!power || !energy) throw new Error('fixture');
    energy.payload.unique_id = power.payload.unique_id;
    expect(checkDiscovery(messages).map((i) => i.message).join()).toMatch(/already used/);
    expect(() => assertDiscovery(messages)).toThrow(/already used/);
  });

  it('rejects two devices sharing a MAC connection (HA would merge them)', () => {
    const twin = { ...node, id: 'kasa_X2', address: { cloud: 'kasa' as const, deviceId: 'X2', appServerUrl: '' } };
    const messages = [...bridgeDiscovery(options('entity')), ...discoveryMessages([node, twin], options('entity'))];
    expect(checkDiscovery(messages).map((i) => i.message).join()).toMatch(/connection mac:aa:bb:cc:dd:ee:ff also used/);
  });

  it('rejects illegal topics and payloads', () => {
    const good = entityMessages()[0] as DiscoveryMessage;
    const bad = [
      { topic: 'homeassistant/switch/a b/switch/config', payload: good.payload },
      { topic: 'homeassistant/switch/a/b/c/config', payload: good.payload },
      { topic: 'other/switch/a/config', payload: good.payload },
      { topic: 'homeassistant/toaster/a/config', payload: good.payload },
      { topic: 'homeassistant/switch/a/x/config', payload: '{not json' },
      { topic: 'homeassistant/switch/a/y/config', payload: [1, 2] },
    ];
    const messages = checkDiscovery(bad).map((i) => `${i.topic}: ${i.message}`);
    expect(messages.filter((m) => m.includes('illegal discovery topic'))).toHaveLength(3);
    expect(messages.join('\n')).toMatch(/unsupported component 'toaster'/);
    expect(messages.join('\n')).toMatch(/payload is not JSON/);
    expect(messages.join('\n')).toMatch(/payload must be a JSON object/);
  });

  it.each<[string, (p: Obj) => void, RegExp]>([
    ['an unknown root key', (p) => (p.name = 'Lamp'), /device discovery: extra key 'name'/],
    ['no origin', (p) => delete p.o, /'origin' is required/],
    ['no device', (p) => delete p.dev, /'device' is required/],
    ['no components', (p) => (p.cmps = {}), /no components/],
    ['a component without platform', (p) => delete (Object.values(cmps(p))[0] as Obj).p, /platform '' missing or unsupported/],
    ['a component without unique_id', (p) => delete (Object.values(cmps(p))[0] as Obj).unique_id, /unique_id 'undefined'/],
    ['a bad component key', (p) => (cmps(p)['bad key'] = { p: 'sensor' }), /component key not/],
    ['a shared option that breaks components', (p) => (p.state_topic = 'a/#'), /wildcard/],
  ])('rejects device discovery with %s', (_label, edit, expected) => {
    const issues = issuesAfter('/device/kasa_X1/', edit, deviceMessages());
    expect(issues.join('\n')).toMatch(expected);
  });

  it('accepts a removal stub (platform only) inside a device config', () => {
    const messages = deviceMessages();
    const lamp = messages.find((m) => m.topic.includes('/device/kasa_X1/')) as DiscoveryMessage;
    cmps(lamp.payload).old_sensor = { p: 'sensor' };
    expect(checkDiscovery(messages)).toEqual([]);
  });
});
