/**
 * Firmware of Tapo devices as Home Assistant's update entity, and the
 * device's own automatic updates as a switch.
 * - Checked at the firmware cadence (firmware.checkIntervalH, jittered, and
 *   on bridge/request/device/firmware_check), never at a poll: TP-Link
 *   throttled its cloud in 2024 when clients asked at every poll.
 *   `get_latest_fw` names the newer version (`type` not 0 or
 *   `need_to_upgrade`); `get_fw_download_state` tells an install under way
 *   (status 1-3 with `download_progress`); the installed one is device info's
 *   `fw_ver`, read in the same request.
 * - Install (Home Assistant's Install, `install` on set/firmware): the
 *   device's own `fw_download` (no params, python-kasa's call) through
 *   services-sync, sent once: a timeout may come after the device started,
 *   so it is never repeated blindly (the progress read shows what
 *   happened). While it runs, only `get_fw_download_state` (and the device
 *   info it comes with) is read, every firmware.progressIntervalS: status 2
 *   downloading (`download_progress` = update_percentage), 3 flashing, then
 *   the device reboots into the new version (out of reach meanwhile) and
 *   reports status 0 and its new `fw_ver`. firmware.allowInstall off: the
 *   entity is read-only and `set` says why.
 * - Auto-update: `get_auto_update_info` / `set_auto_update_info` (firmware
 *   component version 2 and up; P100 has none), at the settings cadence.
 * Versions are compared as whole strings, never as semver.
 */
import { isUpdateValue, readOnly, type Feature, type UpdateValue } from '../../../model/feature.js';
import { FIRMWARE } from '../../../model/features.js';
import type { NodeState } from '../../../model/node.js';
import type { ServicesCall, TapoModule } from '../module.js';
import { answerOf, configSwitch, onOff } from '../settings.js';

const LATEST = 'get_latest_fw';
const DOWNLOAD = 'get_fw_download_state';
const AUTO = 'get_auto_update_info';
/** Home Assistant shows at most 255 characters of release notes. */
const SUMMARY_MAX = 255;

export const FIRMWARE_READ_ONLY = readOnly(FIRMWARE, 'installing firmware is turned off (firmware.allowInstall)');
export const AUTO_UPDATE = configSwitch('auto_update_enabled', 'Auto-update', 'Tapo: the device installs new firmware by itself', 'mdi:update');

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);

/**
 * The update entity's state from a firmware check's answers, or from an
 * install's progress read (no get_latest_fw: the latest version and notes
 * stay those of `previous`, the last check's); undefined when neither tells.
 */
export function firmwareState(results: ReadonlyMap<string, Record<string, unknown>>, previous?: UpdateValue): UpdateValue | undefined {
  const latest = answerOf(results, LATEST);
  const download = answerOf(results, DOWNLOAD);
  if (!latest && !(download && previous)) return undefined;
  const installed = text(answerOf(results, 'get_device_info')?.fw_ver) ?? previous?.installed_version ?? null;
  const status = typeof download?.status === 'number' ? download.status : 0;
  const installing = status >= 1 && status <= 3;
  const progress = typeof download?.download_progress === 'number' ? Math.max(0, Math.min(100, download.download_progress)) : null;
  const versions = latest ? checked(latest, installed) : { latest_version: previous?.latest_version ?? null, release_summary: previous?.release_summary ?? null };
  return { installed_version: installed, ...versions, in_progress: installing, update_percentage: installing ? progress : null };
}

/** The latest version get_latest_fw names, and its notes. */
function checked(latest: Record<string, unknown>, installed: string | null): Pick<UpdateValue, 'latest_version' | 'release_summary'> {
  const newer = (typeof latest.type === 'number' && latest.type !== 0) || latest.need_to_upgrade === true;
  const notes = text(latest.release_note);
  return { latest_version: newer ? text(latest.fw_ver) : installed, release_summary: newer && notes ? notes.slice(0, SUMMARY_MAX) : null };
}

export const module: TapoModule = {
  name: 'firmware',
  order: 70,
  features: [FIRMWARE, AUTO_UPDATE],
  detect: () => [],
  servicesMethods(target, features, cadence) {
    // The strip checks for its sockets: they answer no firmware methods of their own.
    if (target.traits.kind === 'outlet') return [];
    if (cadence === 'firmware') return [LATEST, DOWNLOAD];
    if (cadence === 'install') return 'firmware' in features ? [DOWNLOAD] : [];
    return cadence === 'settings' ? [AUTO] : [];
  },
  detectServices(results, settings) {
    const features: Feature[] = [];
    if (answerOf(results, LATEST)) features.push(settings.allowFirmwareInstall ? FIRMWARE : FIRMWARE_READ_ONLY);
    if (typeof answerOf(results, AUTO)?.enable === 'boolean') features.push(AUTO_UPDATE);
    return features;
  },
  parseServices(results, features, state) {
    const out: NodeState = {};
    const previous = state.firmware;
    const firmware = firmwareState(results, isUpdateValue(previous) ? previous : undefined);
    if (firmware && 'firmware' in features) out.firmware = firmware;
    const auto = answerOf(results, AUTO)?.enable;
    if (typeof auto === 'boolean' && 'auto_update_enabled' in features) out.auto_update_enabled = onOff(auto);
    return out;
  },
  writeServices(_target, desired, features, read) {
    const calls: ServicesCall[] = [];
    // Sent once: a timeout is no proof it did not start, and a second install must never follow.
    if (desired.firmware !== undefined && features.firmware?.writable) calls.push({ method: 'fw_download', once: true });
    if (desired.auto_update_enabled !== undefined && 'auto_update_enabled' in features) {
      calls.push({ method: 'set_auto_update_info', params: { ...answerOf(read, AUTO), enable: desired.auto_update_enabled === 'ON' } });
    }
    return calls;
  },
};
