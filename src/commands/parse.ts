/**
 * Parses a `<base>/<name>/set[/<attribute>]` payload into a DesiredState,
 * validated against the node's features: the accepted keys, their types
 * and ranges all come from the feature declarations the node carries. This is a trust boundary: the
 * payload comes from anyone who can publish to the broker, so it is
 * size-limited, decoded strictly, schema-checked with zod, and every
 * failure becomes a short reason that is safe to publish back (it never
 * echoes more than a few characters of the input). Never throws.
 *
 * Semantics worth knowing:
 * - brightness 0 means OFF (zigbee2mqtt does the same): the result is
 *   `{state: 'OFF'}` without brightness.
 * - A power strip parent accepts ON/OFF: every outlet switches (Kasa
 *   set_relay_state without context). TOGGLE is refused there, because
 *   "the strip's state" is not one relay.
 * - color and color_temp in one payload are refused: they are two modes.
 * - h and s may be fractional (Home Assistant sends floats); they are
 *   rounded. brightness and color_temp must be integers.
 * - transition is accepted on any dimmable node; Kasa bulbs and light
 *   strips use it, other families ignore it.
 */
import { z } from 'zod';
import { INSTALL, isUpdateValue, PRESS, type Feature } from '../model/feature.js';
import { knownFeature } from '../model/catalogue.js';
import type { DeviceNode } from '../model/node.js';
import type { DesiredState, ParseResult } from './types.js';

export const MAX_PAYLOAD_BYTES = 4096;
const MAX_TRANSITION_S = 60;

/** Human text for a piece of input, cut short: reasons are published on MQTT. */
function quote(text: string, max = 32): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return JSON.stringify(clean.length > max ? `${clean.slice(0, max)}…` : clean);
}

/** ON/OFF/TOGGLE words, 1/0 and true/false, any case. */
function onOffWord(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 'ON' : 'OFF';
  if (value === 1) return 'ON';
  if (value === 0) return 'OFF';
  if (typeof value !== 'string') return value;
  const word = value.trim().toUpperCase();
  if (word === '1' || word === 'TRUE') return 'ON';
  if (word === '0' || word === 'FALSE') return 'OFF';
  return word;
}

/** "60" -> 60: attribute topics and some scripts send numbers as strings. */
function numeric(value: unknown): unknown {
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return value;
}

const stateSchema = z.preprocess(onOffWord, z.enum(['ON', 'OFF', 'TOGGLE'], { error: 'must be ON, OFF or TOGGLE' }));
const onOffSchema = z.preprocess(onOffWord, z.enum(['ON', 'OFF'], { error: 'must be ON or OFF' }));
const flagSchema = z.preprocess((value) => {
  const word = onOffWord(value);
  return word === 'ON' ? true : word === 'OFF' ? false : word;
}, z.boolean({ error: 'must be ON or OFF' }));
const hueSchema = z.number({ error: 'must be a number' }).min(0, { error: 'must be 0-360' }).max(360, { error: 'must be 0-360' });
const satSchema = z.number({ error: 'must be a number' }).min(0, { error: 'must be 0-100' }).max(100, { error: 'must be 0-100' });
const colorSchema = z.union(
  [
    z.strictObject({ h: hueSchema, s: satSchema }),
    z.strictObject({ hue: hueSchema, saturation: satSchema }).transform(({ hue, saturation }) => ({ h: hue, s: saturation })),
  ],
  { error: 'must be {"h": 0-360, "s": 0-100}' },
);

/** One fixed word, any case ("press", "PRESS"), given as the declared spelling. */
function wordSchema(word: string) {
  return z
    .string({ error: `must be ${word}` })
    .refine((text) => text.toLowerCase() === word.toLowerCase(), { error: `must be ${word}` })
    .transform(() => word);
}

function numberSchema(min: number, max: number, integer: boolean) {
  const base = z.number({ error: 'must be a number' });
  const checked = (integer ? base.int({ error: 'must be an integer' }) : base)
    .min(min, { error: `must be ${min} or more` })
    .max(max, { error: `must be ${max} or less` });
  return z.preprocess(numeric, checked);
}

