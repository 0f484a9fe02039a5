/**
 * Protection states from the shadow: anything but "normal" (or
 * `overheated: true`) is a problem. Only those the device reports are
 * features: a P115 that never reports overcurrent_status has no such sensor.
 */
import { OVERCURRENT, OVERHEAT, POWER_PROTECTION } from '../../../model/features.js';
import type { Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import { nonEmptyString } from '../../../model/util.js';
import type { TapoModule } from '../module.js';

function flags(reported: Record<string, unknown>): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  const status = (key: string) => nonEmptyString(reported[key]);
  const overcurrent = status('overcurrent_status');
  if (overcurrent) out.overcurrent = overcurrent !== 'normal';
  const overheat = status('overheat_status');
  if (typeof reported.overheated === 'boolean') out.overheat = reported.overheated;
  else if (overheat) out.overheat = overheat !== 'normal';
  const power = status('power_protection_status');
  if (power) out.power_protection = power !== 'normal';
  return out;
}

const FEATURES: Feature[] = [OVERCURRENT, OVERHEAT, POWER_PROTECTION];

export const module: TapoModule = {
  name: 'protection',
  order: 30,
  features: FEATURES,
  detect(_target, reported) {
    const found = flags(reported);
    return FEATURES.filter((feature) => feature.id in found);
  },
  parse(_target, reported, features) {
    const out: NodeState = {};
    for (const [id, value] of Object.entries(flags(reported))) if (id in features) out[id] = value;
    return out;
  },
};
