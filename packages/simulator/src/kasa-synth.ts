/**
 * Kasa modules every device has but no fixture captured, answered from the
 * device's own state (documented in the simulator README as synthesised):
 * the cloud link (`cnCloud.get_info`; bulbs `smartlife.iot.common.cloud`,
 * unless their fixture has it, as KL130's does) and the light sensor's
 * level (`smartlife.iot.LAS.get_current_brt`, `{value: %}` as python-kasa
 * shows it) on devices whose fixture has a light sensor. Never the
 * account's e-mail: `username` is blank.
 */
import type { Json, KasaDevice } from './model.js';

const MEMBER_NOT_SUPPORTED = { err_code: -2, err_msg: 'member not support' };

const CLOUD_INFO: Json = {
  username: '',
  server: 'devs.tplinkcloud.com',
  binded: 1,
  cld_connection: 1,
  illegalType: 0,
  stopConnect: 0,
  tcspStatus: 1,
  fwDlPage: '',
  tcspInfo: '',
  fwNotifyType: 0,
  err_code: 0,
};

/** A daylight curve on the device's (UTC) clock: dark at night, brightest at noon. */
export function ambientLevel(now: number): number {
  const hour = (now / 3_600_000) % 24;
  return Math.max(0, Math.round(80 * Math.sin(((hour - 6) / 12) * Math.PI)));
}

function methods(asked: Json, table: Record<string, () => Json>, fallback: Json = {}): Json {
  const answer: Json = {};
  for (const method of Object.keys(asked)) answer[method] = table[method]?.() ?? fallback[method] ?? MEMBER_NOT_SUPPORTED;
  return answer;
}

/** The answer of a synthesised module, or undefined when the device has no such module here. */
export function synthesised(device: KasaDevice, module: string, asked: Json, now: number): Json | undefined {
  const isLight = device.family === 'bulb' || device.family === 'lightstrip';
  const recorded = device.staticModules[module];
  switch (module) {
    case 'cnCloud':
      return isLight || recorded ? undefined : methods(asked, { get_info: () => CLOUD_INFO });
    case 'smartlife.iot.common.cloud':
      return !isLight || recorded ? undefined : methods(asked, { get_info: () => CLOUD_INFO });
    case 'smartlife.iot.LAS':
      if (typeof recorded !== 'object' || recorded === null) return undefined;
      return methods(asked, { get_current_brt: () => ({ value: ambientLevel(now), err_code: 0 }) }, recorded as Json);
    default:
      return undefined;
  }
}
