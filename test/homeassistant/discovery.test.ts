import { describe, expect, it } from 'vitest';
import type { DeviceNode } from '../../src/model/node.js';
import { featureSet } from '../../src/model/feature.js';
import { CURRENT, ENERGY, LED, ON_TIME, OVERCURRENT, OVERHEAT, POWER, RSSI, STATE, VOLTAGE } from '../../src/model/features.js';
import { bridgeDiscovery, discoveryMessages, removalMessages, type DiscoveryMessage } from '../../src/homeassistant/discovery.js';
import { hasFixtures } from '../helpers/fixtures.js';
import { allFixtureNodes, options, topicName } from './bridge-nodes.js';
import { assertDiscovery, checkDiscovery } from './checker.js';

type Obj = Record<string, unknown>;

function plug(over: Partial<DeviceNode> = {}): DeviceNode {
  return {
    id: 'kasa_AB12',
    cloud: 'kasa',
    kind: 'plug',
    name: 'Desk lamp',
    model: 'HS110',
    modelFull: 'HS110(EU)',
    mac: '50:c7:bf:12:34:56',
    swVersion: '1.2.5',
    hwVersion: '1.0',
    address: { cloud: 'kasa', deviceId: 'AB12', appServerUrl: 'https://x' },
    features: featureSet([STATE, POWER, VOLTAGE, CURRENT, ENERGY, LED, RSSI, ON_TIME]),
    state: {},
    online: true,
    ...over,
  };
}

/** The components of one node, whatever the mode: key -> config (device mode adds `p`). */
function components(messages: DiscoveryMessage[], nodeId: string): Record<string, Obj> {
  const device = messages.find((m) => m.topic === `homeassistant/device/${nodeId}/config`);
  if (device) return device.payload.cmps as Record<string, Obj>;
  const out: Record<string, Obj> = {};
  for (const m of messages) {
    const match = new RegExp(`^homeassistant/\\w+/${nodeId}/(\\w+)/config$`).exec(m.topic);
    if (match?.[1]) out[match[1]] = m.payload;
  }
  return out;
}

function deviceOf(messages: DiscoveryMessage[], nodeId: string): Obj | undefined {
  const device = messages.find((m) => m.topic === `homeassistant/device/${nodeId}/config`);
  if (device) return device.payload.dev as Obj;
  return messages.find((m) => m.topic.includes(`/${nodeId}/`))?.payload.device as Obj | undefined;
}

