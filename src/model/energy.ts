/**
 * Energy readings normalised to W, V, A and kWh. Rounding keeps what the
 * meters can actually resolve (mW/mV/mA/Wh integers on new firmware) without
 * flooding MQTT with float noise from the old firmware.
 */
import type { NodeState } from './node.js';
import type { FeatureSet } from './feature.js';
import { round } from './util.js';

export interface EnergyReadings {
  power?: number;
  voltage?: number;
  current?: number;
  energy?: number;
  energy_today?: number;
}

export function tidyEnergy(power?: number, voltage?: number, current?: number, energy?: number): EnergyReadings {
  const out: EnergyReadings = {};
  if (power !== undefined) out.power = round(power, 2);
  if (voltage !== undefined) out.voltage = round(voltage, 1);
  if (current !== undefined) out.current = round(current, 3);
  if (energy !== undefined) out.energy = round(energy, 3);
  return out;
}

export const milli = (value: number | undefined): number | undefined => (value === undefined ? undefined : value / 1000);

/** Keeps only the readings the node has features for, so state and discovery agree. */
export function pickEnergy(readings: EnergyReadings, features: FeatureSet): NodeState {
  const out: NodeState = {};
  for (const key of ['power', 'voltage', 'current', 'energy', 'energy_today'] as const) {
    const value = readings[key];
    if (key in features && value !== undefined) out[key] = value;
  }
  return out;
}
