/**
 * IOT settings a device keeps and answers back: a dimmer's transitions
 * (`smartlife.iot.dimmer`), the motion sensor (`smartlife.iot.PIR`) and
 * the ambient-light sensor (`smartlife.iot.LAS`). The device's recorded
 * `get_*` answer (fixture) is its starting state; each setter changes it
 * so the next `get_*` shows the change. A device whose fixture lacks the
 * answer does not have the setting (-2 member not support).
 */
import { isJson, type Json, type KasaDevice, type KasaOutlet } from './model.js';
import { ambientLevel } from './kasa-synth.js';

/** `targets` undefined = the whole device; otherwise the outlets named by `context.child_ids`. */
export type Method = (device: KasaDevice, params: Json, targets: KasaOutlet[] | undefined, now: number) => Json;

const MEMBER_NOT_SUPPORTED = { err_code: -2, err_msg: 'member not support' };
const INVALID_ARGUMENT = { err_code: -3, err_msg: 'invalid argument' };

function inRange(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** The device's own copy of a recorded answer (fixture data is never changed in place). */
function recorded(device: KasaDevice, module: string, method: string): Json | undefined {
  const mod = device.staticModules[module];
  if (!isJson(mod) || !isJson(mod[method]) || mod[method].err_code !== 0) return undefined;
  const copy = structuredClone(mod[method]);
  device.staticModules[module] = { ...mod, [method]: copy };
  return copy;
}

const getter =
  (module: string, method: string): Method =>
  (device) =>
    recorded(device, module, method) ?? MEMBER_NOT_SUPPORTED;

/** A setter of one integer `param` in min..max, stored by `apply` into the recorded answer. */
function setter(module: string, method: string, param: string, min: number, max: number, apply: (answer: Json, value: number) => boolean): Method {
  return (device, params) => {
    const answer = recorded(device, module, method);
    if (!answer) return MEMBER_NOT_SUPPORTED;
    const value = params[param];
    if (!inRange(value, min, max) || !apply(answer, value)) return INVALID_ARGUMENT;
    return { err_code: 0 };
  };
}

const DIMMER = 'smartlife.iot.dimmer';
const dimmerSetter = (param: string, key: string, min: number, max: number) =>
  setter(DIMMER, 'get_dimmer_parameters', param, min, max, (answer, value) => {
    answer[key] = value;
    return true;
  });

/** smartlife.iot.dimmer beyond set_brightness. */
export const DIMMER_SETTINGS: Record<string, Method> = {
  get_dimmer_parameters: getter(DIMMER, 'get_dimmer_parameters'),
  set_fade_on_time: dimmerSetter('fadeTime', 'fadeOnTime', 0, 10_000),
  set_fade_off_time: dimmerSetter('fadeTime', 'fadeOffTime', 0, 10_000),
  set_gentle_on_time: dimmerSetter('duration', 'gentleOnTime', 0, 120_000),
  set_gentle_off_time: dimmerSetter('duration', 'gentleOffTime', 0, 120_000),
  set_button_ramp_rate: dimmerSetter('rampRate', 'rampRate', 10, 50),
};

const PIR = 'smartlife.iot.PIR';
export const PIR_METHODS: Record<string, Method> = {
  get_config: getter(PIR, 'get_config'),
  set_enable: setter(PIR, 'get_config', 'enable', 0, 1, (answer, value) => {
    answer.enable = value;
    return true;
  }),
  // Only the ranges the device lists; Custom with a `value` sets its distance too.
  set_trigger_sens: (device, params) => {
    const answer = recorded(device, PIR, 'get_config');
    if (!answer) return MEMBER_NOT_SUPPORTED;
    const array = Array.isArray(answer.array) ? answer.array : [];
    if (!inRange(params.index, 0, array.length - 1)) return INVALID_ARGUMENT;
    if (params.value !== undefined) {
      if (params.index !== 3 || !inRange(params.value, 0, 1000)) return INVALID_ARGUMENT;
      answer.array = array.map((threshold: unknown, i) => (i === 3 ? params.value : threshold));
    }
    answer.trigger_index = params.index;
    return { err_code: 0 };
  },
};

const LAS = 'smartlife.iot.LAS';
export const LAS_METHODS: Record<string, Method> = {
  get_config: getter(LAS, 'get_config'),
  // The level itself is synthesised (kasa-synth.ts): no fixture captured it.
  get_current_brt: (_device, _params, _targets, now) => ({ value: ambientLevel(now), err_code: 0 }),
  set_enable: setter(LAS, 'get_config', 'enable', 0, 1, (answer, value) => {
    const devs = Array.isArray(answer.devs) ? answer.devs : [];
    const own: unknown = devs[0];
    if (!isJson(own)) return false;
    own.enable = value;
    return true;
  }),
};

/** The settings module of this name, where the device recorded its state. */
export function settingsModule(device: KasaDevice, module: string): Record<string, Method> | undefined {
  if (module === PIR && isJson(device.staticModules[PIR])) return PIR_METHODS;
  if (module === LAS && isJson(device.staticModules[LAS])) return LAS_METHODS;
  return undefined;
}
