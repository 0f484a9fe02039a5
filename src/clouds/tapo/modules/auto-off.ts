/**
 * Auto-off of Tapo plugs and sockets (`get_auto_off_config` /
 * `set_auto_off_config`): on/off and the delay in minutes. The setter
 * always carries both keys, as the app sends them. A strip parent lists the
 * component but has no relay of its own (its sockets have auto-off).
 *
 * When a running countdown will switch it off (`auto_off_at`): the shadow's
 * `auto_off_status` "on" and `auto_off_remain_time` (s) added to the time
 * the read was sent; null while nothing counts down. The remaining time
 * shrinks between reads while the instant stays the same: the node store
 * keeps a timestamp read again within a few seconds (model/time.ts
 * sameInstant), so it is published once per countdown, not at every read.
 */
import type { Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import { isoInstant } from '../../../model/time.js';
import { finiteNumber } from '../../../model/util.js';
import type { TapoModule } from '../module.js';
import { answerOf, configNumber, configSwitch, hasOwnRelay, onOff } from '../settings.js';

const READ = 'get_auto_off_config';
/** The app's default delay, for a write before the first read. */
const AUTO_OFF_DEFAULT_MIN = 120;

export const AUTO_OFF_ENABLED = configSwitch('auto_off_enabled', 'Auto-off enabled', 'Tapo plugs: switch off by themselves after auto_off_minutes', 'mdi:timer-outline');
// 1-1439: the app's range (up to 23 h 59 min); a device that refuses a value fails the command.
export const AUTO_OFF_MINUTES = configNumber('auto_off_minutes', 'Auto-off in', { min: 1, max: 1439, unit: 'min', deviceClass: 'duration' }, 'Tapo plugs: minutes on before auto-off');

export const AUTO_OFF_AT: Feature = {
  id: 'auto_off_at',
  type: { kind: 'timestamp' },
  readable: true,
  writable: false,
  entity: { component: 'sensor', name: 'Auto-off at', device_class: 'timestamp', icon: 'mdi:timer-off-outline', entity_category: 'diagnostic' },
  doc: 'Tapo plugs: when the running auto-off countdown switches it off (null while none runs)',
};

/** The instant the countdown ends, null when none runs, undefined when the device does not report one. */
function autoOffAt(reported: Record<string, unknown>, readAt: number): string | null | undefined {
  const status = reported.auto_off_status;
  if (typeof status !== 'string') return undefined;
  const remain = finiteNumber(reported.auto_off_remain_time);
  return status === 'on' && remain !== undefined && remain > 0 ? isoInstant(readAt + remain * 1000) : null;
}

function configOf(results: ReadonlyMap<string, Record<string, unknown>>): { enable: boolean; delay_min: number } | undefined {
  const answer = answerOf(results, READ);
  if (typeof answer?.enable !== 'boolean' || typeof answer.delay_min !== 'number') return undefined;
  return { enable: answer.enable, delay_min: answer.delay_min };
}

export const module: TapoModule = {
  name: 'auto-off',
  order: 21,
  features: [AUTO_OFF_ENABLED, AUTO_OFF_MINUTES, AUTO_OFF_AT],
  detect: (target, reported) => (hasOwnRelay(target) && autoOffAt(reported, 0) !== undefined ? [AUTO_OFF_AT] : []),
  parse(_target, reported, features, readAt) {
    const at = autoOffAt(reported, readAt);
    return 'auto_off_at' in features && at !== undefined ? { auto_off_at: at } : {};
  },
  servicesMethods: (target, _features, cadence) => (cadence === 'settings' && hasOwnRelay(target) ? [READ] : []),
  detectServices: (results) => (configOf(results) ? [AUTO_OFF_ENABLED, AUTO_OFF_MINUTES] : []),
  parseServices(results, features) {
    const config = configOf(results);
    const out: NodeState = {};
    if (config && 'auto_off_enabled' in features) out.auto_off_enabled = onOff(config.enable);
    if (config && 'auto_off_minutes' in features) out.auto_off_minutes = config.delay_min;
    return out;
  },
  writeServices(_target, desired, features, read) {
    const minutes = desired.auto_off_minutes;
    const enabled = desired.auto_off_enabled;
    if ((enabled === undefined || !('auto_off_enabled' in features)) && (typeof minutes !== 'number' || !('auto_off_minutes' in features))) return [];
    const current = configOf(read);
    const enable = enabled !== undefined ? enabled === 'ON' : (current?.enable ?? false);
    const delay_min = typeof minutes === 'number' ? minutes : (current?.delay_min ?? AUTO_OFF_DEFAULT_MIN);
    return [{ method: 'set_auto_off_config', params: { enable, delay_min } }];
  },
};
