/**
 * Light presets as both clouds show them: a `select` of "Light preset 1"..
 * (python-kasa's names), its state the first preset the light now looks
 * like, null (unknown in Home Assistant) when it matches none. Choosing one
 * is a light write with the preset's values. Each cloud says where its
 * presets come from (Kasa sysinfo `preferred_state`, Tapo
 * `get_preset_rules`) and how it writes them.
 */
import type { Feature, FeatureSet } from './feature.js';

export const LIGHT_PRESET: Feature = {
  id: 'light_preset',
  type: { kind: 'enum', options: [] },
  readable: true,
  writable: true,
  entity: { component: 'select', name: 'Light preset', entity_category: 'config', icon: 'mdi:palette-outline' },
  doc: 'bulbs, light strips, Kasa dimmers: the light preset it shows (null: none), or the one to apply',
};

/** A preset's look, in the devices' own numbers (color_temp 0: colour mode). */
export interface PresetLook {
  brightness: number;
  color_temp?: number;
  hue?: number;
  saturation?: number;
}

/** The preset at `position` (0-based: a Kasa preset's `index`, a Tapo preset's place in the list). */
export const presetName = (position: number): string => `Light preset ${position + 1}`;

export function presetFeature(names: readonly string[]): Feature {
  return { ...LIGHT_PRESET, type: { kind: 'enum', options: [...names] } };
}

/** Whether the light now looks like `preset`, in what the node can show. */
export function looksLike(preset: PresetLook, look: Record<string, unknown>, features: FeatureSet): boolean {
  if (preset.brightness !== look.brightness) return false;
  const colour = preset.color_temp === 0;
  if (colour && 'color' in features) return preset.hue === look.hue && preset.saturation === look.saturation && look.color_temp === 0;
  // A white preset is not what a colour light in colour mode shows.
  if (!colour && 'color' in features && look.color_temp === 0) return false;
  if (!colour && preset.color_temp !== undefined && 'color_temp' in features) return preset.color_temp === look.color_temp;
  return true;
}

/** The light values applying `preset` (colour presets with color_temp 0, as both clouds take colour). */
export function presetValues(preset: PresetLook): PresetLook {
  if (preset.color_temp === 0) return { brightness: preset.brightness, color_temp: 0, hue: preset.hue ?? 0, saturation: preset.saturation ?? 0 };
  return preset.color_temp !== undefined && preset.color_temp > 0 ? { brightness: preset.brightness, color_temp: preset.color_temp } : { brightness: preset.brightness };
}