/** The light's transition (seconds): no state, accepted wherever brightness is. */
const transitionSchema = numberSchema(0, MAX_TRANSITION_S, false);

/** The schema of one writable feature's value, from its declaration. */
function valueSchema(feature: Feature): z.ZodType {
  const type = feature.type;
  if (feature.id === 'state') return stateSchema;
  // brightness 0 is accepted and means OFF (zigbee2mqtt).
  if (feature.id === 'brightness') return numberSchema(0, 100, true);
  // Range checked below, so the reason can name the node's range in Kelvin.
  if (feature.id === 'color_temp') return numberSchema(1, 100_000, true);
  switch (type.kind) {
    case 'onoff':
      return onOffSchema;
    case 'flag':
      return flagSchema;
    case 'color':
      return colorSchema;
    case 'enum':
      return z.enum(type.options as [string, ...string[]], { error: `must be one of ${type.options.join(', ')}` });
    case 'number': {
      const integer = type.step === undefined || Number.isInteger(type.step);
      return numberSchema(type.min ?? -Number.MAX_VALUE, type.max ?? Number.MAX_VALUE, integer);
    }
    case 'text':
      return z.string({ error: 'must be text' }).max(255, { error: 'must be 255 characters or fewer' });
    case 'timestamp':
      return z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with its offset' });
    case 'press':
      return wordSchema(PRESS);
    case 'update':
      return wordSchema(INSTALL);
  }
}

function writable(node: DeviceNode): Feature[] {
  return Object.values(node.features ?? {}).filter((feature) => feature.writable);
}

function payloadSchema(node: DeviceNode) {
  const shape: Record<string, z.ZodType> = {};
  for (const feature of writable(node)) shape[feature.id] = valueSchema(feature).optional();
  if ('brightness' in shape) shape.transition = transitionSchema.optional();
  return z.strictObject(shape);
}

function fail(reason: string): ParseResult {
  return { ok: false, reason };
}

function decode(payload: Buffer | string): string | undefined {
  if (typeof payload === 'string') return payload;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    return undefined;
  }
}

/** JSON.parse that reports failure instead of throwing. */
function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeIssues(error: z.ZodError): string {
  const unknown: string[] = [];
  const others: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
      unknown.push(...issue.keys.map((key) => `${prefix}${key}`));
    } else {
      const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'payload';
      others.push(`${quote(where, 24).slice(1, -1)} ${issue.message}`);
    }
  }
  const parts: string[] = [];
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).map((key) => quote(key, 24));
    parts.push(`unknown key${unknown.length > 1 ? 's' : ''} ${shown.join(', ')}${unknown.length > 5 ? ', …' : ''}`);
  }
  parts.push(...others.slice(0, 3));
  return parts.join('; ') || 'invalid payload';
}

/** The raw value of `set/<attribute>`: JSON when it parses as such, else the text itself. */
function attributeValue(attribute: string, text: string): unknown {
  if (attribute === 'color') {
    const parsed = parseJson(text);
    return parsed.ok ? parsed.value : text;
  }
  // Words and numbers; a JSON string ("ON") is unwrapped too.
  if (text.startsWith('"')) {
    const parsed = parseJson(text);
    if (parsed.ok) return parsed.value;
  }
  return text;
}

/** A key some device could take: a declared feature, or the light's transition. */
function isKnownKey(key: string): boolean {
  return key === 'transition' || knownFeature(key) !== undefined;
}

function toRaw(text: string, attribute: string | undefined): { ok: true; raw: Record<string, unknown> } | { ok: false; reason: string } {
  if (attribute !== undefined) {
    if (!isKnownKey(attribute)) return { ok: false, reason: `unknown attribute ${quote(attribute, 24)}` };
    if (text === '') return { ok: false, reason: `empty value for ${attribute}` };
    return { ok: true, raw: { [attribute]: attributeValue(attribute, text) } };
  }
  if (text === '') return { ok: false, reason: 'empty payload' };
  if (text.startsWith('{')) {
    const parsed = parseJson(text);
    if (!parsed.ok || !isPlainObject(parsed.value)) return { ok: false, reason: 'payload is not valid JSON' };
    return { ok: true, raw: parsed.value };
  }
  // A bare word or number means state, as in zigbee2mqtt (`ON`, `toggle`, `1`, `"OFF"`).
  const value = text.startsWith('"') ? attributeValue('state', text) : text;
  return { ok: true, raw: { state: value } };
}

