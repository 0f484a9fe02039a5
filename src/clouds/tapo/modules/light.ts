/**
 * Bulbs, light strips and dimmer switches: brightness, colour temperature
 * (the reported range, else Tapo's 2500-6500; L900 reports [9000, 9000]:
 * no tunable white) and colour. Colour sets color_temp 0, as the app does.
 */
import { BRIGHTNESS, COLOR, COLOR_TEMP } from '../../../model/features.js';
import { withRange, type Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import { colorModeFor, finiteNumber, lookFields, lookValues } from '../../../model/util.js';
import type { TapoModule } from '../module.js';

const DEFAULT_KELVIN = { min: 2500, max: 6500 };
const LIGHT_KINDS = new Set(['bulb', 'lightstrip', 'dimmer']);

function kelvinRange(raw: unknown): { min: number; max: number } | 'fixed' | undefined {
  if (!Array.isArray(raw) || raw.length !== 2) return undefined;
  const [min, max] = raw.map(finiteNumber);
  if (min === undefined || max === undefined) return undefined;
  return min < max ? { min, max } : 'fixed';
}

export const module: TapoModule = {
  name: 'light',
  order: 1,
  features: [BRIGHTNESS, COLOR_TEMP, COLOR],
  detect({ traits, node }, reported) {
    const isLight = LIGHT_KINDS.has(node.kind);
    const features: Feature[] = [];
    if (traits.brightness || (isLight && finiteNumber(reported.brightness) !== undefined)) features.push(BRIGHTNESS);
    const range = kelvinRange(reported.color_temp_range);
    const tunable = traits.colorTemp || (isLight && finiteNumber(reported.color_temp) !== undefined);
    if (tunable && range !== 'fixed') {
      const { min, max } = range ?? DEFAULT_KELVIN;
      features.push(withRange(COLOR_TEMP, min, max));
    }
    if (traits.color || (isLight && finiteNumber(reported.hue) !== undefined)) features.push(COLOR);
    return features;
  },
  parse(_target, reported, features) {
    const brightness = finiteNumber(reported.brightness);
    const colorTemp = finiteNumber(reported.color_temp);
    const hue = finiteNumber(reported.hue);
    const out: NodeState = lookValues(features, { brightness, color_temp: colorTemp, hue, saturation: finiteNumber(reported.saturation) });
    // Only from a read that carries the light (device info merged in from services-sync does not).
    const lit = brightness !== undefined || colorTemp !== undefined || hue !== undefined;
    if (lit && ('brightness' in features || 'color' in features || 'color_temp' in features)) out.color_mode = colorModeFor(features, colorTemp);
    return out;
  },
  write(_target, desired) {
    const out = lookFields(desired);
    return Object.keys(out).length > 0 ? out : undefined;
  },
};
