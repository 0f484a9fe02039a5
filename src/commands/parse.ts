/**
 * Parses a `<base>/<name>/set[/<attribute>]` payload into a DesiredState,
 * validated against the node's capabilities. This is a trust boundary: the
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
import type { DeviceNode } from '../model/node.js';
import type { DesiredState, ParseResult } from './types.js';

export const MAX_PAYLOAD_BYTES = 4096;
const MAX_TRANSITION_S = 60;

const ATTRIBUTES = ['state', 'brightness', 'color_temp', 'color', 'transition', 'led'] as const;
type Attribute = (typeof ATTRIBUTES)[number];

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
const ledSchema = z.preprocess(onOffWord, z.enum(['ON', 'OFF'], { error: 'must be ON or OFF' }));
const intSchema = (min: number, max: number) =>
  z.preprocess(numeric, z.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).min(min, { error: `must be ${min} or more` }).max(max, { error: `must be ${max} or less` }));
const hueSchema = z.number({ error: 'must be a number' }).min(0, { error: 'must be 0-360' }).max(360, { error: 'must be 0-360' });
const satSchema = z.number({ error: 'must be a number' }).min(0, { error: 'must be 0-100' }).max(100, { error: 'must be 0-100' });
const colorSchema = z.union(
  [
    z.strictObject({ h: hueSchema, s: satSchema }),
    z.strictObject({ hue: hueSchema, saturation: satSchema }).transform(({ hue, saturation }) => ({ h: hue, s: saturation })),
  ],
  { error: 'must be {"h": 0-360, "s": 0-100}' },
);

const payloadSchema = z.strictObject({
  state: stateSchema.optional(),
  brightness: intSchema(0, 100).optional(),
  // Range checked against the node below, so the reason can name its range.
  color_temp: intSchema(1, 100_000).optional(),
  color: colorSchema.optional(),
  transition: z
    .preprocess(numeric, z.number({ error: 'must be a number' }).min(0, { error: 'must be 0 or more' }).max(MAX_TRANSITION_S, { error: `must be ${MAX_TRANSITION_S} or less` }))
    .optional(),
  led: ledSchema.optional(),
});

type Payload = z.output<typeof payloadSchema>;

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
function attributeValue(attribute: Attribute, text: string): unknown {
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

function toRaw(text: string, attribute: string | undefined): { ok: true; raw: Record<string, unknown> } | { ok: false; reason: string } {
  if (attribute !== undefined) {
    if (!(ATTRIBUTES as readonly string[]).includes(attribute)) return { ok: false, reason: `unknown attribute ${quote(attribute, 24)}` };
    if (text === '') return { ok: false, reason: `empty value for ${attribute}` };
    return { ok: true, raw: { [attribute]: attributeValue(attribute as Attribute, text) } };
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

function supportsOnOff(node: DeviceNode): boolean {
  return node.capabilities.relay || node.kind === 'bulb' || node.kind === 'lightstrip' || node.kind === 'strip';
}

/** Checks a schema-valid payload against what this node can do. */
function checkCapabilities(payload: Payload, node: DeviceNode): string | undefined {
  const caps = node.capabilities;
  if (payload.state !== undefined) {
    if (!supportsOnOff(node)) return 'this device cannot be switched on or off';
    if (node.kind === 'strip' && payload.state === 'TOGGLE') return 'TOGGLE is not supported on a power strip; send ON or OFF (all outlets)';
  }
  if (payload.brightness !== undefined && !caps.brightness) return 'brightness is not supported by this device';
  if (payload.transition !== undefined && !caps.brightness) return 'transition is not supported by this device';
  if (payload.color !== undefined && !caps.color) return 'color is not supported by this device';
  if (payload.led !== undefined && !caps.led) return 'led is not supported by this device';
  if (payload.color_temp !== undefined) {
    const range = caps.colorTemp;
    if (!range) return 'color_temp is not supported by this device';
    if (payload.color_temp < range.min || payload.color_temp > range.max) {
      return `color_temp must be ${range.min}-${range.max} K`;
    }
  }
  if (payload.color !== undefined && payload.color_temp !== undefined) return 'color and color_temp cannot be set together';
  return undefined;
}

function toDesired(payload: Payload): DesiredState {
  const desired: DesiredState = {};
  if (payload.state !== undefined) desired.state = payload.state;
  if (payload.brightness !== undefined) {
    // brightness 0 = off; an explicit state in the same payload loses to it.
    if (payload.brightness === 0) desired.state = 'OFF';
    else desired.brightness = payload.brightness;
  }
  if (payload.color_temp !== undefined) desired.color_temp = payload.color_temp;
  if (payload.color !== undefined) desired.color = { h: Math.round(payload.color.h), s: Math.round(payload.color.s) };
  if (payload.transition !== undefined) desired.transition = payload.transition;
  if (payload.led !== undefined) desired.led = payload.led;
  return desired;
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

    const parsed = payloadSchema.safeParse(raw.raw);
    if (!parsed.success) return fail(describeIssues(parsed.error));
    if (Object.values(parsed.data).every((value) => value === undefined)) return fail('nothing to set');

    const capabilityProblem = checkCapabilities(parsed.data, node);
    if (capabilityProblem) return fail(capabilityProblem);
    return { ok: true, desired: toDesired(parsed.data) };
  } catch {
    // Defensive: nothing above should throw, but a bad command must never crash the bridge.
    return fail('invalid payload');
  }
}
