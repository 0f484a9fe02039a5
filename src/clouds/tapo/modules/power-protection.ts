/**
 * Overload protection of Tapo metering plugs and sockets
 * (`get_protection_power` with `get_max_power`; `set_protection_power`):
 * on/off and the threshold in W, within what the device says it can carry
 * (the number's max in Home Assistant). Sockets of a P316M name the switch
 * `protection_enabled`, plugs `enabled`: it is written back under the key
 * the device read, in the whole object. The tripped state is the
 * protection module's `power_protection` binary sensor.
 */
import { withRange, type Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import type { TapoModule } from '../module.js';
import { answerOf, configNumber, configSwitch, hasOwnRelay, onOff } from '../settings.js';

const READ = 'get_protection_power';
const MAX = 'get_max_power';

export const POWER_PROTECTION_ENABLED = configSwitch('power_protection_enabled', 'Power protection enabled', 'Tapo metering plugs: switch off above power_protection_threshold', 'mdi:flash-alert');
export const POWER_PROTECTION_THRESHOLD = configNumber(
  'power_protection_threshold',
  'Power protection threshold',
  { min: 0, max: 4000, unit: 'W', deviceClass: 'power', mode: 'slider' },
  "Tapo metering plugs: overload threshold (W, up to the device's get_max_power)",
);

interface Protection {
  key: 'enabled' | 'protection_enabled';
  enabled: boolean;
  threshold: number;
}

function protectionOf(results: ReadonlyMap<string, Record<string, unknown>>): Protection | undefined {
  const answer = answerOf(results, READ);
  if (!answer) return undefined;
  const key = typeof answer.protection_enabled === 'boolean' ? 'protection_enabled' : 'enabled';
  const enabled = answer[key];
  if (typeof enabled !== 'boolean') return undefined;
  // Never set: no threshold yet, which the device treats as 0 (off).
  return { key, enabled, threshold: typeof answer.protection_power === 'number' ? answer.protection_power : 0 };
}

function maxPower(results: ReadonlyMap<string, Record<string, unknown>>): number | undefined {
  const max = answerOf(results, MAX)?.max_power;
  return typeof max === 'number' && max > 0 ? max : undefined;
}

export const module: TapoModule = {
  name: 'power-protection',
  order: 22,
  features: [POWER_PROTECTION_ENABLED, POWER_PROTECTION_THRESHOLD],
  detect: () => [],
  servicesMethods: (target, _features, cadence) => (cadence === 'settings' && hasOwnRelay(target) && (target.traits.energy || target.traits.kind === 'outlet') ? [READ, MAX] : []),
  detectServices(results) {
    const max = maxPower(results);
    if (!protectionOf(results) || max === undefined) return [];
    return [POWER_PROTECTION_ENABLED, withRange(POWER_PROTECTION_THRESHOLD, 0, max)] as Feature[];
  },
  parseServices(results, features) {
    const protection = protectionOf(results);
    const out: NodeState = {};
    if (protection && 'power_protection_enabled' in features) out.power_protection_enabled = onOff(protection.enabled);
    if (protection && 'power_protection_threshold' in features) out.power_protection_threshold = protection.threshold;
    return out;
  },
  writeServices(_target, desired, features, read) {
    const enabled = 'power_protection_enabled' in features ? desired.power_protection_enabled : undefined;
    const threshold = 'power_protection_threshold' in features ? desired.power_protection_threshold : undefined;
    if (enabled === undefined && typeof threshold !== 'number') return [];
    const current = protectionOf(read);
    const key = current?.key ?? 'enabled';
    const params: Record<string, unknown> = { ...answerOf(read, READ) };
    if (enabled !== undefined) params[key] = enabled === 'ON';
    if (typeof threshold === 'number') params.protection_power = threshold;
    return [{ method: 'set_protection_power', params }];
  },
};
