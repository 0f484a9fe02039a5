/**
 * Energy of the metering models, from `GET /v1/things/{id}/usage` (nested
 * `energy_usage` or flat): current_power in mW, energy in Wh. The cloud has
 * no lifetime total, so `energy` is this month's kWh (today's when the month
 * is missing): Home Assistant's total_increasing treats the monthly drop to
 * zero as a meter reset, which is what it is.
 */
import { ENERGY, POWER } from '../../../model/features.js';
import { milli, pickEnergy, tidyEnergy } from '../../../model/energy.js';
import { finiteNumber, isRecord } from '../../../model/util.js';
import type { TapoModule } from '../module.js';

export const module: TapoModule = {
  name: 'energy',
  order: 10,
  features: [POWER, ENERGY],
  detect: ({ traits, node }) => (traits.energy && node.kind !== 'strip' ? [POWER, ENERGY] : []),
  readsUsage: (_target, features) => 'power' in features || 'energy' in features,
  parseUsage(usage, features) {
    if (!isRecord(usage)) return {};
    const source = isRecord(usage.energy_usage) ? usage.energy_usage : usage;
    const power = finiteNumber(source.current_power);
    const energy = finiteNumber(source.month_energy) ?? finiteNumber(source.today_energy);
    return pickEnergy(tidyEnergy(milli(power !== undefined && power >= 0 ? power : undefined), undefined, undefined, milli(energy)), features);
  },
};
