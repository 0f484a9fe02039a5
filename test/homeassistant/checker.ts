/**
 * A Home Assistant MQTT discovery checker: validates payloads the way HA's
 * schemas would (plus the bridge's own policy: availability everywhere, ids
 * `[a-zA-Z0-9_-]`, no `object_id`, every entity on a device). The unit tests
 * run it over the discovery of every fixture; the bridge's integration tests
 * reuse it on what was actually published.
 */
import * as T from './checker-tables.js';
import { show } from '../helpers/show.js';

export interface CheckIssue {
  topic: string;
  message: string;
}

export interface CheckOptions {
  /** Discovery prefix; default "homeassistant". */
  prefix?: string;
  /** Require availability on every entity except the bridge's own connectivity sensor. Default true. */
  requireAvailability?: boolean;
  /** Every via_device must name a device of this message set. Default true. */
  requireKnownVia?: boolean;
}

type Obj = Record<string, unknown>;
const ID = /^[a-zA-Z0-9_-]+$/;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Run {
  readonly issues: CheckIssue[] = [];
  readonly uniqueIds = new Map<string, string>();
  readonly deviceIds = new Set<string>();
  readonly vias: Array<{ topic: string; via: string }> = [];
  readonly connections = new Map<string, string>();
  constructor(readonly options: Required<CheckOptions>) {}

  fail(topic: string, message: string): void {
    this.issues.push({ topic, message });
  }
}

/** Expands abbreviations; a key given both ways is an error (HA keeps one at random). */
function expand(run: Run, topic: string, where: string, raw: Obj, table: Record<string, string>): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(raw)) {
    const full = table[key] ?? key;
    if (full in out) run.fail(topic, `${where}: '${full}' given twice (abbreviated and in full)`);
    out[full] = value;
  }
  return out;
}

