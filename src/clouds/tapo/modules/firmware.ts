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
 * - Install is not offered yet (the entity has no Install): `fw_download`
 *   and the progress of `get_fw_download_state` are to follow.
 * - Auto-update: `get_auto_update_info` / `set_auto_update_info` (firmware
 *   component version 2 and up; P100 has none), at the settings cadence.
 * Versions are compared as whole strings, never as semver.
 */
import type { Feature, UpdateValue } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import type { TapoModule } from '../module.js';
import { answerOf, configSwitch, onOff } from '../settings.js';

const LATEST = 'get_latest_fw';
const DOWNLOAD = 'get_fw_download_state';
const AUTO = 'get_auto_update_info';
/** Home Assistant shows at most 255 characters of release notes. */
const SUMMARY_MAX = 255;

export const FIRMWARE: Feature = {
  id: 'firmware',
  type: { kind: 'update' },
  readable: true,
  writable: false,
  entity: { component: 'update', name: 'Firmware', device_class: 'firmware', entity_category: 'config' },
  doc: 'Tapo: installed and latest firmware, release notes, progress while the device installs one',
  cadence: 'firmware',
};
export const AUTO_UPDATE = configSwitch('auto_update_enabled', 'Auto-update', 'Tapo: the device installs new firmware by itself', 'mdi:update');

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);

/** The update entity's state from a firmware check's answers; undefined when the device gave no latest version. */
export function firmwareState(results: ReadonlyMap<string, Record<string, unknown>>): UpdateValue | undefined {
  const latest = answerOf(results, LATEST);
  if (!latest) return undefined;
  const installed = text(answerOf(results, 'get_device_info')?.fw_ver);
  const newer = (typeof latest.type === 'number' && latest.type !== 0) || latest.need_to_upgrade === true;
  const download = answerOf(results, DOWNLOAD);
  const status = typeof download?.status === 'number' ? download.status : 0;
  const installing = status >= 1 && status <= 3;
  const progress = typeof download?.download_progress === 'number' ? Math.max(0, Math.min(100, download.download_progress)) : null;
  const notes = text(latest.release_note);
  return {
    installed_version: installed,
    latest_version: newer ? text(latest.fw_ver) : installed,
    release_summary: newer && notes ? notes.slice(0, SUMMARY_MAX) : null,
    in_progress: installing,
    update_percentage: installing ? progress : null,
  };
}

export const module: TapoModule = {
  name: 'firmware',
  order: 70,
  features: [FIRMWARE, AUTO_UPDATE],
  detect: () => [],
  servicesMethods(target, _features, cadence) {
    // The strip checks for its sockets: they answer no firmware methods of their own.
    if (target.traits.kind === 'outlet') return [];
    if (cadence === 'firmware') return [LATEST, DOWNLOAD];
    return cadence === 'settings' ? [AUTO] : [];
  },
  detectServices(results) {
    const features: Feature[] = [];
    if (answerOf(results, LATEST)) features.push(FIRMWARE);
    if (typeof answerOf(results, AUTO)?.enable === 'boolean') features.push(AUTO_UPDATE);
    return features;
  },
  parseServices(results, features) {
    const out: NodeState = {};
    const firmware = firmwareState(results);
    if (firmware && 'firmware' in features) out.firmware = firmware;
    const auto = answerOf(results, AUTO)?.enable;
    if (typeof auto === 'boolean' && 'auto_update_enabled' in features) out.auto_update_enabled = onOff(auto);
    return out;
  },
  writeServices(_target, desired, features, read) {
    if (desired.auto_update_enabled === undefined || !('auto_update_enabled' in features)) return [];
    return [{ method: 'set_auto_update_info', params: { ...answerOf(read, AUTO), enable: desired.auto_update_enabled === 'ON' } }];
  },
};
