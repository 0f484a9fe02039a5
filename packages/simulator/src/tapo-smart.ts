/**
 * What a Tapo device answers in its own ("smart") protocol when asked
 * through the cloud's services-sync passthrough. Fixture devices answer
 * their captured answers verbatim, with only what changed since the capture
 * laid over them (on/off, name, energy counted since); catalog devices
 * answer the same shapes from their own figures. A method the device did not
 * answer when captured is unknown to it (-1002), as on the real device.
 */
import { base64 } from './context.js';
import { isJson, tapoOn, text, type Json, type TapoThing } from './model.js';
import type { Registry } from './registry.js';
import { liveInfo, settle } from './tapo-things.js';
import { PARAMS_ERROR, SMART_WRITES } from './tapo-writes.js';
import { childProtection } from './tapo-settings.js';
import { downloadState, latestFirmware } from './tapo-firmware.js';

/** The smart protocol's "unknown method" (python-kasa SmartErrorCode.UNKNOWN_METHOD_ERROR). */
export const UNKNOWN_METHOD = -1002;

export interface SmartResponse {
  method: string;
  error_code: number;
  /** null where the capture recorded null (a method that answered no result). */
  result?: Json | null;
}

function localTime(now: number): string {
  return new Date(now).toISOString().slice(0, 19).replace('T', ' ');
}

/** A device without a relay of its own (a strip's parent) keeps its captured load. */
function loadOn(thing: TapoThing): boolean {
  return thing.info.device_on === undefined ? true : tapoOn(thing);
}

function deviceInfo(thing: TapoThing, now: number): Json {
  return { ...liveInfo(thing, now), nickname: base64(thing.alias) };
}

/** The device's clock runs on from where it was captured (a P110M's stays in the year 2000). */
function deviceTime(thing: TapoThing, captured: Json | undefined, now: number): Json | undefined {
  if (!captured || typeof captured.timestamp !== 'number') return captured;
  return { ...captured, timestamp: captured.timestamp + Math.floor((now - thing.startedAt) / 1000) };
}

/** Energy counted since the simulator started, in Wh and in minutes of running. */
function grown(thing: TapoThing, now: number): { wh: number; minutes: number } {
  const meter = thing.meter;
  if (!meter) return { wh: 0, minutes: 0 };
  const wh = meter.totalWh(now, loadOn(thing));
  return { wh, minutes: meter.powerW > 0 ? (wh / meter.powerW) * 60 : 0 };
}

function energyUsage(thing: TapoThing, captured: Json | undefined, now: number): Json | undefined {
  const meter = thing.meter;
  if (!meter) return undefined;
  const on = loadOn(thing);
  const since = grown(thing, now);
  const base = captured ?? { electricity_charge: [0, 0, 0] };
  const runtime = (key: string) => Math.round((typeof base[key] === 'number' ? base[key] : 0) + since.minutes);
  const answer: Json = {
    ...base,
    today_energy: Math.round(thing.todayWhBase + since.wh),
    month_energy: Math.round(thing.monthWhBase + since.wh),
    today_runtime: runtime('today_runtime'),
    month_runtime: runtime('month_runtime'),
    local_time: localTime(now),
  };
  // Sockets of a P316M answer no current_power here: only where the capture had one.
  if (!captured || 'current_power' in captured) answer.current_power = on ? Math.round(meter.powerW * 1000) : 0;
  return answer;
}

function currentPower(thing: TapoThing, captured: Json | undefined): Json | undefined {
  if (!thing.meter) return undefined;
  if (!loadOn(thing)) return { ...(captured ?? {}), current_power: 0 };
  return captured ?? { current_power: Math.round(thing.meter.powerW) };
}

/** Catalog models that answer get_emeter_data (the fixture files decide for the others). */
const EMETER_MODELS = /^(P110M|P304M|P316M|KP125M)/;

/** A catalog device's reading, from its own figures (fixture devices never come here). */
function catalogEmeter(thing: TapoThing): Json | undefined {
  const meter = thing.meter;
  if (!meter || thing.recorded || !EMETER_MODELS.test(thing.model)) return undefined;
  const on = loadOn(thing);
  return {
    voltage_mv: Math.round(meter.voltageV * 1000),
    current_ma: on ? Math.round((meter.powerW / meter.voltageV) * 1000) : 0,
    power_mw: on ? Math.round(meter.powerW * 1000) : 0,
    energy_wh: 0,
  };
}

function emeterData(thing: TapoThing, recorded: Json | undefined, now: number): Json | undefined {
  const captured = recorded ?? catalogEmeter(thing);
  if (!thing.meter || !captured) return undefined;
  const on = loadOn(thing);
  const energy = typeof captured.energy_wh === 'number' ? captured.energy_wh : 0;
  return {
    ...captured,
    ...(on ? {} : { power_mw: 0, current_ma: 0 }),
    energy_wh: Math.round(energy + grown(thing, now).wh),
  };
}

