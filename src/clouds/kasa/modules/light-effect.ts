/**
 * Light effects of Kasa light strips (KL400L5, KL420L5, KL430:
 * `smartlife.iot.lighting_effect`), as the JSON light's `effect` with its
 * `effect_list`: "off" and the strip's current (or last) effect.
 * - Which effect runs: sysinfo's `lighting_effect_state {name, enable...}`,
 *   free with every state read.
 * - What it is: the strip's answer to `get_lighting_effect`, the whole
 *   definition of that effect (type, sequence or random parameters...),
 *   read at the settings cadence in the settings passthrough (no request of
 *   its own).
 * - Starting it sends that definition back with `set_lighting_effect`
 *   (enable 1; a name alone starts nothing, python-kasa #360); "off" sends
 *   it with enable 0. An effect the strip never reported a definition of
 *   cannot be started: the command fails and says so.
 * Chosen so because the bridge ships no effect definitions of its own:
 * python-kasa's built-in ones are GPL data, the app's are not published,
 * and a definition the device itself reported is one it runs. The list is
 * fixed at the interview (a `bridge/request/device/interview` takes a new
 * current effect in).
 */
import { effectFeature, effectParams, EFFECT, OFF, runningEffect } from '../../../model/effects.js';
import { isRecord } from '../../../model/util.js';
import { moduleAnswer } from '../device-schema.js';
import type { KasaAnswer, KasaModule, KasaTarget } from '../module.js';

const MODULE = 'smartlife.iot.lighting_effect';

function stateOf(target: KasaTarget, answer: KasaAnswer): Record<string, unknown> | undefined {
  const state = answer.sysinfo?.lighting_effect_state;
  return target.family === 'lightstrip' && isRecord(state) ? state : undefined;
}

/** The whole definition the strip reported, when it did. */
function definitionOf(answer: KasaAnswer): Record<string, unknown> | undefined {
  const read = moduleAnswer(answer.response, MODULE, 'get_lighting_effect');
  if (read.kind !== 'ok' || typeof read.value.name !== 'string') return undefined;
  const { err_code: _code, ...definition } = read.value;
  return definition;
}

export const module: KasaModule = {
  name: 'light-effect',
  order: 2,
  features: [EFFECT],
  settingsQuery: (target) => (target.family === 'lightstrip' && target.features && 'effect' in target.features ? { [MODULE]: { get_lighting_effect: {} } } : undefined),
  detect(target, answer) {
    const state = stateOf(target, answer);
    if (!state) return [];
    return [effectFeature(typeof state.name === 'string' && state.name !== '' ? [state.name] : [])];
  },
  parse(target, answer, features) {
    if (!('effect' in features)) return {};
    const summary = stateOf(target, answer) ?? definitionOf(answer);
    const effect = summary ? runningEffect(summary) : undefined;
    return effect === undefined ? {} : { effect };
  },
  write(target, desired, features, last) {
    const effect = desired.effect;
    if (typeof effect !== 'string' || !('effect' in features) || target.family !== 'lightstrip') return undefined;
    // Stopping needs no definition: the summary with enable 0 will do.
    const definition = definitionOf(last) ?? (effect === OFF ? stateOf(target, last) : undefined);
    const params = definition ? effectParams(definition, effect, desired.brightness) : undefined;
    if (!params) throw new Error(`the strip has not reported the definition of effect "${effect}": it cannot be started`);
    return { [MODULE]: { set_lighting_effect: params } };
  },
};
