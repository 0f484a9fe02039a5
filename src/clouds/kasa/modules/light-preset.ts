/**
 * Light presets of Kasa bulbs, light strips and dimmers (sysinfo
 * `preferred_state`, free with every state read) as a select: "Light
 * preset 1".. by the preset's `index`, so a preset the app changes keeps
 * its name. The state is the first preset the light now matches, null
 * (unknown in Home Assistant) when none does. Choosing one is a light
 * write with its values (dimmers: set_brightness). Effect presets of light
 * strips (`mode` 2) need the effect's whole definition, which the cloud
 * does not give: they are not offered.
 */
import { z } from 'zod';
import type { Feature, FeatureSet } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
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

export const LIGHT_PRESET: Feature = {
  id: 'light_preset',
  type: { kind: 'enum', options: [] },
  readable: true,
  writable: true,
  entity: { component: 'select', name: 'Light preset', entity_category: 'config', icon: 'mdi:palette-outline' },
  doc: 'Kasa bulbs, light strips, dimmers: the light preset it shows (null: none), or the one to apply',
};

const presetName = (preset: Preset) => `Light preset ${preset.index + 1}`;

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

/** Whether the light now looks like `preset`, in what the node can show. */
function matches(preset: Preset, look: Record<string, unknown>, features: FeatureSet): boolean {
  if (preset.brightness !== look.brightness) return false;
  const colour = preset.color_temp === 0;
  if (colour && 'color' in features) return preset.hue === look.hue && preset.saturation === look.saturation && look.color_temp === 0;
  if (!colour && preset.color_temp !== undefined && 'color_temp' in features) return preset.color_temp === look.color_temp;
  return true;
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
  const light: Record<string, number> = { on_off: 1, brightness: preset.brightness };
  if (preset.color_temp === 0) Object.assign(light, { color_temp: 0, hue: preset.hue ?? 0, saturation: preset.saturation ?? 0 });
  else if (preset.color_temp !== undefined && preset.color_temp > 0) light.color_temp = preset.color_temp;
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
    return presets.length > 0 ? [{ ...LIGHT_PRESET, type: { kind: 'enum', options: presets.map(presetName) } }] : [];
  },
  parse(target, answer, features) {
    if (!('light_preset' in features) || !answer.sysinfo) return {};
    const look = lookOf(answer);
    const match = presetsOf(target, answer).find((preset) => matches(preset, look, features));
    const out: NodeState = { light_preset: match ? presetName(match) : null };
    return out;
  },
  write(target, desired, features, last) {
    const chosen = desired.light_preset;
    if (typeof chosen !== 'string' || !('light_preset' in features)) return undefined;
    // Its values as the device last reported them.
    const preset = presetsOf(target, last).find((candidate) => presetName(candidate) === chosen);
    return preset ? presetWrite(target, preset) : undefined;
  },
};
