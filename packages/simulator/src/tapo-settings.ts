/**
 * The Tapo settings a device keeps, written through services-sync
 * (`set_*`), as the device applies them: each setter checks its params,
 * merges them into the device's recorded `get_*` answer, and the next
 * `get_*` shows the change. A device whose capture lacks the getter does
 * not have the setting (-1002); bad params answer -1008, as python-kasa's
 * SmartErrorCode names them.
 */
import { isJson, type Json, type TapoThing } from './model.js';
import type { SmartWrite } from './tapo-writes.js';
import { autoOffConfigured } from './tapo-auto-off.js';

const UNKNOWN_METHOD = -1002;
const PARAMS_ERROR = -1008;

/** A setter: the error code to answer (0 = applied). */
type Setter = (thing: TapoThing, params: Json, now: number) => number;

function recordedAnswer(thing: TapoThing, method: string): Json | undefined {
  const answer = thing.recorded?.[method];
  return isJson(answer) ? answer : undefined;
}

/** Replaces the recorded answer (the capture itself is never changed in place). */
function store(thing: TapoThing, method: string, answer: Json): void {
  thing.recorded = { ...thing.recorded, [method]: answer };
}

const isInt = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** A setter over the answer of `getter`: `check` returns the merged answer, or undefined for bad params. */
function setting(getter: string, check: (current: Json, params: Json) => Json | undefined): Setter {
  return (thing, params) => {
    const current = recordedAnswer(thing, getter);
    if (!current) return UNKNOWN_METHOD;
    const next = check(current, params);
    if (!next) return PARAMS_ERROR;
    store(thing, getter, next);
    return 0;
  };
}

const LED_RULES = ['always', 'never', 'night_mode'];

/** The keys of `params` that are known to `current`, with the same types; anything else: bad params. */
function sameShape(current: Json, params: Json): boolean {
  return Object.entries(params).every(([key, value]) => key in current && typeof value === typeof current[key]);
}

function onOffGradually(current: Json, params: Json): Json | undefined {
  // Version 1: one switch. Versions 2-3: on_state / off_state, each merged on its own.
  if (typeof current.enable === 'boolean') return typeof params.enable === 'boolean' && Object.keys(params).length === 1 ? { ...current, enable: params.enable } : undefined;
  const next: Json = { ...current };
  for (const key of ['on_state', 'off_state']) {
    const change = params[key];
    if (change === undefined) continue;
    const state = current[key];
    if (!isJson(change) || !isJson(state) || !sameShape(state, change)) return undefined;
    const max = typeof state.max_duration === 'number' ? state.max_duration : 60;
    if (change.duration !== undefined && !isInt(change.duration, 0, max)) return undefined;
    next[key] = { ...state, ...change };
  }
  return Object.keys(params).every((key) => key === 'on_state' || key === 'off_state') ? next : undefined;
}

/** Starts a dynamic effect rule the device has (`id`), or stops the running one; device info shows it. */
function dynamicEffect(thing: TapoThing, params: Json): number {
  const rules = recordedAnswer(thing, 'get_dynamic_light_effect_rules');
  if (!rules) return UNKNOWN_METHOD;
  if (typeof params.enable !== 'boolean') return PARAMS_ERROR;
  const list = Array.isArray(rules.rule_list) ? rules.rule_list.filter(isJson) : [];
  if (params.enable && !list.some((rule) => rule.id === params.id)) return PARAMS_ERROR;
  thing.info.dynamic_light_effect_enable = params.enable;
  if (params.enable) thing.info.dynamic_light_effect_id = params.id;
  store(thing, 'get_dynamic_light_effect_rules', { ...rules, enable: params.enable });
  return 0;
}

