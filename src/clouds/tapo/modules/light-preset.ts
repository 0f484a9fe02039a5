/**
 * Light presets of Tapo bulbs and light strips (`get_preset_rules`, the
 * app's colour and white presets) as the `light_preset` select Kasa lights
 * have (model/presets.ts): "Light preset 1".. by their place in the list.
 * - Read at the settings cadence, in the thing's settings multipleRequest
 *   (no request of its own). The L920-5 says `sum` 7 and returns 4 states
 *   from `start_index` 0: the bridge offers those it was given (a second
 *   page would cost a request per settings cycle).
 * - Which preset the light shows is worked out at every state read, from
 *   the shadow's light values and the presets last read.
 * - Applying one is a light write through the shadow, `desired {on,
 *   brightness, color_temp | hue, saturation, color_temp 0}`, as every
 *   light command goes: a preset is only a set of light values, and the
 *   shadow is the documented way to set them (tapo-cloud.md §4, §7). No
 *   `set_*` method is involved.
 */
import { z } from 'zod';
import type { NodeState } from '../../../model/node.js';
import { LIGHT_PRESET, looksLike, presetFeature, presetName, presetValues, type PresetLook } from '../../../model/presets.js';
import type { TapoModule } from '../module.js';
import { answerOf, isLightTarget } from '../settings.js';

const READ = 'get_preset_rules';

const stateSchema = z.looseObject({
  brightness: z.number().int().min(1).max(100),
  color_temp: z.number().int().min(0).optional(),
  hue: z.number().int().min(0).max(360).optional(),
  saturation: z.number().int().min(0).max(100).optional(),
});

/** The presets of a get_preset_rules answer, by place; broken entries (effect presets, garbage) are skipped but keep their place. */
function presetsOf(results: ReadonlyMap<string, Record<string, unknown>>): Array<{ name: string; look: PresetLook }> {
  const states = answerOf(results, READ)?.states;
  if (!Array.isArray(states)) return [];
  return states.flatMap((state, i) => {
    const parsed = stateSchema.safeParse(state);
    return parsed.success ? [{ name: presetName(i), look: parsed.data }] : [];
  });
}

function current(results: ReadonlyMap<string, Record<string, unknown>>, look: Record<string, unknown>, features: Parameters<typeof looksLike>[2]): NodeState {
  const presets = presetsOf(results);
  if (presets.length === 0 || typeof look.brightness !== 'number') return {};
  return { light_preset: presets.find((preset) => looksLike(preset.look, look, features))?.name ?? null };
}

export const module: TapoModule = {
  name: 'light-preset',
  order: 60,
  features: [LIGHT_PRESET],
  detect: () => [],
  servicesMethods: (target, _features, cadence) => (cadence === 'settings' && isLightTarget(target) ? [{ method: READ, params: { start_index: 0 } }] : []),
  detectServices(results) {
    const presets = presetsOf(results);
    return presets.length > 0 ? [presetFeature(presets.map((preset) => preset.name))] : [];
  },
  // The settings read carries device info, light values included.
  parseServices: (results, features) => ('light_preset' in features ? current(results, answerOf(results, 'get_device_info') ?? {}, features) : {}),
  // A state read: the shadow's light against the presets last read (its own feature set lacks the preset: found by a settings read).
  parse: (target, reported, features, _readAt, read) => (isLightTarget(target) ? current(read, reported, features) : {}),
  write(target, desired, features, read) {
    const chosen = desired.light_preset;
    if (typeof chosen !== 'string' || !('light_preset' in features) || !isLightTarget(target)) return undefined;
    const preset = presetsOf(read).find((candidate) => candidate.name === chosen);
    if (!preset) throw new Error(`no preset "${chosen}" in what the light last reported`);
    return { on: true, ...presetValues(preset.look) };
  },
};
