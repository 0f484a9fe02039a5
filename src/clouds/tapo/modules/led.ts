/**
 * The status LED of Tapo plugs, strips and switches (`get_led_info` /
 * `set_led_info`). ON unless the rule is "never": "night_mode" lights it
 * outside the night, and `led_status` only says whether it is lit right
 * now (P100: rule "always", `led_status` false), not the setting. The
 * setter takes the whole object back with the new rule; ON keeps a night
 * mode that was set.
 */
import { LED } from '../../../model/features.js';
import type { Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import type { TapoModule } from '../module.js';
import { answerOf, isLightTarget, onOff } from '../settings.js';

const READ = 'get_led_info';
/** Kasa reads the LED with every state read; Tapo at the settings cadence. */
const TAPO_LED: Feature = { ...LED, cadence: 'settings' };

function ruleOf(results: ReadonlyMap<string, Record<string, unknown>>): string | undefined {
  const rule = answerOf(results, READ)?.led_rule;
  return typeof rule === 'string' ? rule : undefined;
}

export const module: TapoModule = {
  name: 'led',
  order: 20,
  features: [TAPO_LED],
  detect: () => [],
  servicesMethods: (target, _features, cadence) => (cadence === 'settings' && !isLightTarget(target) && target.traits.kind !== 'outlet' ? [READ] : []),
  detectServices: (results) => (ruleOf(results) !== undefined ? [TAPO_LED] : []),
  parseServices(results, features) {
    const rule = ruleOf(results);
    const out: NodeState = {};
    if (rule !== undefined && 'led' in features) out.led = onOff(rule !== 'never');
    return out;
  },
  writeServices(_target, desired, features, read) {
    if (desired.led === undefined || !('led' in features)) return [];
    const current = answerOf(read, READ) ?? {};
    const rule = ruleOf(read);
    const led_rule = desired.led === 'OFF' ? 'never' : rule !== undefined && rule !== 'never' ? rule : 'always';
    return [{ method: 'set_led_info', params: { ...current, led_rule } }];
  },
};
