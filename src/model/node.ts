/**
 * The one device model both clouds map into. A node is one addressable
 * thing: a device, or one outlet of a power strip. Everything downstream
 * (discovery, state topics, commands) works on nodes only.
 */
import type { CloudName } from '../clouds/common/errors.js';

export type { CloudName } from '../clouds/common/errors.js';

export type NodeKind =
  | 'plug' // smart plug (outlet device class)
  | 'switch' // wall switch (switch device class)
  | 'dimmer' // wall dimmer: relay + brightness
  | 'bulb' // light bulb
  | 'lightstrip' // light strip
  | 'strip' // power strip parent (its outlets are separate nodes)
  | 'outlet'; // one socket of a power strip

export interface KelvinRange {
  min: number;
  max: number;
}

export interface EnergyCapabilities {
  power: boolean; // W
  voltage: boolean; // V
  current: boolean; // A
  energy: boolean; // kWh, total increasing
}

export type ProtectionKind = 'overcurrent' | 'overheat' | 'power_protection';

export interface Capabilities {
  relay: boolean;
  led: boolean;
  brightness: boolean;
  /** Present when colour temperature can be set. */
  colorTemp?: KelvinRange;
  /** Hue/saturation. */
  color: boolean;
  /** Present when the node reports energy figures. */
  energy?: EnergyCapabilities;
  rssi: boolean;
  onTime: boolean;
  protection: ProtectionKind[];
}

/**
 * The state published on `<base>/<name>`. Keys follow zigbee2mqtt / the
 * Home Assistant JSON light schema: brightness 0-100 (discovery sets
 * brightness_scale 100), color_temp in Kelvin, color {h: 0-360, s: 0-100}.
 */
export interface NodeState {
  state?: 'ON' | 'OFF';
  brightness?: number;
  color_temp?: number;
  color?: { h: number; s: number };
  color_mode?: 'onoff' | 'brightness' | 'color_temp' | 'hs';
  power?: number;
  voltage?: number;
  current?: number;
  energy?: number;
  rssi?: number;
  led?: 'ON' | 'OFF';
  on_time?: number;
  overcurrent?: boolean;
  overheat?: boolean;
  power_protection?: boolean;
}

/** How to reach a Kasa node through passthrough. */
export interface KasaAddress {
  cloud: 'kasa';
  deviceId: string;
  appServerUrl: string;
  /** Set for a strip outlet: the id to put in context.child_ids. */
  childId?: string;
}

/** How to reach a Tapo node through shadows. */
export interface TapoAddress {
  cloud: 'tapo';
  thingName: string;
  appServerUrl: string;
}

export type NodeAddress = KasaAddress | TapoAddress;

export interface DeviceNode {
  /** Stable, `[a-zA-Z0-9_-]` only: `kasa_<deviceId>`, `kasa_<childId>`, `tapo_<thingName>`. */
  id: string;
  cloud: CloudName;
  kind: NodeKind;
  /** The user's name for it (alias / decoded nickname). */
  name: string;
  /** Model without region, e.g. "HS300"; modelFull keeps the region: "HS300(US)". */
  model: string;
  modelFull?: string;
  /** Node id of the parent strip, for outlets. */
  parentId?: string;
  /**
   * The cloud's device type ("IOT.SMARTPLUGSWITCH", "SMART.TAPOPLUG"...), when
   * known: mergeClouds uses it to spot Tapo devices in the Kasa list.
   */
  deviceType?: string;
  mac?: string;
  swVersion?: string;
  hwVersion?: string;
  address: NodeAddress;
  capabilities: Capabilities;
  state: NodeState;
  /** The cloud says it is reachable. */
  online: boolean;
}

/** A parent device with its outlets, as a mapping produces them. */
export type NodeList = DeviceNode[];

export function emptyCapabilities(): Capabilities {
  return { relay: false, led: false, brightness: false, color: false, rssi: false, onTime: false, protection: [] };
}

/** Keeps only `[a-zA-Z0-9_-]`: node ids, unique_ids and discovery object ids. */
export function safeId(raw: string): string {
  return raw.replace(/[^a-zA-Z0-9_-]/g, '_');
}
