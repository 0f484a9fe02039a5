/**
 * Smooth on/off of Tapo lights (`get_on_off_gradually_info` /
 * `set_on_off_gradually_info`). Version 1 (L920-5) has one switch;
 * versions 2-3 (L530E) a duration each for on and off, in seconds up to
 * `max_duration` (60 without one), 0 turning it off. Each state is
 * written on its own: copying one into the other would change both.
 */
import { withRange, type Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import { isRecord } from '../../../model/util.js';
import type { ServicesCall, TapoModule } from '../module.js';
import { answerOf, configNumber, configSwitch, isLightTarget, onOff } from '../settings.js';

const READ = 'get_on_off_gradually_info';
const DEFAULT_MAX_S = 60;

export const SMOOTH_TRANSITIONS = configSwitch('smooth_transitions', 'Smooth transitions', 'Tapo lights (one setting): fade when switched on and off', 'mdi:transition');
const duration = (id: string, name: string, doc: string) =>
  configNumber(id, name, { min: 0, max: DEFAULT_MAX_S, unit: 's', deviceClass: 'duration' }, doc);
export const SMOOTH_ON = duration('smooth_transition_on', 'Smooth on', 'Tapo lights: fade when switched on (s, 0 = off)');
export const SMOOTH_OFF = duration('smooth_transition_off', 'Smooth off', 'Tapo lights: fade when switched off (s, 0 = off)');

const STATES = [
  { feature: SMOOTH_ON, key: 'on_state' },
  { feature: SMOOTH_OFF, key: 'off_state' },
] as const;

interface TransitionState {
  enable: boolean;
  duration: number;
  max: number;
}

function stateOf(answer: Record<string, unknown> | undefined, key: string): TransitionState | undefined {
  const state = answer?.[key];
  if (!isRecord(state) || typeof state.enable !== 'boolean') return undefined;
  const duration = typeof state.duration === 'number' ? state.duration : 0;
  const max = typeof state.max_duration === 'number' && state.max_duration > 0 ? state.max_duration : DEFAULT_MAX_S;
  return { enable: state.enable, duration, max };
}

export const module: TapoModule = {
  name: 'smooth-transitions',
  order: 23,
  features: [SMOOTH_TRANSITIONS, SMOOTH_ON, SMOOTH_OFF],
  detect: () => [],
  servicesMethods: (target, _features, cadence) => (cadence === 'settings' && (isLightTarget(target) || target.traits.kind === 'dimmer') ? [READ] : []),
  detectServices(results) {
    const answer = answerOf(results, READ);
    if (typeof answer?.enable === 'boolean') return [SMOOTH_TRANSITIONS];
    return STATES.flatMap(({ feature, key }): Feature[] => {
      const state = stateOf(answer, key);
      return state ? [withRange(feature, 0, state.max)] : [];
    });
  },
  parseServices(results, features) {
    const answer = answerOf(results, READ);
    const out: NodeState = {};
    if (typeof answer?.enable === 'boolean' && 'smooth_transitions' in features) out.smooth_transitions = onOff(answer.enable);
    for (const { feature, key } of STATES) {
      const state = stateOf(answer, key);
      if (state && feature.id in features) out[feature.id] = state.enable ? state.duration : 0;
    }
    return out;
  },
  writeServices(_target, desired, features) {
    const calls: ServicesCall[] = [];
    if (desired.smooth_transitions !== undefined && 'smooth_transitions' in features) {
      calls.push({ method: 'set_on_off_gradually_info', params: { enable: desired.smooth_transitions === 'ON' } });
    }
    const params: Record<string, unknown> = {};
    for (const { feature, key } of STATES) {
      const seconds = desired[feature.id];
      if (typeof seconds !== 'number' || !(feature.id in features)) continue;
      params[key] = seconds > 0 ? { enable: true, duration: seconds } : { enable: false };
    }
    if (Object.keys(params).length > 0) calls.push({ method: 'set_on_off_gradually_info', params });
    return calls;
  },
};
