/**
 * Light effects of Tapo lights, as the JSON light's `effect` (with its
 * `effect_list`; "off" stops the running one), declared once for both
 * clouds in model/effects.ts:
 * - bulbs with dynamic effects (L530E): the device's own rules
 *   (`get_dynamic_light_effect_rules`, at the settings cadence), started and
 *   stopped with `set_dynamic_light_effect_rule_enable {enable, id}`; the
 *   shadow reports which runs (`dynamic_light_effect_enable`, `_id`). They
 *   are named as the app names them by id (L1 "Party", L2 "Relax").
 * - light strips (L920-5): the device's current effect, whose whole
 *   definition `get_lighting_effect` gives; applying it sends that
 *   definition back with `set_lighting_effect` (a bare name does not start
 *   an effect). The bridge ships no effect definitions of its own.
 */
import { EFFECT, OFF, effectFeature, effectParams, runningEffect } from '../../../model/effects.js';
import type { NodeState } from '../../../model/node.js';
import { isRecord } from '../../../model/util.js';
import type { ServicesCall, TapoModule } from '../module.js';
import { answerOf, isLightTarget } from '../settings.js';

const RULES = 'get_dynamic_light_effect_rules';
const STRIP_EFFECT = 'get_lighting_effect';

const APP_NAMES: Record<string, string> = { L1: 'Party', L2: 'Relax' };
const ruleName = (id: string): string => APP_NAMES[id] ?? id;
const nameToRule = (name: string): string => Object.entries(APP_NAMES).find(([, app]) => app === name)?.[0] ?? name;

function ruleIds(results: ReadonlyMap<string, Record<string, unknown>>): string[] {
  const list = answerOf(results, RULES)?.rule_list;
  return Array.isArray(list) ? list.flatMap((rule) => (isRecord(rule) && typeof rule.id === 'string' ? [rule.id] : [])) : [];
}

function stripEffect(results: ReadonlyMap<string, Record<string, unknown>>): Record<string, unknown> | undefined {
  const effect = answerOf(results, STRIP_EFFECT);
  return typeof effect?.name === 'string' && effect.name !== '' ? effect : undefined;
}

export const module: TapoModule = {
  name: 'effect',
  order: 2,
  features: [EFFECT],
  detect: () => [],
  servicesMethods: (target, _features, cadence) => (cadence === 'settings' && isLightTarget(target) ? (target.traits.kind === 'lightstrip' ? [STRIP_EFFECT] : [RULES]) : []),
  detectServices(results) {
    const strip = stripEffect(results);
    if (strip) return [effectFeature([String(strip.name)])];
    const rules = ruleIds(results);
    return rules.length > 0 ? [effectFeature(rules.map(ruleName))] : [];
  },
  // The settings answers tell too (which dynamic rule runs only the shadow says).
  parseServices(results, features) {
    if (!('effect' in features)) return {};
    const strip = stripEffect(results);
    if (strip) return { effect: runningEffect(strip) ?? OFF };
    return answerOf(results, RULES)?.enable === false ? { effect: OFF } : {};
  },
  // A state read's own feature set lacks `effect` (found by the settings read): read what the shadow carries.
  parse(_target, reported) {
    const out: NodeState = {};
    const strip = reported.lighting_effect;
    if (isRecord(strip) && typeof strip.name === 'string') out.effect = runningEffect(strip) ?? OFF;
    else if (reported.dynamic_light_effect_enable === false) out.effect = OFF;
    else if (reported.dynamic_light_effect_enable === true && typeof reported.dynamic_light_effect_id === 'string') out.effect = ruleName(reported.dynamic_light_effect_id);
    return out;
  },
  writeServices(target, desired, features, read) {
    const effect = desired.effect;
    if (typeof effect !== 'string' || !('effect' in features)) return [];
    const calls: ServicesCall[] = [];
    if (target.traits.kind === 'lightstrip') {
      // The definition last read: started again as it was, or stopped.
      const definition = stripEffect(read);
      const params = definition ? effectParams(definition, effect) : undefined;
      if (params) calls.push({ method: 'set_lighting_effect', params });
    } else {
      calls.push({ method: 'set_dynamic_light_effect_rule_enable', params: effect === OFF ? { enable: false } : { enable: true, id: nameToRule(effect) } });
    }
    return calls;
  },
};
