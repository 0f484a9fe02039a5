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

export type Component = 'switch' | 'light' | 'sensor' | 'binary_sensor' | 'number' | 'select' | 'button' | 'update';

/**
 * When a feature is read. `state`: every poll.intervalS, in the state read;
 * `energy`: every poll.energyIntervalS; `settings`: every
 * poll.settingsIntervalS (values the user changes in the app), also at the
 * interview, on `get` and after our own write of one; `firmware`: every
 * firmware.checkIntervalH per device, jittered, and on request. A cloud
 * merges all the fragments of one cadence into one request per device.
 */
export type Cadence = 'state' | 'energy' | 'settings' | 'firmware';
export const SLOW_CADENCES = ['settings', 'firmware'] as const;
export type SlowCadence = (typeof SLOW_CADENCES)[number];
/**
 * What a source reads besides state and energy: a slow cadence's features,
 * or `install`: the progress of a firmware install under way (read every
 * firmware.progressIntervalS until it ends, no feature's own cadence).
 */
export type ExtraRead = SlowCadence | 'install';

export interface HsColor {
  /** 0-360 */
  h: number;
  /** 0-100 */
  s: number;
}

/** Home Assistant's update entity state (published as one JSON object). */
export interface UpdateValue {
  installed_version: string | null;
  latest_version: string | null;
  title?: string | null;
  release_summary?: string | null;
  release_url?: string | null;
  in_progress?: boolean;
  /** 0-100 while installing, else null. */
  update_percentage?: number | null;
}

/** null: unknown now (a timestamp with nothing to tell, a version not checked yet). */
export type StateValue = string | number | boolean | HsColor | UpdateValue | null;

export function isUpdateValue(value: StateValue | undefined): value is UpdateValue {
  return typeof value === 'object' && value !== null && 'installed_version' in value;
}

/** The payload a button's `set` carries (HA's payload_press), and an update entity's install. */
export const PRESS = 'PRESS';
export const INSTALL = 'install';

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
  | { kind: 'color' }
  /** Free text (an SSID, a version); null when unknown. */
  | { kind: 'text' }
  /** An instant: ISO 8601 with its offset ("2026-12-02T03:31:41+00:00"); null when unknown. */
  | { kind: 'timestamp' }
  /** An action with no state: `set` takes PRESS (a button). */
  | { kind: 'press' }
  /** Firmware versions (UpdateValue); `set` takes "install". */
  | { kind: 'update' };

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
  /** When it is read; `state` when absent. */
  cadence?: Cadence;
  /** Why `set` refuses a feature that is not writable here though it is elsewhere (said in command_rejected). */
  readOnlyWhy?: string;
}

/** `feature`, read-only on this node for the reason given. */
export function readOnly(feature: Feature, why: string): Feature {
  return { ...feature, writable: false, readOnlyWhy: why };
}

export function cadenceOf(feature: Feature): Cadence {
  return feature.cadence ?? 'state';
}

/** The features of one node, by id, in discovery order. */
export type FeatureSet = Record<string, Feature>;

/** The parts of the composite JSON light (and of the main switch). */
export const LIGHT_PARTS = ['state', 'brightness', 'color_temp', 'color', 'effect'] as const;

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
  // Nothing new (every read after the interview): the same set, not a copy, so callers can tell by identity.
  return added.length === 0 ? earlier : { ...earlier, ...Object.fromEntries(added) };
}

export function sameFeatures(a: FeatureSet | undefined, b: FeatureSet | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
