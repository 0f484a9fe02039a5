/**
 * Tapo thing state: list entries, shadows with their version rule, desired
 * state applied lazily to reported, and energy usage.
 */
import { randomUUID } from 'node:crypto';
import { base64 } from './context.js';
import { tapoOn, text, type Json, type TapoThing } from './model.js';
import type { Registry } from './registry.js';
import { onTimeAt, switched } from './on-time.js';
import { rebootingIntoFirmware, settleFirmware } from './tapo-firmware.js';
import { autoOffDeadline, autoOffInfo, autoOffSwitched } from './tapo-auto-off.js';

/** A sub-thing is reachable only while its strip is; a rebooting thing is not, until it is back. */
export function thingOnline(registry: Registry, thing: TapoThing, now = Date.now()): boolean {
  const up = (one: TapoThing) => one.online && (one.rebootUntil === undefined || now >= one.rebootUntil) && !rebootingIntoFirmware(one, now);
  const parent = thing.parentId ? registry.tapo.get(thing.parentId) : undefined;
  return up(thing) && (parent ? up(parent) : true);
}

function setOn(thing: TapoThing, on: boolean, now: number): void {
  thing.meter?.advance(now, tapoOn(thing));
  if (tapoOn(thing) !== on) {
    switched(thing, on, now);
    autoOffSwitched(thing, on, now);
  }
  thing.info.device_on = on;
}

/** The device's info as it reads now: its on_time and its auto-off countdown running. */
export function liveInfo(thing: TapoThing, now = Date.now()): Json {
  const info = thing.info;
  const onTime = typeof info.on_time === 'number' ? { on_time: onTimeAt(thing, tapoOn(thing), info.on_time, now, thing.rebootUntil) } : {};
  return { ...info, ...onTime, ...autoOffInfo(thing, now) };
}

/** Copies shadow-style fields (`on`, base64 `nickname`) into the device's own info. */
function applyToDevice(thing: TapoThing, state: Json, now: number): void {
  for (const [key, value] of Object.entries(state)) {
    if (key === 'on' || key === 'device_on') {
      if (typeof value === 'boolean') setOn(thing, value, now);
    } else if (key === 'nickname' && typeof value === 'string') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      thing.alias = base64(decoded) === value ? decoded : value;
      thing.info.nickname = thing.alias;
    } else {
      thing.info[key] = value;
    }
  }
}

/**
 * Lazily applies desired state whose delay has passed: no timers, and an
 * offline device keeps its pending changes until it is back.
 */
export function settle(registry: Registry, thing: TapoThing, now: number): void {
  settleFirmware(thing, now);
  if (!thingOnline(registry, thing, now)) return;
  // An auto-off countdown that ran out switched the device off when it did.
  const deadline = autoOffDeadline(thing);
  if (deadline !== undefined && deadline <= now) setOn(thing, false, deadline);
  if (thing.pending.length === 0) return;
  let kept = 0;
  for (const pending of thing.pending) {
    if (pending.applyAt <= now) applyToDevice(thing, pending.desired, now);
    else thing.pending[kept++] = pending;
  }
  thing.pending.length = kept;
}

export function reported(thing: TapoThing, now = Date.now()): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(liveInfo(thing, now))) {
    if (key === 'device_on') out.on = value;
    else if (key === 'nickname') out.nickname = base64(String(value));
    else out[key] = value;
  }
  return out;
}

export function shadowOf(thing: TapoThing, now = Date.now()): Json {
  return { thingName: thing.id, state: { desired: { ...thing.desired }, reported: reported(thing, now) }, version: thing.version };
}

export type PatchOutcome =
  | { ok: true; version: number; requestId: string }
  | { ok: false; curVersion: number; requestId: string };

/** The version must be above the current one; desired is merged now and applied after `delayMs`. */
export function patchShadow(
  registry: Registry,
  thing: TapoThing,
  version: number,
  desired: Json,
  now: number,
  delayMs: number,
): PatchOutcome {
  settle(registry, thing, now);
  const requestId = randomUUID();
  if (version <= thing.version) return { ok: false, curVersion: thing.version, requestId };
  thing.version = version;
  Object.assign(thing.desired, desired);
  thing.pending.push({ applyAt: now + delayMs, desired });
  settle(registry, thing, now);
  return { ok: true, version, requestId };
}

/** A change made outside the cloud (button, app): reported moves and the version with it. */
export function patchThing(registry: Registry, thing: TapoThing, patch: Json, now: number): void {
  settle(registry, thing, now);
  applyToDevice(thing, patch, now);
  thing.version += 1;
}

/** A thing-list entry; `/v2/things` adds `appServerUrlV2`. */
export function thingEntry(registry: Registry, thing: TapoThing, appServerUrl: string, v2: boolean, now = Date.now()): Json {
  settleFirmware(thing, now);
  const info = thing.info;
  const entry: Json = {
    thingName: thing.id,
    appServerUrl,
    cloudGatewayUrl: appServerUrl.replace(/^http/, 'ws'),
    cloudGatewayUrlV2: appServerUrl.replace(/^http/, 'ws'),
    status: thingOnline(registry, thing, now) ? 1 : 0,
    thingModelId: `${thing.model}-model`,
    role: 0,
    familyId: 'default',
    roomId: 'room-default',
    commonDevice: true,
    nickname: base64(thing.alias),
    avatarUrl: typeof info.avatar === 'string' && info.avatar !== '' ? info.avatar : thing.category.split('.')[0],
    onboardingTime: Math.floor(thing.startedAt / 1000) - 86_400 * 90,
    category: thing.category,
    model: thing.model,
    crossRegion: false,
    deviceName: thing.model,
    deviceType: thing.deviceType,
    oemId: info.oem_id,
    hwId: info.hw_id,
    hwVer: info.hw_ver,
    fwVer: info.fw_ver,
    fwId: info.fw_id,
    region: info.region,
    mac: text(info.mac).replace(/[:-]/g, ''),
    isSubThing: thing.parentId !== undefined,
    migrateState: '',
  };
  if (v2) entry.appServerUrlV2 = appServerUrl;
  if (thing.parentId) {
    entry.edgeThingName = thing.parentId;
    entry.position = thing.position;
    entry.slotNumber = registry.tapo.get(thing.parentId)?.children.length;
  }
  return entry;
}
