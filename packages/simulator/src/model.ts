/**
 * Internal device model of the simulator: what a loaded or generated device
 * looks like once it has ids, and the small helpers every module shares
 * (seeded randomness, stable ids, energy meters).
 */
import { createHash } from 'node:crypto';

export type Json = Record<string, unknown>;

export const REGIONS = ['eu', 'use1'] as const;
export type Region = (typeof REGIONS)[number];

export type KasaFamily = 'plug' | 'strip' | 'dimmer' | 'bulb' | 'lightstrip';

export function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A captured field as text: strings as they are, numbers and booleans written out, anything else `fallback`. */
export function text(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fallback;
}

/** Deterministic PRNG (mulberry32): same seed, same fault rolls and MFA codes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 40 upper-case hex digits, like real device ids, derived only from the seed and a slot. */
export function stableId(seed: number, cloud: 'kasa' | 'tapo', slot: number): string {
  return createHash('sha1').update(`tplink-sim:${seed}:${cloud}:${slot}`).digest('hex').toUpperCase();
}

export function childId(parentId: string, index: number): string {
  return parentId + String(index).padStart(2, '0');
}

/**
 * Accumulates energy from elapsed simulated time instead of per-device
 * timers, so a thousand devices cost nothing between requests. Call
 * `advance` before every switch so the on-interval is charged exactly.
 */
export class EnergyMeter {
  private lastAt: number;
  private wh: number;

  /** The current the device reported while on (fixtures): served as captured, never power ÷ voltage. */
  currentA: number | undefined;
  /** Catalog bulbs draw in proportion to brightness; a captured bulb reading is served as captured. */
  followsBrightness = true;

  constructor(
    public powerW: number,
    totalWh: number,
    now: number,
    public voltageV = 230,
  ) {
    this.wh = totalWh;
    this.lastAt = now;
  }

  advance(now: number, on: boolean): void {
    if (on && now > this.lastAt) this.wh += (this.powerW * (now - this.lastAt)) / 3_600_000;
    this.lastAt = Math.max(this.lastAt, now);
  }

  totalWh(now: number, on: boolean): number {
    this.advance(now, on);
    return this.wh;
  }
}

export interface KasaOutlet {
  id: string;
  alias: string;
  state: number;
  onTime: number;
  meter?: EnergyMeter;
}

export interface KasaLight {
  on: boolean;
  mode: string;
  hue: number;
  saturation: number;
  colorTemp: number;
  brightness: number;
}

export interface KasaDevice {
  cloud: 'kasa';
  id: string;
  region: Region;
  family: KasaFamily;
  model: string;
  online: boolean;
  /** Sysinfo template; live fields (relay_state, children, light_state) are rendered on read. */
  sysinfo: Json;
  children: KasaOutlet[];
  meter?: EnergyMeter;
  /** Old firmware answers floats in A/V/W/kWh instead of mA/mV/mW/Wh. */
  meterShape: 'new' | 'old';
  light?: KasaLight;
  /** Recorded answers of modules the simulator does not execute (from fixtures). */
  staticModules: Json;
  /** Rebooting (system.reboot): out of reach until then (ms since epoch). */
  rebootUntil?: number;
  /** A newer firmware TP-Link offers it (get_intl_fw_list lists it). */
  firmwareOffer?: FirmwareOffer;
}

export interface FirmwareOffer {
  version: string;
  releaseNote: string;
  releaseDate: string;
}

/** What the simulator keeps of a thing's firmware beyond its device info's `fw_ver`. */
export interface TapoFirmware {
  /** A newer version TP-Link offers the device. */
  offered?: FirmwareOffer;
  /** The install fw_download started. */
  install?: { startedAt: number; version: string; upgradeS: number; rebootS: number };
}

export interface PendingDesired {
  applyAt: number;
  desired: Json;
}

export interface TapoThing {
  cloud: 'tapo';
  id: string;
  region: Region;
  model: string;
  deviceType: string;
  category: string;
  alias: string;
  online: boolean;
  parentId?: string;
  children: string[];
  position?: number;
  /** Device-info fields as the device reports them (device_on, plain nickname). */
  info: Json;
  version: number;
  desired: Json;
  pending: PendingDesired[];
  meter?: EnergyMeter;
  /** Captured answers by method (fixtures), served by services-sync with live state laid over them. */
  recorded?: Json;
  /** Energy already counted before the simulator started, for today/month totals. */
  todayWhBase: number;
  monthWhBase: number;
  startedAt: number;
  /** Rebooting (device_reboot): out of reach until then (ms since epoch). */
  rebootUntil?: number;
  /** A newer firmware on offer, an install under way (tapo-firmware.ts). */
  firmware?: TapoFirmware;
}

export type SimDevice = KasaDevice | TapoThing;

export function kasaOutletOn(device: KasaDevice): boolean {
  if (device.family === 'bulb' || device.family === 'lightstrip') return device.light?.on ?? false;
  return device.sysinfo.relay_state === 1;
}

export function tapoOn(thing: TapoThing): boolean {
  return thing.info.device_on === true;
}

/**
 * The MAC with its last three bytes made from `serial`, separators kept:
 * scrubbed fixtures share one MAC (…00:00:00), but every device has its own.
 */
export function uniqueMac(mac: unknown, serial: number): string | undefined {
  if (typeof mac !== 'string') return undefined;
  const sep = /[:-]/.exec(mac)?.[0] ?? '';
  const hex = mac.replace(/[:-]/g, '');
  if (!/^[0-9A-Fa-f]{12}$/.test(hex)) return mac;
  const tail = (serial & 0xffffff).toString(16).toUpperCase().padStart(6, '0');
  const bytes = `${hex.slice(0, 6).toUpperCase()}${tail}`.match(/../g) ?? [];
  return bytes.join(sep);
}
