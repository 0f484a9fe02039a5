/**
 * Energy of the metering models, read at the energy cadence through
 * services-sync: get_energy_usage and get_current_power, plus
 * get_emeter_data (voltage, current) on the models that have it
 * (services.ts reads the answers). Where the cloud refuses services-sync,
 * from `GET /v1/things/{id}/usage` (nested `energy_usage` or flat):
 * current_power in mW, energy in Wh. The cloud has no lifetime total, so
 * `energy` is this month's kWh (today's when the month is missing): Home
 * Assistant's total_increasing treats the monthly drop to zero as a meter
 * reset, which is what it is.
 */
import { CURRENT, ENERGY, POWER, VOLTAGE } from '../../../model/features.js';
import { milli, pickEnergy, tidyEnergy } from '../../../model/energy.js';
import { finiteNumber, isRecord } from '../../../model/util.js';
import { servicesEnergy } from '../services.js';
import type { TapoModule } from '../module.js';

export const module: TapoModule = {
  name: 'energy',
  order: 10,
  features: [POWER, VOLTAGE, CURRENT, ENERGY],
  detect: ({ traits, node }) => (traits.energy && node.kind !== 'strip' ? [POWER, ENERGY] : []),
  servicesMethods(target, features, cadence) {
    if (cadence !== 'energy' || !('power' in features || 'energy' in features)) return [];
    return ['get_energy_usage', 'get_current_power', ...(target.traits.emeterData ? ['get_emeter_data'] : [])];
  },
  // Voltage and current only once the device reports them (a P110M firmware has no get_emeter_data).
  detectServices(results) {
    const emeter = results.get('get_emeter_data');
    return [...(finiteNumber(emeter?.voltage_mv) !== undefined ? [VOLTAGE] : []), ...(finiteNumber(emeter?.current_ma) !== undefined ? [CURRENT] : [])];
  },
  parseServices: (results, features) => pickEnergy(servicesEnergy(results), features),
  parseUsage(usage, features) {
    if (!isRecord(usage)) return {};
    const source = isRecord(usage.energy_usage) ? usage.energy_usage : usage;
    const power = finiteNumber(source.current_power);
    const energy = finiteNumber(source.month_energy) ?? finiteNumber(source.today_energy);
    return pickEnergy(tidyEnergy(milli(power !== undefined && power >= 0 ? power : undefined), undefined, undefined, milli(energy)), features);
  },
};