describe.skipIf(!hasFixtures)('discovery of every fixture', () => {
  const nodes = allFixtureNodes();

  it.each(['device', 'entity'] as const)('passes the checker in %s mode, with the bridge device', (mode) => {
    const messages = [...bridgeDiscovery(options(mode)), ...discoveryMessages(nodes, options(mode))];
    expect(messages.length).toBeGreaterThan(nodes.length);
    expect(checkDiscovery(messages)).toEqual([]);
    expect(JSON.stringify(messages)).not.toContain('object_id');
  });

  it.each(['device', 'entity'] as const)('gives every node the same entities in %s mode', (mode) => {
    const messages = discoveryMessages(nodes, options(mode));
    const hs300 = nodes.find((n) => n.model === 'HS300' && n.kind === 'strip');
    const outlet = nodes.find((n) => n.parentId === hs300?.id);
    expect(Object.keys(components(messages, hs300?.id ?? ''))).toEqual(['led', 'rssi', 'reboot']);
    const outletCmps = components(messages, outlet?.id ?? '');
    expect(Object.keys(outletCmps)).toEqual(['switch', 'power', 'voltage', 'current', 'energy', 'on_time', 'on_since']);
    expect(deviceOf(messages, outlet?.id ?? '')?.via_device).toBe(`tplink_cloud_mqtt_${hs300?.id}`);
    expect(deviceOf(messages, outlet?.id ?? '')?.connections).toBeUndefined();
    expect(deviceOf(messages, hs300?.id ?? '')?.connections).toHaveLength(1);
    const p110 = nodes.find((n) => n.model === 'P110');
    // Only the protection states its shadow reports: no overcurrent_status on this firmware.
    expect(Object.keys(components(messages, p110?.id ?? ''))).toEqual([
      'switch', 'power', 'energy', 'energy_today', 'auto_off_at', 'overheat', 'power_protection', 'rssi', 'signal_level', 'ssid', 'on_time', 'on_since', 'reboot',
    ]);
    const p110m = nodes.find((n) => n.model === 'P110M');
    expect(Object.keys(components(messages, p110m?.id ?? ''))).toContain('overcurrent');
  });

  it('gives HA the same entity configs in both modes (device mode shares root options)', () => {
    const shared = ['availability', 'availability_mode', 'state_topic'];
    const fromDevice: Record<string, Obj> = {};
    for (const m of discoveryMessages(nodes, options('device'))) {
      const { dev, o, cmps, ...root } = m.payload;
      for (const [, raw] of Object.entries(cmps as Record<string, Obj>)) {
        const { p, ...own } = raw;
        const merged: Obj = { ...own, device: dev, origin: o };
        for (const key of shared) if (root[key] !== undefined && merged[key] === undefined) merged[key] = root[key];
        fromDevice[`${String(p)}:${String(own.unique_id)}`] = merged;
      }
    }
    const fromEntity = Object.fromEntries(
      discoveryMessages(nodes, options('entity')).map((m) => [`${m.topic.split('/')[1]}:${String(m.payload.unique_id)}`, m.payload]),
    );
    expect(fromDevice).toEqual(fromEntity);
  });

  it('maps lights to JSON-schema lights with the right colour modes', () => {
    const messages = discoveryMessages(nodes, options('device'));
    const light = (model: string) => components(messages, nodes.find((n) => n.model === model)?.id ?? '').light;
    expect(light('KL130')).toMatchObject({
      p: 'light', schema: 'json', supported_color_modes: ['color_temp', 'hs'], color_temp_kelvin: true,
      min_kelvin: 2500, max_kelvin: 9000, brightness: true, brightness_scale: 100, name: null,
    });
    expect(light('KL110')).toMatchObject({ supported_color_modes: ['brightness'] });
    expect(light('KL110')?.min_kelvin).toBeUndefined();
    expect(light('HS220')).toMatchObject({ supported_color_modes: ['brightness'] });
    expect(light('L530')).toMatchObject({ supported_color_modes: ['color_temp', 'hs'], min_kelvin: 2500, max_kelvin: 6500 });
    expect(light('KL430')).toMatchObject({ supported_color_modes: ['color_temp', 'hs'] });
  });

  it('hangs top-level devices and strips off the bridge', () => {
    const messages = discoveryMessages(nodes, options('device'));
    for (const m of messages) {
      const dev = m.payload.dev as Obj;
      const node = nodes.find((n) => m.topic === `homeassistant/device/${n.id}/config`);
      if (!node?.parentId) expect(dev.via_device).toBe('tplink_cloud_mqtt_test1234');
    }
  });
});

