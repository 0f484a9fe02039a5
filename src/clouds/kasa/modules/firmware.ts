/**
 * Firmware of Kasa devices as Home Assistant's update entity, read-only.
 * - Checked at the firmware cadence only (firmware.checkIntervalH, jittered,
 *   and bridge/request/device/firmware_check), never at a poll: the
 *   firmware check's passthrough asks `cnCloud.get_intl_fw_list` (bulbs and
 *   light strips: `smartlife.iot.common.cloud`), the device's own question
 *   to TP-Link's firmware service. Its `fw_list` names what the device may
 *   install: empty when up to date; else the first entry, as python-kasa
 *   reads it (`fwType` is 0 on KL130's newer entry, so it is no "nothing
 *   new" flag). Installed: sysinfo's `sw_ver`. Versions compared whole.
 * - No Install. The Kasa cloud has no install call this bridge could
 *   verify: the devices' LAN protocol lists `system.download_firmware
 *   {url}`, `system.get_download_state` and `system.flash_firmware`
 *   (softScheck's command list and other LAN clients), but none is seen
 *   working through the cloud passthrough, no capture shows their answers,
 *   and python-kasa leaves IOT firmware updates unimplemented; flashing on
 *   guesses could leave a device unusable. The entity shows the versions,
 *   and `install` is refused saying so (the Kasa app installs).
 * - Strip outlets have no firmware of their own: the strip's entity is theirs.
 */
import { z } from 'zod';
import { readOnly, type UpdateValue } from '../../../model/feature.js';
import { FIRMWARE } from '../../../model/features.js';
import { parseModule } from '../device-schema.js';
import type { KasaAnswer, KasaModule, KasaTarget } from '../module.js';
import { cloudModule } from './cloud.js';

export const KASA_FIRMWARE = readOnly(FIRMWARE, 'the Kasa cloud has no firmware install this bridge can vouch for; install it in the Kasa app');
/** Home Assistant shows at most 255 characters of release notes. */
const SUMMARY_MAX = 255;
const listSchema = z.looseObject({ fw_list: z.array(z.unknown()) });
const entrySchema = z.looseObject({ fwVer: z.string().min(1), fwReleaseLog: z.string().optional() });

/** The update entity's state from a get_intl_fw_list answer; undefined where the device gave none. */
export function kasaFirmware(target: KasaTarget, answer: KasaAnswer): UpdateValue | undefined {
  if (target.outlet) return undefined;
  const parsed = parseModule(answer.response, cloudModule(target), 'get_intl_fw_list', listSchema);
  if (parsed.problem) answer.problems.push(parsed.problem);
  if (!parsed.value) return undefined;
  const installed = target.node.swVersion ?? null;
  const offered = parsed.value.fw_list.flatMap((entry) => {
    const one = entrySchema.safeParse(entry);
    return one.success ? [one.data] : [];
  })[0];
  const notes = offered?.fwReleaseLog?.trim();
  const newer = offered !== undefined && offered.fwVer !== installed;
  return {
    installed_version: installed,
    latest_version: newer ? offered.fwVer : installed,
    release_summary: newer && notes ? notes.slice(0, SUMMARY_MAX) : null,
    in_progress: false,
    update_percentage: null,
  };
}

export const module: KasaModule = {
  name: 'firmware',
  order: 70,
  features: [KASA_FIRMWARE],
  firmwareQuery: (target) => (target.outlet ? undefined : { [cloudModule(target)]: { get_intl_fw_list: {} } }),
  detect: () => [],
  detectMore: (target, answer) => (kasaFirmware(target, answer) === undefined ? [] : [KASA_FIRMWARE]),
  parse(target, answer, features) {
    const firmware = 'firmware' in features ? kasaFirmware(target, answer) : undefined;
    return firmware ? { firmware } : {};
  },
};
