/**
 * Energy meters: `emeter.get_realtime` on plugs (in the state read) and on
 * strip outlets (with context, at the energy cadence; the strip's own
 * answer would double-count its outlets), `smartlife.iot.common.emeter` on
 * bulbs. A figure is a feature only when the meter reports it: bulbs'
 * voltage and current read 0 and mean nothing, some bulbs have no total.
 */
import { kasaEmeterSchema, parseModule, type KasaEmeter } from '../device-schema.js';
import { CURRENT, ENERGY, POWER, VOLTAGE } from '../../../model/features.js';
import type { Feature } from '../../../model/feature.js';
import { milli, pickEnergy, tidyEnergy, type EnergyReadings } from '../../../model/energy.js';
import type { KasaAnswer, KasaModule, KasaRequest, KasaTarget } from '../module.js';

const PLUG_METER = 'emeter';
const BULB_METER = 'smartlife.iot.common.emeter';
const ASK = { get_realtime: null };

const isLight = (target: KasaTarget) => target.family === 'bulb' || target.family === 'lightstrip';
const meterModule = (target: KasaTarget) => (isLight(target) ? BULB_METER : PLUG_METER);

/** Both emeter shapes (kasa-cloud.md §5): old floats in A/V/W/kWh, new integers in mA/mV/mW/Wh. */
export function kasaEmeterReadings(emeter: KasaEmeter): EnergyReadings {
  if (emeter.shape === 'milli') {
    return tidyEnergy(milli(emeter.power_mw), milli(emeter.voltage_mv), milli(emeter.current_ma), milli(emeter.total_wh));
  }
  return tidyEnergy(emeter.power, emeter.voltage, emeter.current, emeter.total);
}

function meterOf(target: KasaTarget, answer: KasaAnswer): KasaEmeter | undefined {
  const parsed = parseModule(answer.response, meterModule(target), 'get_realtime', kasaEmeterSchema);
  if (parsed.problem) answer.problems.push(parsed.problem);
  return parsed.value;
}

const metered = (answer: KasaAnswer) => /\bENE\b/.test(answer.sysinfo?.feature ?? '');

export const module: KasaModule = {
  name: 'emeter',
  order: 10,
  features: [POWER, VOLTAGE, CURRENT, ENERGY],
  query(target): KasaRequest | undefined {
    // Strips meter per outlet, at the energy cadence. A device without a
    // meter answers err_code -1, which costs nothing extra.
    if (target.family === 'strip') return undefined;
    return { [meterModule(target)]: ASK };
  },
  energyQuery: (target) => (target.outlet ? { [PLUG_METER]: ASK } : undefined),
  detect(target, answer) {
    if (target.family === 'strip' && !target.outlet) return [];
    if (target.outlet) return metered(answer) ? [POWER, VOLTAGE, CURRENT, ENERGY] : [];
    const meter = meterOf(target, answer);
    if (!meter) return !isLight(target) && metered(answer) ? [POWER, VOLTAGE, CURRENT, ENERGY] : [];
    const readings = kasaEmeterReadings(meter);
    const features: Feature[] = [POWER];
    if (!isLight(target) && readings.voltage !== undefined) features.push(VOLTAGE);
    if (!isLight(target) && readings.current !== undefined) features.push(CURRENT);
    if (readings.energy !== undefined) features.push(ENERGY);
    return features;
  },
  parse(target, answer, features) {
    if (target.family === 'strip' && !target.outlet) return {};
    const meter = meterOf(target, answer);
    return meter ? pickEnergy(kasaEmeterReadings(meter), features) : {};
  },
};