describe('discovery payloads', () => {
  const base = options('entity');

  it('builds the switch, sensors, LED and diagnostics of a metering plug', () => {
    const messages = discoveryMessages([plug()], base);
    const byTopic = Object.fromEntries(messages.map((m) => [m.topic, m.payload]));
    const name = topicName(plug());
    const availability = [
      { topic: 'tplink/bridge/state', value_template: '{{ value_json.state }}' },
      { topic: `tplink/${name}/availability`, value_template: '{{ value_json.state }}' },
    ];
    expect(byTopic['homeassistant/switch/kasa_AB12/switch/config']).toEqual({
      name: null,
      unique_id: 'kasa_AB12_switch',
      default_entity_id: `switch.${name}`,
      state_topic: `tplink/${name}`,
      command_topic: `tplink/${name}/set`,
      device_class: 'outlet',
      value_template: '{{ value_json.state }}',
      payload_on: 'ON',
      payload_off: 'OFF',
      availability,
      availability_mode: 'all',
      device: {
        identifiers: ['tplink_cloud_mqtt_kasa_AB12'],
        name: 'Desk lamp',
        manufacturer: 'TP-Link',
        model: 'HS110',
        model_id: 'HS110(EU)',
        connections: [['mac', '50:c7:bf:12:34:56']],
        sw_version: '1.2.5',
        hw_version: '1.0',
        via_device: 'tplink_cloud_mqtt_test1234',
      },
      origin: { name: 'tplink-cloud-mqtt', sw_version: '0.1.0', support_url: expect.stringMatching(/^https:/) },
    });
    expect(byTopic['homeassistant/sensor/kasa_AB12/power/config']).toMatchObject({
      name: 'Power', device_class: 'power', unit_of_measurement: 'W', state_class: 'measurement',
      value_template: '{{ value_json.power }}', default_entity_id: `sensor.${name}_power`,
    });
    expect(byTopic['homeassistant/sensor/kasa_AB12/energy/config']).toMatchObject({
      device_class: 'energy', unit_of_measurement: 'kWh', state_class: 'total_increasing',
    });
    expect(byTopic['homeassistant/sensor/kasa_AB12/voltage/config']).toMatchObject({ unit_of_measurement: 'V' });
    expect(byTopic['homeassistant/sensor/kasa_AB12/current/config']).toMatchObject({ unit_of_measurement: 'A' });
    expect(byTopic['homeassistant/sensor/kasa_AB12/rssi/config']).toMatchObject({
      device_class: 'signal_strength', unit_of_measurement: 'dBm', entity_category: 'diagnostic', enabled_by_default: false,
    });
    expect(byTopic['homeassistant/switch/kasa_AB12/led/config']).toMatchObject({
      name: 'LED', entity_category: 'config', command_topic: `tplink/${name}/set/led`, value_template: '{{ value_json.led }}',
    });
    assertDiscovery([...bridgeDiscovery(base), ...messages]);
  });

  it('uses device_class switch for wall switches and publishes protection as problem binary sensors', () => {
    const wall = plug({ kind: 'switch', features: featureSet([STATE]) });
    const [sw] = discoveryMessages([wall], base);
    expect(sw?.payload.device_class).toBe('switch');
    const tapo = plug({
      id: 'tapo_T1', cloud: 'tapo', mac: undefined,
      address: { cloud: 'tapo', thingName: 'T1', appServerUrl: '' },
      features: featureSet([STATE, OVERCURRENT, OVERHEAT]),
    });
    const problems = discoveryMessages([tapo], base).filter((m) => m.topic.includes('/binary_sensor/'));
    expect(problems.map((m) => [m.payload.name, m.payload.device_class, m.payload.value_template])).toEqual([
      ['Overcurrent', 'problem', "{{ 'ON' if value_json.overcurrent else 'OFF' }}"],
      ['Overheated', 'problem', "{{ 'ON' if value_json.overheat else 'OFF' }}"],
    ]);
  });

  it('publishes one device config with only allowed root keys in device mode', () => {
    const [message, ...rest] = discoveryMessages([plug()], options('device'));
    expect(rest).toEqual([]);
    expect(message?.topic).toBe('homeassistant/device/kasa_AB12/config');
    // Availability and state topic are the same for every component: shared at the root.
    expect(Object.keys(message?.payload ?? {})).toEqual(['dev', 'o', 'availability', 'availability_mode', 'state_topic', 'cmps']);
    expect(message?.payload.availability_mode).toBe('all');
    for (const c of Object.values(message?.payload.cmps as Record<string, Obj>)) {
      expect(typeof c.p).toBe('string');
      expect(c.availability).toBeUndefined();
    }
  });

  it('orders parents before outlets and hangs outlets of an entity-less strip off the bridge', () => {
    const outlet = plug({ id: 'kasa_AB1200', kind: 'outlet', parentId: 'kasa_AB12', mac: undefined, name: 'Socket 1' });
    const strip = plug({ kind: 'strip', features: featureSet([STATE, RSSI]) });
    const messages = discoveryMessages([outlet, strip], options('device'));
    expect(messages.map((m) => m.topic)).toEqual(['homeassistant/device/kasa_AB12/config', 'homeassistant/device/kasa_AB1200/config']);
    expect((messages[1]?.payload.dev as Obj).via_device).toBe('tplink_cloud_mqtt_kasa_AB12');
    const bare = plug({ kind: 'strip', features: featureSet([STATE]) });
    const alone = discoveryMessages([bare, outlet], options('device'));
    expect(alone).toHaveLength(1);
    expect((alone[0]?.payload.dev as Obj).via_device).toBe('tplink_cloud_mqtt_test1234');
  });

  it('keeps ids to [a-zA-Z0-9_-] even when given odd ones', () => {
    const odd = plug({ id: 'kasa_a.b/c' });
    const messages = discoveryMessages([odd], options('entity', { bridgeId: 'bridge one' }));
    for (const m of messages) expect(m.topic).toMatch(/^homeassistant\/\w+\/[a-zA-Z0-9_-]+\/[a-zA-Z0-9_-]+\/config$/);
    expect(bridgeDiscovery(options('device', { bridgeId: 'bridge one' }))[0]?.topic).toBe('homeassistant/device/bridge_one/config');
  });

  it('describes the bridge: connectivity without availability, count and poll duration from bridge/info', () => {
    const [message] = bridgeDiscovery(options('device'));
    const cmps = message?.payload.cmps as Record<string, Obj>;
    expect(Object.keys(cmps)).toEqual(['connection_state', 'device_count', 'last_poll_duration']);
    expect(cmps.connection_state).toMatchObject({ p: 'binary_sensor', device_class: 'connectivity', state_topic: 'tplink/bridge/state', payload_on: 'online' });
    expect(cmps.connection_state?.availability).toBeUndefined();
    // Entity ids an automation can name whatever the installation; unique_ids stay per installation.
    expect(cmps.connection_state).toMatchObject({ default_entity_id: 'binary_sensor.tplink_bridge_connection_state' });
    expect(String(cmps.connection_state?.unique_id)).toContain(options('device').bridgeId);
    expect(cmps.device_count).toMatchObject({ state_topic: 'tplink/bridge/info', value_template: '{{ value_json.device_count }}' });
    expect(cmps.last_poll_duration).toMatchObject({
      value_template: '{{ value_json.last_poll_duration_s }}', device_class: 'duration', unit_of_measurement: 's',
      state_class: 'measurement', entity_category: 'diagnostic',
    });
    expect(bridgeDiscovery(base).map((m) => m.topic)).toEqual([
      'homeassistant/binary_sensor/tplink_cloud_mqtt_test1234/connection_state/config',
      'homeassistant/sensor/tplink_cloud_mqtt_test1234/device_count/config',
      'homeassistant/sensor/tplink_cloud_mqtt_test1234/last_poll_duration/config',
    ]);
  });

  it('removes every config a node may have left, in both modes', () => {
    const removal = removalMessages(plug(), base);
    expect(removal.every((m) => m.payload === '')).toBe(true);
    const topics = removal.map((m) => m.topic);
    expect(topics).toContain('homeassistant/device/kasa_AB12/config');
    for (const mode of ['device', 'entity'] as const) {
      const publishedTopics = discoveryMessages([plug()], options(mode)).map((m) => m.topic);
      for (const topic of publishedTopics) expect(topics).toContain(topic);
    }
    expect(checkDiscovery(removal)).toEqual([]);
  });
});