/** Keys this node cannot take: a reason naming the first, else undefined. */
function unsupported(raw: Record<string, unknown>, node: DeviceNode): string | undefined {
  const features = node.features ?? {};
  for (const key of Object.keys(raw)) {
    if (!isKnownKey(key)) continue; // left to the schema: "unknown key"
    const feature = features[key];
    if (key === 'transition' ? !('brightness' in features) : !feature) {
      return key === 'state' ? 'this device cannot be switched on or off' : `${key} is not supported by this device`;
    }
    if (feature && !feature.writable) return feature.readOnlyWhy ? `${key} is read-only: ${feature.readOnlyWhy}` : `${key} is read-only`;
  }
  return undefined;
}

/** Checks a schema-valid payload against this node's ranges and rules. */
function checkValues(payload: Record<string, unknown>, node: DeviceNode): string | undefined {
  const features = node.features ?? {};
  if (node.kind === 'strip' && payload.state === 'TOGGLE') return 'TOGGLE is not supported on a power strip; send ON or OFF (all outlets)';
  const colorTemp = payload.color_temp;
  const range = features.color_temp?.type;
  if (typeof colorTemp === 'number' && range?.kind === 'number' && range.min !== undefined && range.max !== undefined) {
    if (colorTemp < range.min || colorTemp > range.max) return `color_temp must be ${range.min}-${range.max} K`;
  }
  if (payload.color !== undefined && payload.color_temp !== undefined) return 'color and color_temp cannot be set together';
  return installProblem(payload, node);
}

/** An install the device's last known firmware state already answers: one under way, or nothing newer. */
function installProblem(payload: Record<string, unknown>, node: DeviceNode): string | undefined {
  for (const key of Object.keys(payload)) {
    if (node.features?.[key]?.type.kind !== 'update') continue;
    const firmware = node.state[key];
    if (!isUpdateValue(firmware)) continue;
    if (firmware.in_progress) return `${key}: an install is already under way`;
    if (firmware.latest_version !== null && firmware.latest_version === firmware.installed_version) {
      return `${key}: ${firmware.installed_version} is the latest version; nothing to install (bridge/request/device/firmware_check checks again)`;
    }
  }
  return undefined;
}

function toDesired(payload: Record<string, unknown>): DesiredState {
  const desired: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) if (value !== undefined) desired[key] = value;
  if (typeof desired.brightness === 'number' && desired.brightness === 0) {
    // brightness 0 = off; an explicit state in the same payload loses to it.
    delete desired.brightness;
    desired.state = 'OFF';
  }
  const color = desired.color as { h: number; s: number } | undefined;
  if (color) desired.color = { h: Math.round(color.h), s: Math.round(color.s) };
  return desired as DesiredState;
}

export function parseSetPayload(payload: Buffer | string, attribute: string | undefined, node: DeviceNode): ParseResult {
  try {
    const size = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.length;
    if (size > MAX_PAYLOAD_BYTES) return fail(`payload too large (${size} bytes, at most ${MAX_PAYLOAD_BYTES})`);
    const decoded = decode(payload);
    if (decoded === undefined) return fail('payload is not UTF-8 text');
    const text = decoded.trim();

    const raw = toRaw(text, attribute);
    if (!raw.ok) return fail(raw.reason);

    const missing = unsupported(raw.raw, node);
    if (missing) return fail(missing);
    const parsed = payloadSchema(node).safeParse(raw.raw);
    if (!parsed.success) return fail(describeIssues(parsed.error));
    if (Object.values(parsed.data).every((value) => value === undefined)) return fail('nothing to set');

    const problem = checkValues(parsed.data, node);
    if (problem) return fail(problem);
    return { ok: true, desired: toDesired(parsed.data) };
  } catch {
    // Defensive: nothing above should throw, but a bad command must never crash the bridge.
    return fail('invalid payload');
  }
}
