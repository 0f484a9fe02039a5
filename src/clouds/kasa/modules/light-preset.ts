/**
 * Light presets of Kasa bulbs, light strips and dimmers (sysinfo
 * `preferred_state`, free with every state read) as the `light_preset`
 * select both clouds share (model/presets.ts): "Light preset 1".. by the
 * preset's `index`, so a preset the app changes keeps its name. Choosing
 * one is a light write with its values (dimmers: set_brightness). Effect
 * presets of light strips (`mode` 2) name an effect by id only: they are
 * not offered (the strip's effects are the light's `effect`).
 */
import { z } from 'zod';
import type { NodeState } from '../../../model/node.js';
import { LIGHT_PRESET, looksLike, presetFeature, presetName, presetValues } from '../../../model/presets.js';
import { isRecord } from '../../../model/util.js';
import type { KasaAnswer, KasaModule, KasaRequest, KasaTarget } from '../module.js';

const presetSchema = z.looseObject({
  index: z.number().int().min(0),
  brightness: z.number(),
  color_temp: z.number().optional(),
  hue: z.number().optional(),
  saturation: z.number().optional(),
  mode: z.number().optional(),
});
type Preset = z.infer<typeof presetSchema>;

const nameOf = (preset: Preset) => presetName(preset.index);

const FAMILIES = new Set(['bulb', 'lightstrip', 'dimmer']);

/** The light presets of a sysinfo (effect presets left out); broken entries skipped. */
export function lightPresets(raw: unknown): Preset[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((entry) => {
    const parsed = presetSchema.safeParse(entry);
    return parsed.success && (parsed.data.mode ?? 1) === 1 ? [parsed.data] : [];
  });
}

function presetsOf(target: KasaTarget, answer: KasaAnswer): Preset[] {
  return FAMILIES.has(target.family) && !target.outlet ? lightPresets(answer.sysinfo?.preferred_state) : [];
}

/** What the light shows now: its light state (off: the last "on" look), or a dimmer's brightness. */
function lookOf(answer: KasaAnswer): Record<string, unknown> {
  const light = answer.sysinfo?.light_state;
  if (!light) return { brightness: answer.sysinfo?.brightness };
  return light.on_off === 1 ? light : isRecord(light.dft_on_state) ? light.dft_on_state : {};
}

/** The request applying `preset` to the node. */
export function presetWrite(target: KasaTarget, preset: Preset): KasaRequest {
  if (target.family === 'dimmer') return { 'smartlife.iot.dimmer': { set_brightness: { brightness: preset.brightness } } };
  const light = { on_off: 1, ...presetValues(preset) };
  return target.family === 'bulb'
    ? { 'smartlife.iot.smartbulb.lightingservice': { transition_light_state: light } }
    : { 'smartlife.iot.lightStrip': { set_light_state: light } };
}

export const module: KasaModule = {
  name: 'light-preset',
  order: 60,
  features: [LIGHT_PRESET],
  detect(target, answer) {
    const presets = presetsOf(target, answer);
    return presets.length > 0 ? [presetFeature(presets.map(nameOf))] : [];
  },
  parse(target, answer, features) {
    if (!('light_preset' in features) || !answer.sysinfo) return {};
    const look = lookOf(answer);
    const match = presetsOf(target, answer).find((preset) => looksLike(preset, look, features));
    const out: NodeState = { light_preset: match ? nameOf(match) : null };
    return out;
  },
  write(target, desired, features, last) {
    const chosen = desired.light_preset;
    if (typeof chosen !== 'string' || !('light_preset' in features)) return undefined;
    // Its values as the device last reported them.
    const preset = presetsOf(target, last).find((candidate) => nameOf(candidate) === chosen);
    return preset ? presetWrite(target, preset) : undefined;
  },
};
