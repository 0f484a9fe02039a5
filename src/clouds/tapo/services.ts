/**
 * Tapo services-sync reads. Pure: which of the device's own read methods
 * one `multipleRequest` asks a node for, and what their answers (the shapes
 * of ../shared/fixtures/tapo) say. Shadows stay the source of on/off and
 * version; services-sync adds energy (the energy module's methods), and the
 * device-info fields a shadow may lack (signal, protection, on-time), which
 * are kept and read under every later shadow.
 */
import type { EnergyReadings } from '../../model/energy.js';
import type { TapoShadowInput } from '../../model/inputs.js';
import type { DeviceNode } from '../../model/node.js';
import { finiteNumber, isRecord, round } from '../../model/util.js';
import type { SmartResponse } from './schemas.js';
import { callMethod, type ServicesCall } from './module.js';


/** Device-info fields a shadow may lack, merged under the shadow's own `reported`. */
const INFO_FIELDS = [
  'rssi',
  'signal_level',
  'ssid',
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
 * The read methods one services-sync asks a node for: what its modules
 * read at this cadence (`moduleCalls`), less those it refused before
 * (-1002: a method its model may have, not this firmware), plus
 * get_device_info, free in the same request, or on its own when the shadow
 * lacks it; empty when the node needs none this cycle.
 */
export function servicesPlan(
  node: DeviceNode,
  shadow: TapoShadowInput | undefined,
  moduleCalls: readonly ServicesCall[],
  refused: ReadonlySet<string> = new Set(),
): ServicesCall[] {
  if (!node.online) return [];
  const calls = moduleCalls.filter((call) => !refused.has(callMethod(call)));
  if (calls.length > 0 || shadowLacksInfo(node, shadow)) calls.unshift('get_device_info');
  return calls;
}

/** The methods the device answered it does not know (-1002): not asked again. */
export function unknownMethods(responses: readonly SmartResponse[]): string[] {
  return responses.filter((response) => response.error_code === UNKNOWN_METHOD).map((response) => response.method);
}

/** The device's "no such method" (PK SmartErrorCode UNKNOWN_METHOD_ERROR). */
const UNKNOWN_METHOD = -1002;

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
 * with the usage endpoint; energy_today today's.
 */
export function servicesEnergy(results: ReadonlyMap<string, Record<string, unknown>>): EnergyReadings {
  const usage = results.get('get_energy_usage') ?? {};
  const emeter = results.get('get_emeter_data') ?? {};
  const milli = (value: unknown) => {
    const number = finiteNumber(value);
    return number === undefined ? undefined : number / 1000;
  };
  const power = milli(emeter.power_mw) ?? milli(usage.current_power) ?? finiteNumber(results.get('get_current_power')?.current_power);
  const energy = milli(usage.month_energy);
  const today = milli(usage.today_energy);
  const voltage = milli(emeter.voltage_mv);
  const current = milli(emeter.current_ma);
  const readings: EnergyReadings = {};
  if (power !== undefined && power >= 0) readings.power = round(power, 2);
  if (voltage !== undefined) readings.voltage = round(voltage, 1);
  if (current !== undefined) readings.current = round(current, 3);
  if (energy !== undefined) readings.energy = round(energy, 3);
  if (today !== undefined && today >= 0) readings.energy_today = round(today, 3);
  return readings;
}

/** The shadow with the device's own info under its `reported` (the shadow wins where both speak). */
export function withDeviceInfo(shadow: TapoShadowInput | undefined, info: Record<string, unknown> | undefined): TapoShadowInput | undefined {
  if (!info || !isRecord(shadow)) return shadow;
  const extra = infoFields(info);
  const state = isRecord(shadow.state) ? shadow.state : {};
  return { ...shadow, state: { ...state, reported: { ...extra, ...reportedOf(shadow) } } };
}

/** The device-info fields a shadow may lack, from a get_device_info answer. */
export function infoFields(info: Record<string, unknown> | undefined): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const field of INFO_FIELDS) if (info?.[field] !== undefined) extra[field] = info[field];
  return extra;
}