function checkTopicValue(run: Run, topic: string, key: string, value: unknown, publish: boolean): void {
  if (typeof value !== 'string' || value.trim() === '' || value !== value.trim()) {
    run.fail(topic, `${key} must be a non-empty topic without surrounding spaces`);
    return;
  }
  if (/[+#]/.test(value)) run.fail(topic, `${key} '${value}' contains a wildcard${publish ? ' (not publishable)' : ''}`);
  if (/[\u0000-\u001f]/.test(value)) run.fail(topic, `${key} contains control characters`);
}

function checkDevice(run: Run, topic: string, raw: unknown): void {
  if (!isObj(raw)) return run.fail(topic, 'device must be an object');
  const dev = expand(run, topic, 'device', raw, T.DEVICE_ABBREVIATIONS);
  for (const key of Object.keys(dev)) if (!T.DEVICE_KEYS.has(key)) run.fail(topic, `device: extra key '${key}' not allowed`);
  const ids = typeof dev.identifiers === 'string' ? [dev.identifiers] : dev.identifiers;
  const hasIds = Array.isArray(ids) && ids.length > 0;
  if (ids !== undefined && !(Array.isArray(ids) && ids.every((i) => typeof i === 'string'))) {
    run.fail(topic, 'device.identifiers must be strings');
  }
  const cns = dev.connections;
  const validCns = Array.isArray(cns) && cns.every((c) => Array.isArray(c) && c.length === 2 && c.every((p) => typeof p === 'string'));
  if (cns !== undefined && !validCns) run.fail(topic, 'device.connections must be [type, value] string pairs');
  if (!hasIds && !(validCns && (cns as unknown[]).length > 0)) {
    run.fail(topic, 'device must have at least one identifying value in identifiers and/or connections');
  }
  if (typeof dev.name !== 'string' || dev.name.trim() === '') run.fail(topic, 'device.name missing (policy)');
  for (const key of ['manufacturer', 'model', 'model_id', 'sw_version', 'hw_version', 'via_device']) {
    if (dev[key] !== undefined && typeof dev[key] !== 'string') run.fail(topic, `device.${key} must be a string`);
  }
  const own = hasIds ? (ids as string[]) : [];
  own.forEach((id) => run.deviceIds.add(id));
  if (typeof dev.via_device === 'string') {
    if (own.includes(dev.via_device)) run.fail(topic, 'device is its own via_device');
    run.vias.push({ topic, via: dev.via_device });
  }
  if (validCns) {
    for (const [kind, value] of cns as string[][]) {
      const key = `${kind}:${show(value).toLowerCase()}`;
      const owner = own.join(',');
      const seen = run.connections.get(key);
      // HA merges two devices that share a connection into one.
      if (seen !== undefined && seen !== owner) run.fail(topic, `connection ${key} also used by device ${seen}`);
      run.connections.set(key, owner);
    }
  }
}

function checkOrigin(run: Run, topic: string, raw: unknown): void {
  if (!isObj(raw)) return run.fail(topic, 'origin must be an object');
  const origin = expand(run, topic, 'origin', raw, T.ORIGIN_ABBREVIATIONS);
  if (typeof origin.name !== 'string' || origin.name === '') run.fail(topic, 'origin.name is required');
  for (const key of Object.keys(origin)) if (!T.ORIGIN_KEYS.has(key)) run.fail(topic, `origin: extra key '${key}' not allowed`);
  const url = origin.support_url;
  if (url !== undefined && (typeof url !== 'string' || !/^https?:\/\//.test(url))) run.fail(topic, 'origin.support_url must be a URL');
}

function checkAvailability(run: Run, topic: string, cfg: Obj, platform: string): void {
  if (cfg.availability !== undefined && cfg.availability_topic !== undefined) {
    run.fail(topic, 'availability and availability_topic are exclusive');
  }
  const mode = cfg.availability_mode;
  if (mode !== undefined && !['all', 'any', 'latest'].includes(show(mode))) run.fail(topic, `bad availability_mode '${show(mode)}'`);
  const list = cfg.availability;
  if (list !== undefined) {
    if (!Array.isArray(list) || list.length === 0) run.fail(topic, 'availability must be a non-empty list');
    else for (const item of list) {
      if (!isObj(item)) run.fail(topic, 'availability entries must be objects');
      else checkTopicValue(run, topic, 'availability.topic', item.topic, false);
    }
  }
  const isBridgeConnectivity = platform === 'binary_sensor' && cfg.device_class === 'connectivity';
  if (run.options.requireAvailability && list === undefined && cfg.availability_topic === undefined && !isBridgeConnectivity) {
    run.fail(topic, 'no availability (policy: bridge state + node availability, mode all)');
  }
}

function checkSensor(run: Run, topic: string, cfg: Obj): void {
  const dc = cfg.device_class;
  const unit = cfg.unit_of_measurement;
  const sc = cfg.state_class;
  if (cfg.entity_category === 'config') run.fail(topic, "sensor entity_category 'config' is not allowed");
  if (sc !== undefined && !T.STATE_CLASSES.has(show(sc))) run.fail(topic, `unknown state_class '${show(sc)}'`);
  if (dc === undefined) return;
  const spec = T.SENSOR_DEVICE_CLASSES[show(dc)];
  if (!spec) return run.fail(topic, `unknown or unsupported sensor device_class '${show(dc)}'`);
  if (spec.units.length === 0 ? unit !== undefined : !spec.units.includes(show(unit))) {
    run.fail(topic, `'${show(unit)}' is not a valid unit for device class '${show(dc)}'`);
  }
  if (sc !== undefined && !spec.stateClasses.includes(show(sc))) {
    run.fail(topic, `state_class '${show(sc)}' is not valid for device class '${show(dc)}'`);
  }
  if (dc === 'energy' && sc === undefined) run.fail(topic, 'energy sensor without state_class (energy dashboard ignores it)');
  const precision = cfg.suggested_display_precision;
  if (precision !== undefined && !(Number.isInteger(precision) && (precision as number) >= 0)) {
    run.fail(topic, 'suggested_display_precision must be an integer >= 0');
  }
}

/** number: HA's defaults (1-100) silently clip a wider range, so both bounds must be given. */
function checkNumber(run: Run, topic: string, cfg: Obj): void {
  const { min, max, step, mode } = cfg;
  if (typeof min !== 'number' || typeof max !== 'number') run.fail(topic, 'number: min and max required (policy: HA defaults to 1-100)');
  else if (min >= max) run.fail(topic, 'number: min must be below max');
  if (step !== undefined && !(typeof step === 'number' && step > 0)) run.fail(topic, 'number: step must be a positive number');
  if (mode !== undefined && !T.NUMBER_MODES.has(show(mode))) run.fail(topic, `number: bad mode '${show(mode)}'`);
  const dc = cfg.device_class;
  if (dc === undefined) return;
  const spec = T.SENSOR_DEVICE_CLASSES[show(dc)];
  if (!spec) return run.fail(topic, `number: unknown or unsupported device_class '${show(dc)}'`);
  if (!spec.units.includes(show(cfg.unit_of_measurement))) run.fail(topic, `number: '${show(cfg.unit_of_measurement)}' is not a valid unit for device class '${show(dc)}'`);
}

function checkSelect(run: Run, topic: string, cfg: Obj): void {
  const options = cfg.options;
  if (!Array.isArray(options) || options.length === 0 || !options.every((o) => typeof o === 'string')) {
    return run.fail(topic, 'select: options must be a non-empty list of strings');
  }
  if (new Set(options).size !== options.length) run.fail(topic, 'select: duplicate options');
}

function checkUpdate(run: Run, topic: string, cfg: Obj): void {
  if (cfg.payload_install !== undefined && cfg.command_topic === undefined) run.fail(topic, 'update: payload_install without command_topic');
  // The bridge's policy: say what Install sends (HA's default is INSTALL).
  if (cfg.command_topic !== undefined && cfg.payload_install === undefined) run.fail(topic, 'update: command_topic without payload_install');
  if (cfg.command_topic !== undefined && cfg.command_topic === cfg.state_topic) run.fail(topic, 'update: command_topic is the state topic');
  // HA reads installed_version, latest_version, in_progress... from a JSON object: the template must render one.
  const template = cfg.value_template;
  if (typeof template === 'string' && !/\|\s*tojson\s*}}/.test(template)) run.fail(topic, 'update: value_template must render the state as JSON (| tojson)');
  const summary = cfg.release_summary;
  if (typeof summary === 'string' && summary.length > 255) run.fail(topic, 'update: release_summary longer than 255 characters');
}

const UPDATE_STATE_KEYS = new Set(['installed_version', 'latest_version', 'title', 'release_summary', 'release_url', 'entity_picture', 'in_progress', 'update_percentage']);

/**
 * What Home Assistant (2024.11 and later) would refuse in an update
 * entity's JSON state: unknown keys, versions that are no text (null:
 * unknown), in_progress that is no bool, update_percentage outside 0-100,
 * release notes over 255 characters. Empty: fine.
 */
export function updateStateIssues(state: unknown): string[] {
  if (!isObj(state)) return ['update state: must be a JSON object'];
  const issues: string[] = [];
  for (const key of Object.keys(state)) if (!UPDATE_STATE_KEYS.has(key)) issues.push(`update state: unknown key '${key}'`);
  if (!('installed_version' in state)) issues.push('update state: installed_version missing');
  for (const key of ['installed_version', 'latest_version', 'title', 'release_summary', 'release_url', 'entity_picture']) {
    const value = state[key];
    if (value !== undefined && value !== null && typeof value !== 'string') issues.push(`update state: ${key} must be text or null`);
  }
  if (state.in_progress !== undefined && typeof state.in_progress !== 'boolean') issues.push('update state: in_progress must be true or false');
  const percentage = state.update_percentage;
  if (percentage !== undefined && percentage !== null && (typeof percentage !== 'number' || percentage < 0 || percentage > 100)) {
    issues.push('update state: update_percentage must be 0-100 or null');
  }
  if (typeof state.release_summary === 'string' && state.release_summary.length > 255) issues.push('update state: release_summary longer than 255 characters');
  return issues;
}

function checkLight(run: Run, topic: string, cfg: Obj): void {
  if (cfg.schema !== 'json') return run.fail(topic, "light: only schema 'json' is published by this bridge");
  const modes = cfg.supported_color_modes;
  if (!Array.isArray(modes) || modes.length === 0) return run.fail(topic, 'light: supported_color_modes required');
  if (new Set(modes).size !== modes.length) run.fail(topic, 'light: duplicate colour modes');
  for (const m of modes) if (!T.COLOR_MODES.has(show(m))) run.fail(topic, `light: unknown colour mode '${show(m)}'`);
  if (modes.length > 1 && (modes.includes('onoff') || modes.includes('brightness'))) {
    run.fail(topic, 'light: onoff and brightness must stand alone in supported_color_modes');
  }
  if (modes.length === 1 && modes[0] === 'white') run.fail(topic, "light: 'white' needs another colour mode");
  const kelvinKeys = cfg.min_kelvin !== undefined || cfg.max_kelvin !== undefined;
  if (modes.includes('color_temp') || kelvinKeys) {
    if (cfg.color_temp_kelvin !== true) run.fail(topic, 'light: colour temperature must use color_temp_kelvin: true');
    const min = cfg.min_kelvin;
    const max = cfg.max_kelvin;
    if (!Number.isInteger(min) || !Number.isInteger(max) || (min as number) <= 0 || (min as number) >= (max as number)) {
      run.fail(topic, 'light: min_kelvin < max_kelvin (positive integers) required');
    }
  }
  if (cfg.min_mireds !== undefined || cfg.max_mireds !== undefined) run.fail(topic, 'light: use min/max_kelvin, not mireds');
  const scale = cfg.brightness_scale;
  if (scale !== undefined && !(Number.isInteger(scale) && (scale as number) > 0)) run.fail(topic, 'light: brightness_scale must be a positive integer');
}

function checkEntity(run: Run, topic: string, platform: string, raw: Obj): void {
  const cfg = expand(run, topic, platform, raw, T.ABBREVIATIONS);
  if ('object_id' in cfg) run.fail(topic, 'object_id is deprecated (ignored since HA 2026.4): use default_entity_id');
  const allowed = new Set([...T.COMMON_ENTITY_KEYS, ...(T.PLATFORM_KEYS[platform] ?? [])]);
  if (!T.PLATFORM_KEYS[platform]) run.fail(topic, `platform '${platform}' is not checked by this checker`);
  for (const key of Object.keys(cfg)) if (!allowed.has(key) && key !== 'object_id') run.fail(topic, `${platform}: unknown key '${key}'`);
  for (const key of T.REQUIRED_KEYS[platform] ?? []) if (cfg[key] === undefined) run.fail(topic, `${platform}: '${key}' is required`);
  for (const key of Object.keys(cfg).filter((k) => k.endsWith('_topic'))) {
    checkTopicValue(run, topic, key, cfg[key], key === 'command_topic');
  }
  const uid = cfg.unique_id;
  if (typeof uid !== 'string' || !ID.test(uid)) run.fail(topic, `unique_id '${show(uid)}' missing or not [a-zA-Z0-9_-]`);
  else if (run.uniqueIds.has(uid)) run.fail(topic, `unique_id '${uid}' already used by ${run.uniqueIds.get(uid)}`);
  else run.uniqueIds.set(uid, topic);
  if (cfg.name !== null && (typeof cfg.name !== 'string' || cfg.name === '')) run.fail(topic, 'name must be a string or null');
  const entityId = cfg.default_entity_id;
  if (entityId !== undefined && (typeof entityId !== 'string' || !new RegExp(`^${platform}\\.[a-z0-9_]+$`).test(entityId))) {
    run.fail(topic, `default_entity_id '${show(entityId)}' must be '${platform}.<slug>'`);
  }
  const category = cfg.entity_category;
  if (category !== undefined && category !== 'diagnostic' && category !== 'config') run.fail(topic, `bad entity_category '${show(category)}'`);
  if (cfg.enabled_by_default !== undefined && typeof cfg.enabled_by_default !== 'boolean') run.fail(topic, 'enabled_by_default must be boolean');
  if (cfg.device === undefined) run.fail(topic, 'entity without device (policy)');
  else checkDevice(run, topic, cfg.device);
  if (cfg.origin === undefined) run.fail(topic, 'entity without origin (policy)');
  else checkOrigin(run, topic, cfg.origin);
  checkAvailability(run, topic, cfg, platform);
  const dc = cfg.device_class;
  if (platform === 'switch' && dc !== undefined && !T.SWITCH_DEVICE_CLASSES.has(show(dc))) run.fail(topic, `switch: bad device_class '${show(dc)}'`);
  if (platform === 'binary_sensor' && dc !== undefined && !T.BINARY_SENSOR_DEVICE_CLASSES.has(show(dc))) {
    run.fail(topic, `binary_sensor: bad device_class '${show(dc)}'`);
  }
  if (platform === 'button' && dc !== undefined && !T.BUTTON_DEVICE_CLASSES.has(show(dc))) run.fail(topic, `button: bad device_class '${show(dc)}'`);
  if (platform === 'update' && dc !== undefined && !T.UPDATE_DEVICE_CLASSES.has(show(dc))) run.fail(topic, `update: bad device_class '${show(dc)}'`);
  if (platform === 'binary_sensor' && category === 'config') run.fail(topic, "binary_sensor entity_category 'config' is not allowed");
  if (platform === 'sensor') checkSensor(run, topic, cfg);
  if (platform === 'light') checkLight(run, topic, cfg);
  if (platform === 'number') checkNumber(run, topic, cfg);
  if (platform === 'select') checkSelect(run, topic, cfg);
  if (platform === 'update') checkUpdate(run, topic, cfg);
}

function checkDeviceDiscovery(run: Run, topic: string, raw: Obj): void {
  const root = expand(run, topic, 'root', raw, T.ABBREVIATIONS);
  for (const key of Object.keys(root)) if (!T.DEVICE_ROOT_KEYS.has(key)) run.fail(topic, `device discovery: extra key '${key}' not allowed`);
  for (const key of ['device', 'origin', 'components']) if (root[key] === undefined) run.fail(topic, `device discovery: '${key}' is required`);
  if (root.origin !== undefined) checkOrigin(run, topic, root.origin);
  const components = root.components;
  if (!isObj(components)) return run.fail(topic, 'device discovery: components must be an object');
  if (Object.keys(components).length === 0) run.fail(topic, 'device discovery: no components');
  for (const [key, comp] of Object.entries(components)) {
    const where = `${topic} [${key}]`;
    if (!ID.test(key)) run.fail(where, 'component key not [a-zA-Z0-9_-]');
    if (!isObj(comp)) { run.fail(where, 'component must be an object'); continue; }
    const { p, platform: full, ...rest } = comp;
    const platform = show(p ?? full ?? '');
    if (!T.SUPPORTED_COMPONENTS.has(platform)) { run.fail(where, `platform '${platform}' missing or unsupported`); continue; }
    if (Object.keys(rest).length === 0) continue; // a removal stub
    const merged: Obj = { ...rest, device: root.device, origin: root.origin };
    for (const option of T.SHARED_OPTIONS) if (root[option] !== undefined && merged[option] === undefined) merged[option] = root[option];
    checkEntity(run, where, platform, merged);
  }
}

/** Validates a set of discovery messages (all of one bridge); returns every issue found. */
export function checkDiscovery(messages: Array<{ topic: string; payload: unknown }>, options: CheckOptions = {}): CheckIssue[] {
  const run = new Run({ prefix: 'homeassistant', requireAvailability: true, requireKnownVia: true, ...options });
  const prefix = run.options.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const matcher = new RegExp(`^${prefix}/(\\w+)/(?:([a-zA-Z0-9_-]+)/)?([a-zA-Z0-9_-]+)/config$`);
  for (const { topic, payload: rawPayload } of messages) {
    const match = matcher.exec(topic);
    if (!match) { run.fail(topic, 'illegal discovery topic'); continue; }
    const component = match[1] ?? '';
    if (component !== 'device' && !T.SUPPORTED_COMPONENTS.has(component)) run.fail(topic, `unsupported component '${component}'`);
    if (rawPayload === '' || rawPayload === undefined) continue; // removal
    let payload: unknown = rawPayload;
    if (typeof rawPayload === 'string' || rawPayload instanceof Uint8Array) {
      try { payload = JSON.parse(typeof rawPayload === 'string' ? rawPayload : Buffer.from(rawPayload).toString('utf8')); }
      catch { run.fail(topic, 'payload is not JSON'); continue; }
    }
    if (!isObj(payload)) { run.fail(topic, 'payload must be a JSON object'); continue; }
    if (component === 'device') checkDeviceDiscovery(run, topic, payload);
    else checkEntity(run, topic, component, payload);
  }
  if (run.options.requireKnownVia) {
    for (const { topic, via } of run.vias) if (!run.deviceIds.has(via)) run.fail(topic, `via_device '${via}' names no device of this bridge`);
  }
  return run.issues;
}

/** Throws with every issue listed: for `expect(() => assertDiscovery(...)).not.toThrow()`. */
export function assertDiscovery(messages: Array<{ topic: string; payload: unknown }>, options?: CheckOptions): void {
  const issues = checkDiscovery(messages, options);
  if (issues.length > 0) throw new Error(issues.map((i) => `${i.topic}: ${i.message}`).join('\n'));
}
