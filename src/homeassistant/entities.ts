/**
 * The Home Assistant entities of one node, as component configs without the
 * device/origin blocks (discovery.ts adds those per discovery mode). Derived
 * from the node's features: each feature with an entity spec gives one
 * entity by the rules of its component; the composite JSON light (or the
 * main switch) is built from the light parts.
 */
import { INSTALL, isLightPart, PRESS, type Feature } from '../model/feature.js';
import { allFeatures } from '../model/catalogue.js';
import { isLight, type DeviceNode } from '../model/node.js';
import { availabilityTopic, bridgeTopic, entitySlug, setTopic, stateTopic } from '../mqtt/topics.js';

export type { Component } from '../model/feature.js';
import type { Component } from '../model/feature.js';

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

/** Every (component, object) a node can ever have: removal clears them all, whatever its features were. */
export function entityCatalogue(): Array<{ component: Component; object: string }> {
  const main: Array<{ component: Component; object: string }> = [
    { component: 'switch', object: 'switch' },
    { component: 'light', object: 'light' },
  ];
  return [...main, ...allFeatures().flatMap((f) => (f.entity ? [{ component: f.entity.component, object: f.id }] : []))];
}

const ON_OFF = { payload_on: 'ON', payload_off: 'OFF' };

/** The availability every node entity carries: bridge up AND node reachable. */
export function nodeAvailability(ctx: EntityContext): Record<string, unknown> {
  return {
    availability: [
      { topic: bridgeTopic(ctx.baseTopic, 'state'), value_template: '{{ value_json.state }}' },
      { topic: availabilityTopic(ctx.baseTopic, ctx.name), value_template: '{{ value_json.state }}' },
    ],
    availability_mode: 'all',
  };
}

function entity(node: DeviceNode, ctx: EntityContext, component: Component, object: string, label: string | null, config: Record<string, unknown>): EntityConfig {
  const objectSuffix = label === null ? '' : `_${object}`;
  return {
    component,
    object,
    config: {
      // null: the main entity takes the device's name, as HA recommends.
      name: label,
      unique_id: `${node.id}_${object}`,
      default_entity_id: `${component}.${entitySlug(ctx.name)}${objectSuffix}`,
      // A button has no state: HA's button schema takes no state_topic.
      ...(component === 'button' ? {} : { state_topic: stateTopic(ctx.baseTopic, ctx.name) }),
      ...config,
      ...nodeAvailability(ctx),
    },
  };
}

/** The JSON light or the switch, from the light parts; a strip parent has none (its outlets do). */
function mainEntity(node: DeviceNode, ctx: EntityContext): EntityConfig | undefined {
  const features = node.features ?? {};
  const command_topic = setTopic(ctx.baseTopic, ctx.name);
  if (node.kind === 'strip' || !features.state?.writable) return undefined;
  if (isLight(node)) {
    const range = features.color_temp?.type;
    // HA: onoff/brightness must stand alone; colour modes imply brightness.
    const modes = [...(range ? ['color_temp'] : []), ...('color' in features ? ['hs'] : [])];
    const dimmable = 'brightness' in features || modes.length > 0;
    const config: Record<string, unknown> = {
      schema: 'json',
      command_topic,
      supported_color_modes: modes.length > 0 ? modes : [dimmable ? 'brightness' : 'onoff'],
    };
    if (dimmable) {
      // Neither cloud can flash a light; HA would otherwise offer it.
      Object.assign(config, { brightness: true, brightness_scale: 100, flash: false });
    }
    if (range?.kind === 'number') Object.assign(config, { color_temp_kelvin: true, min_kelvin: range.min, max_kelvin: range.max });
    // The light's effects; "off" stops the running one.
    const effects = features.effect?.type;
    if (effects?.kind === 'enum') Object.assign(config, { effect: true, effect_list: effects.options });
    return entity(node, ctx, 'light', 'light', null, config);
  }
  return entity(node, ctx, 'switch', 'switch', null, {
    command_topic,
    device_class: node.kind === 'switch' || node.kind === 'dimmer' ? 'switch' : 'outlet',
    value_template: '{{ value_json.state }}',
    ...ON_OFF,
  });
}

/** The component-specific options of a feature's own entity. */
function componentOptions(feature: Feature, ctx: EntityContext): Record<string, unknown> {
  const spec = feature.entity;
  const value = `value_json.${feature.id}`;
  const command_topic = feature.writable ? setTopic(ctx.baseTopic, ctx.name, feature.id) : undefined;
  switch (spec?.component) {
    case 'binary_sensor':
      return feature.type.kind === 'flag'
        ? { value_template: `{{ 'ON' if ${value} else 'OFF' }}`, ...ON_OFF }
        : { value_template: `{{ ${value} }}`, ...ON_OFF };
    case 'switch':
      return { command_topic, value_template: `{{ ${value} }}`, ...ON_OFF };
    case 'number': {
      const type = feature.type;
      const range = type.kind === 'number' ? { min: type.min, max: type.max, step: type.step ?? 1 } : {};
      return { command_topic, value_template: `{{ ${value} }}`, ...range };
    }
    case 'select':
      return { command_topic, value_template: `{{ ${value} }}`, options: feature.type.kind === 'enum' ? feature.type.options : [] };
    case 'button':
      return { command_topic, payload_press: PRESS };
    case 'update':
      // HA reads the JSON object (installed_version, latest_version, in_progress...);
      // without a command_topic it offers no Install.
      return { value_template: `{{ ${value} | tojson }}`, ...(command_topic ? { command_topic, payload_install: INSTALL } : {}) };
    case 'sensor':
    case 'light':
    case undefined:
      return { value_template: `{{ ${value} }}` };
  }
}

export function nodeEntities(node: DeviceNode, ctx: EntityContext): EntityConfig[] {
  const out: EntityConfig[] = [];
  const main = mainEntity(node, ctx);
  if (main) out.push(main);
  for (const feature of Object.values(node.features ?? {})) {
    const spec = feature.entity;
    if (!spec || isLightPart(feature.id)) continue;
    const { component, name, ...options } = spec;
    const config: Record<string, unknown> = { ...options, ...componentOptions(feature, ctx) };
    for (const key of Object.keys(config)) if (config[key] === undefined) delete config[key];
    out.push(entity(node, ctx, component, feature.id, name, config));
  }
  return out;
}
