/**
 * A Tapo device's firmware as the device tells it through services-sync:
 * `get_latest_fw` (up to date, or the version `offerFirmware` put on
 * offer), `fw_download` (starts the install of that version) and
 * `get_fw_download_state` (its progress). All on the simulator's clock and
 * evaluated lazily, as the shadows are: the download runs FW_DOWNLOAD_MS
 * (status 2, `download_progress` 0-100), the device flashes for its
 * captured `upgrade_time` (status 3), then reboots into the new version and
 * is out of reach for its captured `reboot_time` (services-sync -20571,
 * status 0 in the thing list); back, it reports the new `fw_ver` (device
 * info, shadow, thing list `fwVer`), `get_latest_fw` says up to date and
 * the download state is idle (status 0) again.
 *
 * Only a device whose capture answered `get_fw_download_state` knows
 * `fw_download`. The device's own error codes (python-kasa SmartErrorCode;
 * the references give none for these cases): nothing newer on offer ->
 * -1402 (FIRMWARE_VER_ERROR), an install already under way -> -1401
 * (FIRMWARE_ERROR).
 */
import { isJson, type FirmwareOffer, type Json, type TapoFirmware, type TapoThing } from './model.js';
import type { WriteResult } from './tapo-writes.js';

/** Simulated time the download takes. */
export const FW_DOWNLOAD_MS = 20_000;
export const FIRMWARE_ERROR = -1401;
export const FIRMWARE_VER_ERROR = -1402;

function recorded(thing: TapoThing, method: string): Json | undefined {
  const answer = thing.recorded?.[method];
  return isJson(answer) ? answer : undefined;
}

const words = (value: unknown): string => (typeof value === 'string' ? value : '');
const seconds = (value: unknown, fallback: number): number => (typeof value === 'number' && value >= 0 ? value : fallback);

/** When the install's flashing ends and the device reboots. */
function flashedAt(install: NonNullable<TapoFirmware['install']>): number {
  return install.startedAt + FW_DOWNLOAD_MS + install.upgradeS * 1000;
}

/** Rebooting into the new firmware (whether or not a read settled the install yet). */
export function rebootingIntoFirmware(thing: TapoThing, now: number): boolean {
  const install = thing.firmware?.install;
  if (!install) return false;
  const rebootAt = flashedAt(install);
  return now >= rebootAt && now < rebootAt + install.rebootS * 1000;
}

/** A flashed install takes effect: the new version, the offer gone, back after its reboot. */
export function settleFirmware(thing: TapoThing, now: number): void {
  const install = thing.firmware?.install;
  if (!install || now < flashedAt(install)) return;
  thing.info.fw_ver = install.version;
  thing.rebootUntil = flashedAt(install) + install.rebootS * 1000;
  thing.firmware = {};
}

/** The newer version on offer: offerFirmware's, or a captured answer that named one; none for a device that never answered get_latest_fw. */
function offerOf(thing: TapoThing): FirmwareOffer | undefined {
  const captured = recorded(thing, 'get_latest_fw');
  if (!captured) return undefined;
  if (thing.firmware?.offered) return thing.firmware.offered;
  const version = captured.fw_ver;
  if (captured.type === 0 || typeof version !== 'string' || version === thing.info.fw_ver) return undefined;
  return { version, releaseNote: words(captured.release_note), releaseDate: words(captured.release_date) };
}

/** get_latest_fw: the captured answer, naming the offer, or the installed version when up to date. */
export function latestFirmware(thing: TapoThing): Json | undefined {
  const captured = recorded(thing, 'get_latest_fw');
  if (!captured) return undefined;
  const offer = offerOf(thing);
  if (!offer) return { ...captured, type: 0, need_to_upgrade: false, fw_ver: thing.info.fw_ver, release_note: '', release_date: '' };
  return { ...captured, type: 1, need_to_upgrade: true, fw_ver: offer.version, release_note: offer.releaseNote, release_date: offer.releaseDate };
}

/** get_fw_download_state: idle as captured, or the install's progress now. */
export function downloadState(thing: TapoThing, now: number): Json | undefined {
  const captured = recorded(thing, 'get_fw_download_state');
  const install = thing.firmware?.install;
  if (!captured || !install) return captured;
  const elapsed = now - install.startedAt;
  if (elapsed < FW_DOWNLOAD_MS) return { ...captured, status: 2, download_progress: Math.floor((100 * elapsed) / FW_DOWNLOAD_MS) };
  return { ...captured, status: 3, download_progress: 100 };
}

/** fw_download: starts installing the version on offer. */
export function startDownload(thing: TapoThing, now: number): WriteResult | undefined {
  const state = recorded(thing, 'get_fw_download_state');
  if (!state) return undefined;
  if (thing.firmware?.install) return { error_code: FIRMWARE_ERROR };
  const offer = offerOf(thing);
  if (!offer) return { error_code: FIRMWARE_VER_ERROR };
  const install = { startedAt: now, version: offer.version, upgradeS: seconds(state.upgrade_time, 5), rebootS: seconds(state.reboot_time, 5) };
  thing.firmware = { ...thing.firmware, install };
  return { result: {} };
}
