/**
 * A feature is one thing a node can report or be told: its id (the key in
 * the node's state JSON, the `set/<id>` attribute and the Home Assistant
 * object id), its value type and range, whether it can be written, and its
 * Home Assistant entity. Declarations are plain data: a node carries the
 * features learned at its interview, and command validation, the
 * optimistic state, discovery, `bridge/devices` and the README tables are
 * all derived from them (commands/parse.ts, homeassistant/entities.ts...).
 *
 * The composite JSON light (state, brightness, color_temp, color) is the one
 * exception to "one feature, one entity": those features declare no entity
 * of their own and homeassistant/entities.ts builds the main switch/light
 * from them.
 */

export type Component = 'switch' | 'light' | 'sensor' | 'binary_sensor' | 'number' | 'select' | 'button';

export interface HsColor {
  /** 0-360 */
  h: number;
  /** 0-100 */
  s: number;
}

export type StateValue = string | number | boolean | HsColor;

/** How a value is written on the state topic and accepted on `set`. */
export type ValueType =
  /** "ON" / "OFF" (words, 1/0 and true/false are accepted on set). */
  | { kind: 'onoff' }
  /** true / false, shown by a binary sensor. */
  | { kind: 'flag' }
  /** A number; integer unless `step` says otherwise. */
  | { kind: 'number'; min?: number; max?: number; step?: number; unit?: string }
  /** One of a fixed set of words. */
  | { kind: 'enum'; options: string[] }
  /** Hue/saturation {h: 0-360, s: 0-100}. */
  | { kind: 'color' };

export interface EntitySpec {
  component: Component;
  /** The entity name shown in Home Assistant (never repeats the device name). */
  name: string;
  device_class?: string;
  unit_of_measurement?: string;
  state_class?: 'measurement' | 'total' | 'total_increasing';
  entity_category?: 'config' | 'diagnostic';
  enabled_by_default?: boolean;
  icon?: string;
  suggested_display_precision?: number;
  /** number entities: how HA shows the input. */
  mode?: 'box' | 'slider' | 'auto';
}

export interface Feature {
  id: string;
  type: ValueType;
  /** Read from the cloud and published in the state. */
  readable: boolean;
  /** Accepted on `set` / `set/<id>`. */
  writable: boolean;
  /** Its own Home Assistant entity; absent for the parts of the main switch/light. */
  entity?: EntitySpec;
  /** What the value means, for the README's state field table. */
  doc: string;
}

/** The features of one node, by id, in discovery order. */
export type FeatureSet = Record<string, Feature>;

/** The parts of the composite JSON light (and of the main switch). */
export const LIGHT_PARTS = ['state', 'brightness', 'color_temp', 'color'] as const;

export function isLightPart(id: string): boolean {
  return (LIGHT_PARTS as readonly string[]).includes(id);
}

/** A copy of `feature` with another range: a node's colour temperature range, a threshold's limits. */
export function withRange(feature: Feature, min: number, max: number): Feature {
  if (feature.type.kind !== 'number') return feature;
  return { ...feature, type: { ...feature.type, min, max } };
}

/** The feature set from a list, keeping the first declaration of an id. */
export function featureSet(features: Iterable<Feature>): FeatureSet {
  const out: FeatureSet = {};
  for (const feature of features) if (!(feature.id in out)) out[feature.id] = feature;
  return out;
}

/** What both sets have, `later` adding what `earlier` lacked; nothing is ever removed. */
export function unionFeatures(earlier: FeatureSet, later: FeatureSet): FeatureSet {
  const added = Object.entries(later).filter(([id]) => !(id in earlier));
  return { ...earlier, ...Object.fromEntries(added) };
}

export function sameFeatures(a: FeatureSet | undefined, b: FeatureSet | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
