/**
 * Child lock of Tapo devices that have one (component `child_protection`:
 * the device's own button does nothing while it is on), as a config switch:
 * `get_child_protection` / `set_child_protection {enable}` through
 * services-sync (python-kasa smart ChildProtection; the app's
 * ChildProtectionBean is `{enable}`; python-kasa reads the same flag as
 * device info's `child_protection`, so the getter's answer is read under
 * either name). Read at the settings
 * cadence in the thing's settings multipleRequest (no request of its own).
 * The bridge does not read component lists: a device without the
 * component answers the getter -1002 ("unknown method") the first time,
 * is never asked again and gets no switch, so the switch is there exactly
 * on devices whose component list has it. Sockets of a strip have none of
 * their own.
 */
import type { NodeState } from '../../../model/node.js';
import type { TapoModule } from '../module.js';
import { answerOf, configSwitch, onOff } from '../settings.js';

const READ = 'get_child_protection';

export const CHILD_LOCK = configSwitch('child_lock', 'Child lock', "Tapo devices with a child lock: the device's own button locked", 'mdi:lock');

function lockedOf(results: ReadonlyMap<string, Record<string, unknown>>): boolean | undefined {
  const answer = answerOf(results, READ);
  const flag = answer?.enable ?? answer?.child_protection;
  return typeof flag === 'boolean' ? flag : undefined;
}

export const module: TapoModule = {
  name: 'child-lock',
  order: 23,
  features: [CHILD_LOCK],
  detect: () => [],
  servicesMethods: (target, _features, cadence) => (cadence === 'settings' && target.traits.kind !== 'outlet' ? [READ] : []),
  detectServices: (results) => (lockedOf(results) !== undefined ? [CHILD_LOCK] : []),
  parseServices(results, features) {
    const locked = lockedOf(results);
    const out: NodeState = {};
    if (locked !== undefined && 'child_lock' in features) out.child_lock = onOff(locked);
    return out;
  },
  writeServices(_target, desired, features) {
    if (desired.child_lock === undefined || !('child_lock' in features)) return [];
    return [{ method: 'set_child_protection', params: { enable: desired.child_lock === 'ON' } }];
  },
};
