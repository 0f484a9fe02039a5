/**
 * The device methods that change a Tapo device, as services-sync carries
 * them (`set_*`, `device_reboot`...): one entry per method. Each changes the
 * thing so the next read (its `get_*` answer, device info, shadow) shows it,
 * and answers with the device's own error code. A method a device did not
 * answer when captured stays unknown to it (-1002), as on the real device.
 */
import { isJson, type Json, type TapoThing } from './model.js';
import type { Registry } from './registry.js';
import { SETTINGS_WRITES } from './tapo-settings.js';
import { startDownload } from './tapo-firmware.js';

export const PARAMS_ERROR = -1008;

/** What a write answers: a result (success) or the device's error code. */
export type WriteResult = { result: Json } | { error_code: number };

export type SmartWrite = (registry: Registry, thing: TapoThing, params: Json, now: number) => WriteResult | undefined;

/** How long a rebooting device is out of reach after its delay (real plugs take 10-30 s). */
export const REBOOT_MS = 15_000;

/**
 * The device's recorded answer to `get`, changed by `patch`: the next `get`
 * shows it. undefined when the device never answered `get` (it lacks the feature).
 */
export function patchRecorded(thing: TapoThing, get: string, patch: Json): Json | undefined {
  const recorded = thing.recorded?.[get];
  if (!thing.recorded || !isJson(recorded)) return undefined;
  const next = { ...recorded, ...patch };
  thing.recorded[get] = next;
  return next;
}

/** Out of reach until `now + delay + REBOOT_MS`, then back with on_time counting from 0. */
export function reboot(thing: TapoThing, now: number, delayS: number): void {
  thing.rebootUntil = now + delayS * 1000 + REBOOT_MS;
}

export const SMART_WRITES: Record<string, SmartWrite> = {
  // set_led_info, set_auto_off_config, set_protection_power, set_on_off_gradually_info, set_auto_update_info.
  ...SETTINGS_WRITES,
  // python-kasa's smart devices: device_reboot {delay}; every device with a "device" component answers it.
  device_reboot: (_registry, thing, params, now) => {
    const delay = params.delay ?? 1;
    if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > 60) return { error_code: PARAMS_ERROR };
    reboot(thing, now, delay);
    return { result: {} };
  },
  // python-kasa's smart firmware module: fw_download (no params) installs the version get_latest_fw names.
  fw_download: (_registry, thing, _params, now) => startDownload(thing, now),
};
