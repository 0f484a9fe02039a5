/**
 * Tapo things, shadows and usage -> nodes. Pure; input the clients could
 * not vouch for (missing fields, wrong types) is skipped, never thrown on.
 */
import { pickEnergy, tapoEnergyReadings } from '../../model/energy.js';
import type { TapoShadowInput, TapoThingInput, TapoUsageInput } from '../../model/inputs.js';
import {
  emptyCapabilities,
  safeId,
  type Capabilities,
  type DeviceNode,
  type KelvinRange,
  type NodeState,
  type ProtectionKind,
} from '../../model/node.js';
import { decodeNickname } from '../../model/names.js';
import { tapoTraits, type TapoModelTraits } from './models.js';
import { colorModeFor, finiteNumber, isRecord, nonEmptyString, normaliseMac, stripRegion } from '../../model/util.js';

export { decodeNickname } from '../../model/names.js';

/** Tapo's own default for colour bulbs when the shadow gives no range (L530 reports 2500-6500). */
const DEFAULT_TAPO_KELVIN: KelvinRange = { min: 2500, max: 6500 };

const LIGHT_KINDS = new Set(['bulb', 'lightstrip', 'dimmer']);

export function tapoNodeId(thingName: string): string {
  return safeId(`tapo_${thingName}`);
}

function reportedOf(shadow: TapoShadowInput | undefined): Record<string, unknown> {
  return isRecord(shadow) && isRecord(shadow.state) && isRecord(shadow.state.reported) ? shadow.state.reported : {};
}

/** [min, max] when it is a real range; L900 reports [9000, 9000]: no tunable white. */
function kelvinRange(raw: unknown): KelvinRange | 'fixed' | undefined {
  if (!Array.isArray(raw) || raw.length !== 2) return undefined;
  const [min, max] = raw.map(finiteNumber);
  if (min === undefined || max === undefined) return undefined;
  return min < max ? { min, max } : 'fixed';
}

/** Protection flags: anything but "normal" (or `overheated: true`) is a problem. */
function protectionFlags(reported: Record<string, unknown>): Partial<Record<ProtectionKind, boolean>> {
  const flags: Partial<Record<ProtectionKind, boolean>> = {};
  const status = (key: string) => nonEmptyString(reported[key]);
  const overcurrent = status('overcurrent_status');
  if (overcurrent) flags.overcurrent = overcurrent !== 'normal';
  const power = status('power_protection_status');
  if (power) flags.power_protection = power !== 'normal';
  const overheat = status('overheat_status');
  if (typeof reported.overheated === 'boolean') flags.overheat = reported.overheated;
  else if (overheat) flags.overheat = overheat !== 'normal';
  return flags;
}

/**
 * Protection states: what the model is known to report (every Tapo plug and
 * socket reports overheat; the metering plugs also overcurrent and power
 * protection, per the P110 shadow in tapo-cloud.md), plus whatever the
 * shadow shows. Model defaults keep discovery stable when nodes are built
 * before the first shadow.
 */
function protectionKinds(traits: TapoModelTraits, reported: Record<string, unknown>): ProtectionKind[] {
  const kinds = new Set(Object.keys(protectionFlags(reported)) as ProtectionKind[]);
  if (traits.kind === 'plug' || traits.kind === 'outlet') kinds.add('overheat');
  if (traits.energy && traits.kind !== 'strip') {
    kinds.add('overcurrent');
    kinds.add('power_protection');
  }
  const order: ProtectionKind[] = ['overcurrent', 'overheat', 'power_protection'];
  return order.filter((kind) => kinds.has(kind));
}

function capabilities(traits: TapoModelTraits, reported: Record<string, unknown>): Capabilities {
  const caps = emptyCapabilities();
  const isLight = LIGHT_KINDS.has(traits.kind);
  // A strip has no relay of its own unless its shadow reports one.
  caps.relay = traits.kind !== 'strip' || typeof reported.on === 'boolean';
  caps.brightness = traits.brightness || (isLight && finiteNumber(reported.brightness) !== undefined);
  caps.color = traits.color || (isLight && finiteNumber(reported.hue) !== undefined);
  const range = kelvinRange(reported.color_temp_range);
  const tunable = traits.colorTemp || (isLight && finiteNumber(reported.color_temp) !== undefined);
  if (tunable && range !== 'fixed') caps.colorTemp = range ?? { ...DEFAULT_TAPO_KELVIN };
  if (traits.energy && traits.kind !== 'strip') caps.energy = { power: true, voltage: traits.emeterData, current: traits.emeterData, energy: true };
  caps.rssi = finiteNumber(reported.rssi) !== undefined;
  caps.onTime = finiteNumber(reported.on_time) !== undefined;
  caps.protection = protectionKinds(traits, reported);
  return caps;
}

function isSubThing(thing: TapoThingInput): boolean {
  return thing.isSubThing === true || (thing.category ?? '').includes('sub-plug');
}

function validThing(thing: unknown): thing is TapoThingInput {
  return isRecord(thing) && nonEmptyString(thing.thingName) !== undefined;
}

