/**
 * The minimal shapes the device mapping reads, as the cloud clients deliver
 * them. They are structural on purpose: the clients' zod-inferred types
 * satisfy them without this folder importing from `src/clouds/*`.
 */

/** One entry of Kasa `getDeviceList` (Tapo devices appear here too, as `SMART.*`). */
export interface KasaListEntryInput {
  deviceId: string;
  alias: string;
  deviceName?: string;
  deviceModel: string;
  deviceType: string;
  appServerUrl: string;
  /** 1 online, 0 offline. */
  status: number;
  fwVer?: string;
  deviceHwVer?: string;
  deviceMac?: string;
}

/** One thing of Tapo `GET /v1/things`. */
export interface TapoThingInput {
  thingName: string;
  nickname?: string;
  model?: string;
  deviceType?: string;
  category?: string;
  /** 1 online, 0 offline. */
  status: number;
  appServerUrl?: string;
  isSubThing?: boolean;
  /** The parent strip's thingName, for a sub-thing. */
  edgeThingName?: string;
  mac?: string;
  hwVer?: string;
  fwVer?: string;
  position?: number;
  slotNumber?: number;
}

/** One shadow of Tapo `GET /v1/things/shadows`. */
export interface TapoShadowInput {
  thingName: string;
  state: { reported?: Record<string, unknown>; desired?: Record<string, unknown> };
  version: number;
}

/** The energy figures of Tapo `GET /v1/things/{id}/usage` (nested or flat). */
export interface TapoEnergyUsageInput {
  /** mW. */
  current_power?: number;
  /** Wh since midnight. */
  today_energy?: number;
  /** Wh since the first of the month. */
  month_energy?: number;
  [key: string]: unknown;
}

export interface TapoUsageInput {
  energy_usage?: TapoEnergyUsageInput;
  power_usage?: unknown;
  time_usage?: unknown;
  [key: string]: unknown;
}