/** A light strip's effect: a whole definition (type and its parameters), or the current one with enable 0. */
function lightingEffect(thing: TapoThing, params: Json): number {
  const current = recordedAnswer(thing, 'get_lighting_effect');
  if (!current) return UNKNOWN_METHOD;
  const next = { ...current, ...params };
  const whole = typeof next.name === 'string' && typeof next.type === 'string' && (next.enable === 0 || next.enable === 1);
  // Starting needs the definition itself: a name alone is not enough (python-kasa #360).
  if (!whole || (params.enable === 1 && (typeof params.type !== 'string' || typeof params.name !== 'string'))) return PARAMS_ERROR;
  store(thing, 'get_lighting_effect', next);
  const { brightness, custom, display_colors, enable, id, name } = next;
  thing.info.lighting_effect = { brightness, custom, display_colors, enable, id, name };
  return 0;
}

/** Whether the device's component list (its captured component_nego) names `id`. */
function hasComponent(thing: TapoThing, id: string): boolean {
  const nego = thing.recorded?.component_nego;
  const list = isJson(nego) && Array.isArray(nego.component_list) ? nego.component_list : [];
  return list.some((component) => isJson(component) && component.id === id);
}

/**
 * The child lock (component `child_protection`): `get_child_protection`
 * answers `{enable}` (the app's ChildProtectionBean), kept as device info's
 * `child_protection` (where python-kasa reads it), false until set.
 * undefined (-1002) on a device whose components lack it.
 */
export function childProtection(thing: TapoThing): Json | undefined {
  return hasComponent(thing, 'child_protection') ? { enable: thing.info.child_protection === true } : undefined;
}

const SETTERS: Record<string, Setter> = {
  set_child_protection: (thing, params) => {
    if (!hasComponent(thing, 'child_protection')) return UNKNOWN_METHOD;
    if (typeof params.enable !== 'boolean' || Object.keys(params).length !== 1) return PARAMS_ERROR;
    thing.info.child_protection = params.enable;
    return 0;
  },
  set_dynamic_light_effect_rule_enable: dynamicEffect,
  set_lighting_effect: lightingEffect,
  set_led_info: setting('get_led_info', (current, params) =>
    typeof params.led_rule === 'string' && LED_RULES.includes(params.led_rule) && sameShape(current, params) ? { ...current, ...params } : undefined,
  ),
  // Both keys every time, as the app sends them; enabling it while on starts the countdown.
  set_auto_off_config: (thing, params, now) => {
    const code = setting('get_auto_off_config', (current, change) =>
      typeof change.enable === 'boolean' && isInt(change.delay_min, 1, 1439) ? { ...current, enable: change.enable, delay_min: change.delay_min } : undefined,
    )(thing, params, now);
    if (code === 0) autoOffConfigured(thing, now);
    return code;
  },
  set_protection_power: (thing, params, now) => {
    const max = recordedAnswer(thing, 'get_max_power')?.max_power;
    const limit = typeof max === 'number' ? max : 0;
    return setting('get_protection_power', (current, change) => {
      // A socket of a P316M names the switch protection_enabled, the plugs enabled: only the device's own key.
      if (!sameShape(current, change)) return undefined;
      if (change.protection_power !== undefined && !isInt(change.protection_power, 0, limit)) return undefined;
      return { ...current, ...change };
    })(thing, params, now);
  },
  set_on_off_gradually_info: setting('get_on_off_gradually_info', onOffGradually),
  set_auto_update_info: setting('get_auto_update_info', (current, params) =>
    typeof params.enable === 'boolean' && sameShape(current, params) ? { ...current, ...params } : undefined,
  ),
};

/** The setters as services-sync writes (tapo-writes.ts): an empty result, or the device's error code. */
export const SETTINGS_WRITES: Record<string, SmartWrite> = Object.fromEntries(
  Object.entries(SETTERS).map(([method, setter]): [string, SmartWrite] => [
    method,
    (_registry, thing, params, now) => {
      const code = setter(thing, params, now);
      return code === 0 ? { result: {} } : { error_code: code };
    },
  ]),
);