/**
 * One node per thing; sub-things become outlets of their `edgeThingName`
 * strip. Kasa devices that linked accounts put in the Tapo list
 * (`IOT.*`) are left to the Kasa mapping, and things that are neither relays
 * nor lights (hubs, cameras, sensors) are not published.
 */
export function tapoNodes(things: TapoThingInput[], shadows?: Map<string, TapoShadowInput>): DeviceNode[] {
  const valid = (Array.isArray(things) ? things : []).filter(validThing);
  const usable = valid.filter((t) => !String(t.deviceType ?? '').toUpperCase().startsWith('IOT.'));
  const parents = new Map(usable.filter((t) => !isSubThing(t)).map((t) => [t.thingName, t]));
  const parentNodes: DeviceNode[] = [];
  const outletNodes: DeviceNode[] = [];
  for (const thing of usable) {
    const modelFull = nonEmptyString(thing.model) ?? 'unknown';
    const model = stripRegion(modelFull);
    const category = String(thing.category ?? '').toLowerCase();
    const traits = tapoTraits(model, String(thing.deviceType ?? ''), category);
    if (!traits) continue;
    const parent = isSubThing(thing) && thing.edgeThingName ? parents.get(thing.edgeThingName) : undefined;
    // An orphan socket (parent not listed) is still switchable: publish it as a plug.
    const kind = parent ? 'outlet' : traits.kind === 'outlet' ? 'plug' : traits.kind;
    const shadow = shadows?.get(thing.thingName);
    const caps = capabilities({ ...traits, kind }, reportedOf(shadow));
    const position = thing.position ?? thing.slotNumber;
    const fallbackName = parent ? `${decodeNickname(parent.nickname) || model} ${position ?? thing.thingName}` : model;
    const node: DeviceNode = {
      id: tapoNodeId(thing.thingName),
      cloud: 'tapo',
      kind,
      name: decodeNickname(thing.nickname) || fallbackName,
      model,
      modelFull,
      parentId: parent ? tapoNodeId(parent.thingName) : undefined,
      deviceType: nonEmptyString(thing.deviceType),
      // Sockets share the strip's MAC; giving it to them would merge them into the strip in HA.
      mac: parent ? undefined : normaliseMac(thing.mac),
      swVersion: nonEmptyString(thing.fwVer),
      hwVersion: nonEmptyString(thing.hwVer),
      address: { cloud: 'tapo', thingName: thing.thingName, appServerUrl: String(thing.appServerUrl ?? '') },
      capabilities: caps,
      state: {},
      online: thing.status === 1,
    };
    if (shadow) node.state = applyTapoShadow(node, shadow);
    (parent ? outletNodes : parentNodes).push(node);
  }
  return [...parentNodes, ...outletNodes];
}

/** The node's state updated from a shadow's `reported` part (never `desired`: not applied yet). */
export function applyTapoShadow(node: DeviceNode, shadow: TapoShadowInput): NodeState {
  const reported = reportedOf(shadow);
  const caps = node.capabilities;
  const state: NodeState = { ...node.state };
  if (caps.relay && typeof reported.on === 'boolean') state.state = reported.on ? 'ON' : 'OFF';
  const brightness = finiteNumber(reported.brightness);
  if (caps.brightness && brightness !== undefined) state.brightness = brightness;
  const colorTemp = finiteNumber(reported.color_temp);
  // color_temp 0 means the bulb is in colour mode.
  if (caps.colorTemp && colorTemp !== undefined) {
    if (colorTemp > 0) state.color_temp = colorTemp;
    else delete state.color_temp;
  }
  const hue = finiteNumber(reported.hue);
  const saturation = finiteNumber(reported.saturation);
  if (caps.color && hue !== undefined && saturation !== undefined) state.color = { h: hue, s: saturation };
  if (caps.brightness || caps.color || caps.colorTemp) {
    state.color_mode = colorModeFor(caps, colorTemp ?? state.color_temp);
  }
  const rssi = finiteNumber(reported.rssi);
  if (caps.rssi && rssi !== undefined) state.rssi = rssi;
  const onTime = finiteNumber(reported.on_time);
  if (caps.onTime && onTime !== undefined && onTime >= 0) state.on_time = onTime;
  const flags = protectionFlags(reported);
  for (const kind of caps.protection) {
    const flag = flags[kind];
    if (flag !== undefined) state[kind] = flag;
  }
  return state;
}

/**
 * Energy from `GET /v1/things/{id}/usage` (nested `energy_usage` or flat).
 * The cloud has no lifetime total, so `energy` is this month's kWh (today's
 * when the month is missing): Home Assistant's total_increasing treats the
 * monthly drop to zero as a meter reset, which is what it is.
 */
export function applyTapoUsage(node: DeviceNode, usage: TapoUsageInput): NodeState {
  if (!isRecord(usage)) return node.state;
  const source = isRecord(usage.energy_usage) ? usage.energy_usage : usage;
  const power = finiteNumber(source.current_power);
  const energy = finiteNumber(source.month_energy) ?? finiteNumber(source.today_energy);
  const readings = tapoEnergyReadings(power !== undefined && power >= 0 ? power : undefined, energy);
  return { ...node.state, ...pickEnergy(readings, node.capabilities.energy) };
}
