/**
 * Tapo services-sync reads -> node state. Pure: which of the device's own
 * read methods one `multipleRequest` asks a node for, and what their answers
 * (the shapes of ../shared/fixtures/tapo) mean for its state. Shadows stay
 * the source of on/off and version; services-sync adds energy, and the
 * device-info fields a shadow may lack (signal, protection, on-time).
 */
import { pickEnergy, type EnergyReadings } from '../../model/energy.js';
import type { TapoShadowInput } from '../../model/inputs.js';
import type { DeviceNode, NodeState } from '../../model/node.js';
import { finiteNumber, isRecord, round } from '../../model/util.js';
import { applyTapoShadow } from './devices.js';
import { hasEmeterData } from './models.js';
import type { SmartResponse } from './schemas.js';


/** Device-info fields a shadow may lack, merged under the shadow's own `reported`. */
const INFO_FIELDS = [
  'rssi',
  'signal_level',
  'on_time',
  'overheated',
  'overheat_status',
  'overcurrent_status',
  'power_protection_status',
  'charging_status',
  'color_temp_range',
] as const;

function reportedOf(shadow: TapoShadowInput | undefined): Record<string, unknown> {
  return isRecord(shadow) && isRecord(shadow.state) && isRecord(shadow.state.reported) ? shadow.state.reported : {};
}

/** True when the shadow does not carry what get_device_info would add. */
export function shadowLacksInfo(node: DeviceNode, shadow: TapoShadowInput | undefined): boolean {
  return node.kind !== 'outlet' && reportedOf(shadow).rssi === undefined;
}

/**
 * The read methods one services-sync asks a node for; empty when the node
 * needs none this energy cycle. `noEmeter`: the device refused
 * get_emeter_data before (a model that has it in general, not this firmware).
 */
export function servicesPlan(node: DeviceNode, shadow: TapoShadowInput | undefined, noEmeter: boolean): string[] {
  if (!node.online) return [];
  const methods: string[] = [];
  const energy = node.capabilities.energy !== undefined;
  // Free in the same request for a metered node; otherwise only when the shadow lacks it.
  if (energy || shadowLacksInfo(node, shadow)) methods.push('get_device_info');
  if (energy) methods.push('get_energy_usage', 'get_current_power');
  if (energy && !noEmeter && hasEmeterData(node.model)) methods.push('get_emeter_data');
  return methods;
}

/** The results of the methods that succeeded, by method name. */
export function resultsByMethod(responses: readonly SmartResponse[]): Map<string, Record<string, unknown>> {
  const results = new Map<string, Record<string, unknown>>();
  for (const response of responses) if (response.error_code === 0 && response.result) results.set(response.method, response.result);
  return results;
}

/**
 * Energy in W, V, A, kWh. Power, in this order: get_emeter_data's power_mw,
 * get_energy_usage's current_power (both mW), get_current_power (whole W:
 * the only power a P304M socket reports; P316M sockets have no
 * current_power in get_energy_usage either). Energy is this month's, as
 * with the usage endpoint.
 */
export function servicesEnergy(results: Map<string, Record<string, unknown>>): EnergyReadings {
  const usage = results.get('get_energy_usage') ?? {};
  const emeter = results.get('get_emeter_data') ?? {};
  const milli = (value: unknown) => {
    const number = finiteNumber(value);
    return number === undefined ? undefined : number / 1000;
  };
  const power = milli(emeter.power_mw) ?? milli(usage.current_power) ?? finiteNumber(results.get('get_current_power')?.current_power);
  const energy = milli(usage.month_energy) ?? milli(usage.today_energy);
  const voltage = milli(emeter.voltage_mv);
  const current = milli(emeter.current_ma);
  const readings: EnergyReadings = {};
  if (power !== undefined && power >= 0) readings.power = round(power, 2);
  if (voltage !== undefined) readings.voltage = round(voltage, 1);
  if (current !== undefined) readings.current = round(current, 3);
  if (energy !== undefined) readings.energy = round(energy, 3);
  return readings;
}

/** The shadow with the device's own info under its `reported` (the shadow wins where both speak). */
export function withDeviceInfo(shadow: TapoShadowInput | undefined, info: Record<string, unknown> | undefined): TapoShadowInput | undefined {
  if (!info || !isRecord(shadow)) return shadow;
  const extra: Record<string, unknown> = {};
  for (const field of INFO_FIELDS) if (info[field] !== undefined) extra[field] = info[field];
  const state = isRecord(shadow.state) ? shadow.state : {};
  return { ...shadow, state: { ...state, reported: { ...extra, ...reportedOf(shadow) } } } as TapoShadowInput;
}

export interface ServicesReading {
  state: NodeState;
  /** get_device_info's answer, kept for the next shadow read. */
  info: Record<string, unknown> | undefined;
  /** The device answered get_emeter_data with an error: do not ask again. */
  noEmeter: boolean;
}

/** What one services-sync answer means for a node. */
export function applyServices(node: DeviceNode, shadow: TapoShadowInput | undefined, methods: readonly string[], responses: readonly SmartResponse[]): ServicesReading {
  const results = resultsByMethod(responses);
  const info = results.get('get_device_info');
  const merged = withDeviceInfo(shadow, info);
  const base = merged ? applyTapoShadow(node, merged) : node.state;
  const energy = pickEnergy(servicesEnergy(results), node.capabilities.energy);
  return {
    state: { ...base, ...energy },
    info,
    noEmeter: methods.includes('get_emeter_data') && !results.has('get_emeter_data'),
  };
}
