/**
 * The one device model both clouds map into. A node is one addressable
 * thing: a device, or one outlet of a power strip. Everything downstream
 * (discovery, state topics, commands) works on nodes only.
 */
import type { FeatureSet, HsColor, StateValue } from './feature.js';

export type { Feature, FeatureSet, HsColor, StateValue } from './feature.js';

/** The two TP-Link clouds. */
export type CloudName = 'kasa' | 'tapo';

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

/**
 * The state published on `<base>/<name>`: one key per readable feature
 * (plus `color_mode`, which the JSON light needs). Keys follow zigbee2mqtt
 * and the Home Assistant JSON light schema: brightness 0-100, color_temp in
 * Kelvin, color {h: 0-360, s: 0-100}.
 */
export interface NodeState {
  state?: 'ON' | 'OFF';
  brightness?: number;
  color_temp?: number;
  color?: HsColor;
  color_mode?: 'onoff' | 'brightness' | 'color_temp' | 'hs';
  [feature: string]: StateValue | undefined;
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

/** Who a node is: what a device list tells, without features or state. */
export interface NodeIdentity {
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
  /** The cloud's device type ("IOT.SMARTPLUGSWITCH", "SMART.TAPOPLUG"...), when known. */
  deviceType?: string;
  mac?: string;
  swVersion?: string;
  hwVersion?: string;
  address: NodeAddress;
  /** The cloud says it is reachable. */
  online: boolean;
}

export interface DeviceNode extends NodeIdentity {
  /**
   * What the node can do, fixed by its interview (the first complete read)
   * and never shrunk by a later read; undefined until then. Discovery and
   * the state topic wait for it.
   */
  features?: FeatureSet;
  state: NodeState;
}

/** Keeps only `[a-zA-Z0-9_-]`: node ids, unique_ids and discovery object ids. */
export function safeId(raw: string): string {
  return raw.replace(/[^a-zA-Z0-9_-]/g, '_');
}

export function hasFeature(node: Pick<DeviceNode, 'features'>, id: string): boolean {
  return node.features !== undefined && id in node.features;
}

/** A light of any kind: its main entity is the JSON light. */
export function isLight(node: Pick<DeviceNode, 'kind' | 'features'>): boolean {
  return node.kind === 'bulb' || node.kind === 'lightstrip' || hasFeature(node, 'brightness') || hasFeature(node, 'color') || hasFeature(node, 'color_temp');
}

/**
 * What a command asks of a node, per feature id, plus the light's
 * `transition` in seconds, which is no state; `State`: what its `state` may
 * be (a `set` may say TOGGLE, commands/types.ts).
 */
export interface DesiredValues<State extends string> {
  state?: State;
  brightness?: number;
  color_temp?: number;
  color?: HsColor;
  transition?: number;
  [feature: string]: StateValue | undefined;
}

/** What a command asks of a node, TOGGLE resolved: what the queue and the clouds see. */
export type Desired = DesiredValues<'ON' | 'OFF'>;

/** A brightness above 0 without an explicit state means "on at that level" (zigbee2mqtt semantics). */
export function desiredOn(desired: Desired): boolean | undefined {
  if (desired.state !== undefined) return desired.state === 'ON';
  if (desired.brightness !== undefined && desired.brightness > 0) return true;
  return undefined;
}

/** Only who the node is: a node's features and state never travel with its identity. */
export function identityOf(node: NodeIdentity): NodeIdentity {
  const { features: _features, state: _state, ...identity } = node as DeviceNode;
  return identity;
}
