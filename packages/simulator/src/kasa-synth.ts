/**
 * Kasa modules every device has but no fixture captured, answered from the
 * device's own state (documented in the simulator README as synthesised):
 * the cloud link (`cnCloud.get_info`; bulbs `smartlife.iot.common.cloud`,
 * unless their fixture has it, as KL130's does) and the light sensor's
 * level (`smartlife.iot.LAS.get_current_brt`, `{value: %}` as python-kasa
 * shows it) on devices whose fixture has a light sensor. Never the
 * account's e-mail: `username` is blank. The cloud module's
 * `get_intl_fw_list` answers the capture (KL130's lists a newer version),
 * else an empty list (up to date); a version offerFirmware put on offer is
 * listed instead, in the capture's entry shape.
 */
import { isJson, type Json, type KasaDevice } from './model.js';

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

/** get_intl_fw_list: the captured list, or none newer; an offer listed alone. */
function firmwareList(device: KasaDevice, captured: unknown): Json {
  const answer: Json = isJson(captured) ? captured : { fw_list: [], err_code: 0 };
  const offer = device.firmwareOffer;
  if (!offer) return answer;
  const file = `${device.model.replace(/\W/g, '')}_${offer.version.replace(/\W+/g, '_')}.bin`;
  const entry: Json = {
    fwLocation: 0,
    fwReleaseDate: offer.releaseDate,
    fwReleaseLog: offer.releaseNote,
    fwReleaseLogUrl: 'undefined yet',
    fwTitle: 'Hi, a new firmware is available for your product.',
    fwType: 0,
    fwUrl: `http://download.tplinkcloud.com/firmware/${file}`,
    fwVer: offer.version,
  };
  return { ...answer, fw_list: [entry] };
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
    case 'smartlife.iot.common.cloud': {
      // Plugs and switches name it cnCloud, bulbs and light strips the other.
      if ((module === 'cnCloud') === isLight) return undefined;
      const captured = isJson(recorded) ? recorded : undefined;
      // Captured as "module not support": the device has none.
      if (captured && !Object.values(captured).some(isJson)) return undefined;
      const table: Record<string, () => Json> = { get_intl_fw_list: () => firmwareList(device, captured?.get_intl_fw_list) };
      if (!captured) table.get_info = () => CLOUD_INFO;
      return methods(asked, table, captured);
    }
    case 'smartlife.iot.LAS':
      if (typeof recorded !== 'object' || recorded === null) return undefined;
      return methods(asked, { get_current_brt: () => ({ value: ambientLevel(now), err_code: 0 }) }, recorded as Json);
    default:
      return undefined;
  }
}
