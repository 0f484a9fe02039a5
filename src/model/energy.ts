/**
 * Energy readings normalised to W, V, A and kWh. Rounding keeps what the
 * meters can actually resolve (mW/mV/mA/Wh integers on new firmware) without
 * flooding MQTT with float noise from the old firmware.
 */
import type { EnergyCapabilities, NodeState } from './node.js';
import type { KasaEmeter } from '../clouds/kasa/device-schema.js';
import { round } from './util.js';

export type EnergyReadings = Pick<NodeState, 'power' | 'voltage' | 'current' | 'energy'>;

export const ALL_ENERGY: EnergyCapabilities = { power: true, voltage: true, current: true, energy: true };

function tidy(power?: number, voltage?: number, current?: number, energy?: number): EnergyReadings {
  const out: EnergyReadings = {};
  if (power !== undefined) out.power = round(power, 2);
  if (voltage !== undefined) out.voltage = round(voltage, 1);
  if (current !== undefined) out.current = round(current, 3);
  if (energy !== undefined) out.energy = round(energy, 3);
  return out;
}

const milli = (value: number | undefined): number | undefined => (value === undefined ? undefined : value / 1000);

/** Both emeter shapes (kasa-cloud.md §5): old floats in A/V/W/kWh, new integers in mA/mV/mW/Wh. */
export function kasaEmeterReadings(emeter: KasaEmeter): EnergyReadings {
  if (emeter.shape === 'milli') {
    return tidy(milli(emeter.power_mw), milli(emeter.voltage_mv), milli(emeter.current_ma), milli(emeter.total_wh));
  }
  return tidy(emeter.power, emeter.voltage, emeter.current, emeter.total);
}

/** Keeps only the readings the node advertises, so state and discovery agree. */
export function pickEnergy(readings: EnergyReadings, caps: EnergyCapabilities | undefined): EnergyReadings {
  if (!caps) return {};
  const out: EnergyReadings = {};
  if (caps.power && readings.power !== undefined) out.power = readings.power;
  if (caps.voltage && readings.voltage !== undefined) out.voltage = readings.voltage;
  if (caps.current && readings.current !== undefined) out.current = readings.current;
  if (caps.energy && readings.energy !== undefined) out.energy = readings.energy;
  return out;
}

/** Tapo usage: current_power in mW, energy in Wh (tapo-cloud.md §5, P110 fixture). */
export function tapoEnergyReadings(currentPowerMw?: number, energyWh?: number): EnergyReadings {
  return tidy(milli(currentPowerMw), undefined, undefined, milli(energyWh));
}
