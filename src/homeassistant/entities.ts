/**
 * The Home Assistant entities of one node, as component configs without the
 * device/origin blocks (discovery.ts adds those per discovery mode).
 */
import type { DeviceNode, ProtectionKind } from '../model/node.js';
import {
  bridgeStateTopic,
  entitySlug,
  nodeAvailabilityTopic,
  nodeCommandTopic,
  nodeLedCommandTopic,
  nodeStateTopic,
} from './topics.js';

export type Component = 'switch' | 'light' | 'sensor' | 'binary_sensor';

export interface EntityConfig {
  component: Component;
  /** Stable per node: the cmps key, the discovery object_id and the unique_id suffix. */
  object: string;
  config: Record<string, unknown>;
}

export interface EntityContext {
  baseTopic: string;
  /** The node's topic name (its `<base>/<name>` segment). */
  name: string;
}

/** Every (component, object) a node can ever have: removal clears them all, whatever the capabilities were. */
export const ENTITY_CATALOGUE: ReadonlyArray<{ component: Component; object: string }> = [
  { component: 'switch', object: 'switch' },
  { component: 'light', object: 'light' },
  { component: 'sensor', object: 'power' },
  { component: 'sensor', object: 'voltage' },
  { component: 'sensor', object: 'current' },
  { component: 'sensor', object: 'energy' },
  { component: 'sensor', object: 'rssi' },
  { component: 'sensor', object: 'on_time' },
  { component: 'switch', object: 'led' },
  { component: 'binary_sensor', object: 'overcurrent' },
  { component: 'binary_sensor', object: 'overheat' },
  { component: 'binary_sensor', object: 'power_protection' },
];

const ON_OFF = { payload_on: 'ON', payload_off: 'OFF' };

interface SensorSpec {
  object: 'power' | 'voltage' | 'current' | 'energy';
  name: string;
  device_class: string;
  unit_of_measurement: string;
  state_class: 'measurement' | 'total_increasing';
  suggested_display_precision: number;
}

const ENERGY_SENSORS: SensorSpec[] = [
  { object: 'power', name: 'Power', device_class: 'power', unit_of_measurement: 'W', state_class: 'measurement', suggested_display_precision: 1 },
  { object: 'voltage', name: 'Voltage', device_class: 'voltage', unit_of_measurement: 'V', state_class: 'measurement', suggested_display_precision: 1 },
  { object: 'current', name: 'Current', device_class: 'current', unit_of_measurement: 'A', state_class: 'measurement', suggested_display_precision: 2 },
  { object: 'energy', name: 'Energy', device_class: 'energy', unit_of_measurement: 'kWh', state_class: 'total_increasing', suggested_display_precision: 2 },
];

const PROTECTION_NAMES: Record<ProtectionKind, string> = {
  overcurrent: 'Overcurrent',
  overheat: 'Overheat',
  power_protection: 'Power protection',
};

/** The availability every node entity carries: bridge up AND node reachable. */
export function nodeAvailability(ctx: EntityContext): Record<string, unknown> {
  return {
    availability: [
      { topic: bridgeStateTopic(ctx.baseTopic), value_template: '{{ value_json.state }}' },
      { topic: nodeAvailabilityTopic(ctx.baseTopic, ctx.name), value_template: '{{ value_json.state }}' },
    ],
    availability_mode: 'all',
  };
}

function entity(
  node: DeviceNode,
  ctx: EntityContext,
  component: Component,
  object: string,
  label: string | null,
  config: Record<string, unknown>,
): EntityConfig {
  const main = label === null;
  const objectSuffix = main ? '' : `_${object}`;
  return {
    component,
    object,
    config: {
      // null: the main entity takes the device's name, as HA recommends.
      name: label,
      unique_id: `${node.id}_${object}`,
      default_entity_id: `${component}.${entitySlug(ctx.name)}${objectSuffix}`,
      state_topic: nodeStateTopic(ctx.baseTopic, ctx.name),
      ...config,
      ...nodeAvailability(ctx),
    },
  };
}

function mainEntity(node: DeviceNode, ctx: EntityContext): EntityConfig | undefined {
  const caps = node.capabilities;
  const command_topic = nodeCommandTopic(ctx.baseTopic, ctx.name);
  if (caps.brightness || caps.color || caps.colorTemp) {
    // HA: onoff/brightness must stand alone; colour modes imply brightness.
    const modes = [...(caps.colorTemp ? ['color_temp'] : []), ...(caps.color ? ['hs'] : [])];
    const config: Record<string, unknown> = {
      schema: 'json',
      command_topic,
      supported_color_modes: modes.length > 0 ? modes : ['brightness'],
      brightness: true,
      brightness_scale: 100,
      // Neither cloud can flash a light; HA would otherwise offer it.
      flash: false,
    };
    if (caps.colorTemp) {
      Object.assign(config, { color_temp_kelvin: true, min_kelvin: caps.colorTemp.min, max_kelvin: caps.colorTemp.max });
    }
    return entity(node, ctx, 'light', 'light', null, config);
  }
  if (!caps.relay) return undefined;
  if (node.kind === 'bulb' || node.kind === 'lightstrip') {
    return entity(node, ctx, 'light', 'light', null, { schema: 'json', command_topic, supported_color_modes: ['onoff'] });
  }
  return entity(node, ctx, 'switch', 'switch', null, {
    command_topic,
    device_class: node.kind === 'switch' || node.kind === 'dimmer' ? 'switch' : 'outlet',
    value_template: '{{ value_json.state }}',
    ...ON_OFF,
  });
}

export function nodeEntities(node: DeviceNode, ctx: EntityContext): EntityConfig[] {
  const caps = node.capabilities;
  const out: EntityConfig[] = [];
  const main = mainEntity(node, ctx);
  if (main) out.push(main);
  for (const spec of ENERGY_SENSORS) {
    if (!caps.energy?.[spec.object]) continue;
    const { object, name, ...sensor } = spec;
    out.push(entity(node, ctx, 'sensor', object, name, { ...sensor, value_template: `{{ value_json.${object} }}` }));
  }
  if (caps.led) {
    out.push(
      entity(node, ctx, 'switch', 'led', 'LED', {
        command_topic: nodeLedCommandTopic(ctx.baseTopic, ctx.name),
        value_template: '{{ value_json.led }}',
        entity_category: 'config',
        ...ON_OFF,
      }),
    );
  }
  for (const kind of caps.protection) {
    out.push(
      entity(node, ctx, 'binary_sensor', kind, PROTECTION_NAMES[kind], {
        device_class: 'problem',
        value_template: `{{ 'ON' if value_json.${kind} else 'OFF' }}`,
        entity_category: 'diagnostic',
        ...ON_OFF,
      }),
    );
  }
  if (caps.rssi) {
    out.push(
      entity(node, ctx, 'sensor', 'rssi', 'RSSI', {
        device_class: 'signal_strength',
        unit_of_measurement: 'dBm',
        state_class: 'measurement',
        value_template: '{{ value_json.rssi }}',
        entity_category: 'diagnostic',
        enabled_by_default: false,
      }),
    );
  }
  if (caps.onTime) {
    out.push(
      entity(node, ctx, 'sensor', 'on_time', 'On time', {
        device_class: 'duration',
        unit_of_measurement: 's',
        value_template: '{{ value_json.on_time }}',
        entity_category: 'diagnostic',
        enabled_by_default: false,
      }),
    );
  }
  return out;
}