function childList(registry: Registry, thing: TapoThing, now: number): Json | undefined {
  if (thing.children.length === 0) return undefined;
  const list = thing.children
    .map((id) => registry.tapo.get(id))
    .filter((child): child is TapoThing => child !== undefined)
    .map((child) => deviceInfo(child, now));
  return { child_device_list: list, start_index: 0, sum: list.length };
}

function captured(thing: TapoThing, method: string): Json | undefined {
  const value = thing.recorded?.[method];
  return isJson(value) ? value : undefined;
}

function answerOf(registry: Registry, thing: TapoThing, method: string, now: number): Json | null | undefined {
  const recorded = thing.recorded;
  switch (method) {
    case 'get_device_info':
      return deviceInfo(thing, now);
    case 'get_device_time':
      // Catalog devices keep UTC; a fixture device answers only if it was captured doing so.
      return recorded ? deviceTime(thing, captured(thing, method), now) : { timestamp: Math.floor(now / 1000), time_diff: 0, region: 'UTC' };
    case 'get_connect_cloud_state':
      return recorded ? captured(thing, method) : { status: 0 };
    case 'get_energy_usage':
      return recorded && !captured(thing, method) ? undefined : energyUsage(thing, captured(thing, method), now);
    case 'get_current_power':
      return recorded && !captured(thing, method) ? undefined : currentPower(thing, captured(thing, method));
    case 'get_emeter_data':
      return emeterData(thing, captured(thing, method), now);
    case 'get_child_device_list':
      return childList(registry, thing, now);
    case 'get_child_protection':
      return childProtection(thing);
    case 'get_latest_fw':
      return latestFirmware(thing);
    case 'get_fw_download_state':
      return downloadState(thing, now);
    default:
      // Verbatim, a recorded null included.
      return recorded?.[method] === null ? null : captured(thing, method);
  }
}

/** One method call, as the device would answer it now. */
export function smartCall(registry: Registry, thing: TapoThing, method: string, now: number): SmartResponse {
  settle(registry, thing, now);
  const result = answerOf(registry, thing, method, now);
  return result === undefined ? { method, error_code: UNKNOWN_METHOD } : { method, error_code: 0, result };
}

/** One write method (tapo-writes.ts), or unknown to the device. */
function smartWrite(registry: Registry, thing: TapoThing, method: string, params: Json, now: number): SmartResponse {
  settle(registry, thing, now);
  const write = SMART_WRITES[method];
  const outcome = write ? write(registry, thing, params, now) : undefined;
  if (!outcome) return { method, error_code: UNKNOWN_METHOD };
  return 'result' in outcome ? { method, error_code: 0, result: outcome.result } : { method, error_code: outcome.error_code };
}

function oneCall(registry: Registry, thing: TapoThing, call: unknown, now: number): SmartResponse {
  if (!isJson(call) || typeof call.method !== 'string') return { method: isJson(call) ? text(call.method) : '', error_code: UNKNOWN_METHOD };
  if (call.method.startsWith('get_')) return smartCall(registry, thing, call.method, now);
  return smartWrite(registry, thing, call.method, isJson(call.params) ? call.params : {}, now);
}

/** A passthrough request: `multipleRequest` with `params.requests`, or a single method. */
export function smartRequest(registry: Registry, thing: TapoThing, request: Json, now: number): Json {
  const method = typeof request.method === 'string' ? request.method : '';
  if (method === 'multipleRequest') {
    const params = isJson(request.params) ? request.params : {};
    if (!Array.isArray(params.requests)) return { error_code: PARAMS_ERROR };
    const responses = params.requests.map((one: unknown) => oneCall(registry, thing, one, now));
    return { error_code: 0, result: { responses } };
  }
  const single = oneCall(registry, thing, request, now);
  return single.result === undefined ? { error_code: single.error_code } : { error_code: 0, result: single.result };
}

/**
 * `GET /v1/things/{id}/usage`: the device's get_energy_usage (power in mW,
 * energy in Wh, runtime in minutes) with the app's period summaries.
 */
export function usageOf(registry: Registry, thing: TapoThing, now: number): Json | undefined {
  const usage = smartCall(registry, thing, 'get_energy_usage', now).result;
  if (!usage) return undefined;
  const today = usage.today_energy;
  const month = usage.month_energy;
  return {
    energy_usage: usage,
    power_usage: { today, past7: month, past30: month },
    time_usage: { today: usage.today_runtime, past7: usage.month_runtime, past30: usage.month_runtime },
  };
}
