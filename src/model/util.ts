/** Small pure helpers shared by the Kasa and Tapo mappings. */
import type { FeatureSet } from './feature.js';
import type { Desired, NodeState } from './node.js';

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** "HS300(US)" -> "HS300"; "L530E(EU)" -> "L530E". */
export function stripRegion(model: string): string {
  return model.replace(/\s*\(.*\)\s*$/, '').trim();
}

/**
 * "5C-E9-31-00-00-00", "788CB5000000", "50:c7:bf:00:00:00" -> "5c:e9:31:00:00:00".
 * Scrubbed or all-zero addresses are no identity (Home Assistant would merge
 * every device carrying one), so they give undefined.
 */
export function normaliseMac(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const hex = raw.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  if (hex.length !== 12 || raw.replace(/[-:.\s]/g, '').length !== 12) return undefined;
  if (/^0+$/.test(hex)) return undefined;
  return hex.match(/../g)?.join(':');
}

/**
 * The colour mode Home Assistant must see: one of the modes the discovery
 * advertised, else HA logs "invalid color mode" and drops the state.
 */
export function colorModeFor(features: FeatureSet, colorTempK: number | undefined): NodeState['color_mode'] {
  if ('color_temp' in features && colorTempK !== undefined && colorTempK > 0) return 'color_temp';
  if ('color' in features) return 'hs';
  if ('color_temp' in features) return 'color_temp';
  return 'brightness' in features ? 'brightness' : 'onoff';
}

/**
 * How a TP-Link light looks, in the names both clouds use (Kasa's light
 * state, Tapo's shadow): color_temp 0 means colour mode, hue and
 * saturation then apply.
 */
export type LightLook = Partial<Record<'brightness' | 'color_temp' | 'hue' | 'saturation', number>>;

/** The brightness, colour temperature and colour a light reports, for the features it has (no temperature in colour mode). */
export function lookValues(features: FeatureSet, look: { [K in keyof LightLook]?: number | undefined }): NodeState {
  const out: NodeState = {};
  if ('brightness' in features && look.brightness !== undefined) out.brightness = look.brightness;
  if ('color_temp' in features && look.color_temp !== undefined && look.color_temp > 0) out.color_temp = look.color_temp;
  if ('color' in features && look.hue !== undefined && look.saturation !== undefined) out.color = { h: look.hue, s: look.saturation };
  return out;
}

/** The fields that give a light `desired`'s brightness and colour or colour temperature (hue and saturation only apply with color_temp 0). */
export function lookFields(desired: Desired): LightLook {
  const out: LightLook = {};
  if (desired.brightness !== undefined) out.brightness = desired.brightness;
  if (desired.color !== undefined) {
    out.hue = desired.color.h;
    out.saturation = desired.color.s;
    out.color_temp = 0;
  } else if (desired.color_temp !== undefined) {
    out.color_temp = desired.color_temp;
  }
  return out;
}
