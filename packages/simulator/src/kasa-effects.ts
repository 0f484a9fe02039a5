/**
 * Light effects of Kasa light strips (`smartlife.iot.lighting_effect`), on
 * strips whose sysinfo has `lighting_effect_state` (KL420L5, KL430):
 * `get_lighting_effect` answers the whole definition of the current (or
 * last) effect, `set_lighting_effect` applies one as the strip does:
 * starting (enable 1) needs the whole definition (a type and its
 * parameters; a name alone is refused, python-kasa #360), stopping
 * (enable 0) only stops the stored one. sysinfo's `lighting_effect_state`
 * shows the result.
 *
 * Synthesised (no fixture captured `get_lighting_effect`; documented in the
 * README): the starting definition is the sysinfo summary completed as a
 * `sequence` effect, in the shape of the L920-5 capture (Tapo strips share
 * the format): one colour per step, the strip's segments repeating it.
 */
import { isJson, type Json, type KasaDevice } from './model.js';
import type { Method } from './kasa-settings.js';

const MODULE = 'smartlife.iot.lighting_effect';
const INVALID_ARGUMENT = { err_code: -3, err_msg: 'invalid argument' };
const MEMBER_NOT_SUPPORTED = { err_code: -2, err_msg: 'member not support' };

const isInt = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** A colour step [hue 0-360, saturation 0-100, brightness 0-100]. */
const isStep = (step: unknown): boolean => Array.isArray(step) && step.length === 3 && isInt(step[0], 0, 360) && isInt(step[1], 0, 100) && isInt(step[2], 0, 100);

/** Whether `params` is a whole effect the strip can run: its type and that type's parameters. */
function isWholeEffect(params: Json): boolean {
  if (typeof params.name !== 'string' || params.name === '' || typeof params.id !== 'string') return false;
  if (params.brightness !== undefined && !isInt(params.brightness, 0, 100)) return false;
  const timing = ['duration', 'transition'].every((key) => params[key] === undefined || isInt(params[key], 0, 600_000));
  if (params.type === 'sequence') return timing && Array.isArray(params.sequence) && params.sequence.length > 0 && params.sequence.every(isStep);
  if (params.type === 'random') return timing && Array.isArray(params.init_states) && params.init_states.length > 0 && params.init_states.every(isStep);
  return false;
}

function summaryOf(device: KasaDevice): Json | undefined {
  const state = device.sysinfo.lighting_effect_state;
  return device.family === 'lightstrip' && isJson(state) ? state : undefined;
}

/** The strip's stored definition (the synthesised one until a write replaces it). */
function definitionOf(device: KasaDevice, summary: Json): Json {
  const stored = device.staticModules[MODULE];
  if (isJson(stored) && isJson(stored.get_lighting_effect)) return stored.get_lighting_effect;
  const brightness = isInt(summary.brightness, 0, 100) ? summary.brightness : 100;
  const definition: Json = {
    ...summary,
    type: 'sequence',
    sequence: [
      [0, 100, brightness],
      [120, 100, brightness],
      [240, 100, brightness],
    ],
    duration: 0,
    transition: 1000,
    spread: 1,
    direction: 1,
    repeat_times: 0,
    expansion_strategy: 1,
  };
  device.staticModules[MODULE] = { get_lighting_effect: definition };
  return definition;
}

function store(device: KasaDevice, definition: Json): void {
  device.staticModules[MODULE] = { get_lighting_effect: definition };
  const { brightness, custom, enable, id, name } = definition;
  device.sysinfo.lighting_effect_state = { brightness, custom, enable, id, name };
}

export const EFFECT_METHODS: Record<string, Method> = {
  get_lighting_effect: (device) => {
    const summary = summaryOf(device);
    return summary ? { ...definitionOf(device, summary), err_code: 0 } : MEMBER_NOT_SUPPORTED;
  },
  set_lighting_effect: (device, params) => {
    const summary = summaryOf(device);
    if (!summary) return MEMBER_NOT_SUPPORTED;
    if (params.enable === 0) {
      store(device, { ...definitionOf(device, summary), enable: 0 });
      return { err_code: 0 };
    }
    if (params.enable !== 1 || !isWholeEffect(params)) return INVALID_ARGUMENT;
    store(device, { custom: 0, ...params });
    return { err_code: 0 };
  },
};

/** The effect module on strips that have effects; undefined elsewhere (module not support). */
export function effectModule(device: KasaDevice, module: string): Record<string, Method> | undefined {
  return module === MODULE && summaryOf(device) ? EFFECT_METHODS : undefined;
}
