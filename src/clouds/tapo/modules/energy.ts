/**
 * Energy of the metering models, read at the energy cadence through
 * services-sync: get_energy_usage and get_current_power, plus
 * get_emeter_data (voltage, current) on the models that have it
 * (services.ts reads the answers). Where the cloud refuses services-sync,
 * from `GET /v1/things/{id}/usage` (nested `energy_usage` or flat):
 * current_power in mW, energy in Wh. The cloud has no lifetime total, so
 * `energy` is this month's kWh (its id kept from before: renaming it would
 * cut its history in Home Assistant), and `energy_today` today's: Home
 * Assistant's total_increasing takes each one's drop to zero at its
 * period's start as a new cycle, which is what it is. A strip parent
 * publishes none: its sockets meter themselves and the parent's figures
 * are not their sum (P316M).
 */
import { CURRENT, ENERGY, ENERGY_TODAY, POWER, VOLTAGE } from '../../../model/features.js';
import type { Feature } from '../../../model/feature.js';
import { milli, pickEnergy, tidyEnergy } from '../../../model/energy.js';
import { finiteNumber, isRecord, round } from '../../../model/util.js';
import { servicesEnergy } from '../services.js';
import type { TapoModule } from '../module.js';

/** `energy` as Tapo has it: this month's. */
const ENERGY_MONTH: Feature = { ...ENERGY, entity: ENERGY.entity && { ...ENERGY.entity, name: "This month's consumption" } };

function todayOf(wh: number | undefined): { energy_today?: number } {
  return wh === undefined || wh < 0 ? {} : { energy_today: round(wh / 1000, 3) };
}

export const module: TapoModule = {
  name: 'energy',
  order: 10,
  features: [POWER, VOLTAGE, CURRENT, ENERGY_MONTH, ENERGY_TODAY],
  detect: ({ traits, node }) => (traits.energy && node.kind !== 'strip' ? [POWER, ENERGY_MONTH, ENERGY_TODAY] : []),
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
    const readings = tidyEnergy(milli(power !== undefined && power >= 0 ? power : undefined), undefined, undefined, milli(finiteNumber(source.month_energy)));
    return pickEnergy({ ...readings, ...todayOf(finiteNumber(source.today_energy)) }, features);
  },
};
