/**
 * Kasa list entries and passthrough answers -> nodes. Pure: the bridge feeds
 * what the cloud returned and logs the problems; broken input never throws.
 */
import { ALL_ENERGY, kasaEmeterReadings, pickEnergy } from '../../model/energy.js';
import { kasaFamily, kasaKelvinRange, kindFromListEntry, type KasaFamily } from './family.js';
import {
  kasaEmeterSchema,
  kasaLightStateSchema,
  kasaSysinfoSchema,
  parseModule,
  type KasaChild,
  type KasaLightState,
  type KasaSysinfo,
} from './device-schema.js';
import type { KasaListEntryInput } from '../../model/inputs.js';
import { emptyCapabilities, safeId, type Capabilities, type DeviceNode, type NodeKind, type NodeState } from '../../model/node.js';
import { decodeNickname } from '../../model/names.js';
import { colorModeFor, isRecord, nonEmptyString, normaliseMac, stripRegion } from '../../model/util.js';

export { kasaFamily, kasaKelvinRange, type KasaFamily } from './family.js';

export interface KasaMapping {
  nodes: DeviceNode[];
  /** Short, loggable descriptions of what was skipped and why. */
  problems: string[];
}

const onOff = (flag: number | undefined): 'ON' | 'OFF' | undefined =>
  flag === undefined ? undefined : flag ? 'ON' : 'OFF';

function capabilitiesForKind(kind: NodeKind): Capabilities {
  const caps = emptyCapabilities();
  caps.relay = kind !== 'strip';
  caps.brightness = kind === 'dimmer' || kind === 'bulb' || kind === 'lightstrip';
  return caps;
}

/** The node as far as the device list tells: before the first sysinfo, or for Tapo devices. */
/**
 * A Tapo device in the Kasa device list (`SMART.*`): Kasa's passthrough
 * cannot drive it (-20571); the Tapo cloud does. The one place that says so.
 */
export function isTapoListEntry(deviceType: unknown): boolean {
  return String(deviceType ?? '').toUpperCase().startsWith('SMART.');
}

function nodeFromEntry(entry: KasaListEntryInput): DeviceNode | undefined {
  const type = String(entry.deviceType ?? '');
  const modelFull = nonEmptyString(entry.deviceModel) ?? nonEmptyString(entry.deviceName) ?? 'unknown';
  const kind = kindFromListEntry(type, modelFull);
  if (!kind) return undefined;
  const isTapo = isTapoListEntry(type);
  const model = stripRegion(modelFull);
  return {
    id: safeId(`kasa_${entry.deviceId}`),
    cloud: 'kasa',
    kind,
    name: (isTapo ? decodeNickname(entry.alias) : nonEmptyString(entry.alias)) || model,
    model,
    modelFull,
    deviceType: type,
    mac: normaliseMac(entry.deviceMac),
    swVersion: nonEmptyString(entry.fwVer),
    hwVersion: nonEmptyString(entry.deviceHwVer),
    address: { cloud: 'kasa', deviceId: entry.deviceId, appServerUrl: String(entry.appServerUrl ?? '') },
    capabilities: capabilitiesForKind(kind),
    state: {},
    online: entry.status === 1,
  };
}

/**
 * The id to put in context.child_ids: sysinfo gives the full id, only two
 * digits (older firmware), or a scrubbed `SCRUBBED_CHILD_DEVICE_ID_<n>` in
 * fixtures, which stands for outlet n-1.
 */
export function kasaChildId(parentDeviceId: string, rawChildId: string): string {
  if (/^\d{2}$/.test(rawChildId)) return parentDeviceId + rawChildId;
  const scrubbed = /^SCRUBBED_CHILD_DEVICE_ID_(\d+)$/.exec(rawChildId);
  if (scrubbed) return parentDeviceId + String(Number(scrubbed[1]) - 1).padStart(2, '0');
  return rawChildId;
}

function outletNode(parent: DeviceNode, entry: KasaListEntryInput, child: KasaChild, index: number, metered: boolean): DeviceNode {
  const childId = kasaChildId(entry.deviceId, child.id);
  const caps = emptyCapabilities();
  caps.relay = true;
  caps.onTime = child.on_time !== undefined;
  if (metered) caps.energy = { ...ALL_ENERGY };
  const state: NodeState = {};
  const relay = onOff(child.state);
  if (relay) state.state = relay;
  // A negative on_time (seen on HS300 firmware) is a device bug, not a duration.
  if (child.on_time !== undefined && child.on_time >= 0) state.on_time = child.on_time;
  // No MAC on sockets: they share the strip's, and HA merges devices with a common connection.
  const { mac: _mac, ...inherited } = parent;
  return {
    ...inherited,
    id: safeId(`kasa_${childId}`),
    kind: 'outlet',
    name: nonEmptyString(child.alias) ?? `${parent.name} ${index + 1}`,
    parentId: parent.id,
    address: { cloud: 'kasa', deviceId: entry.deviceId, appServerUrl: String(entry.appServerUrl ?? ''), childId },
    capabilities: caps,
    state,
  };
}

function lightFromAnswer(response: unknown, sysinfo: KasaSysinfo, problems: string[]): KasaLightState | undefined {
  for (const module of ['smartlife.iot.smartbulb.lightingservice', 'smartlife.iot.lightStrip']) {
    const parsed = parseModule(response, module, 'get_light_state', kasaLightStateSchema);
    if (parsed.problem) problems.push(parsed.problem);
    if (parsed.value) return parsed.value;
  }
  return sysinfo.light_state;
}

function lightState(light: KasaLightState | undefined, caps: Capabilities): NodeState {
  if (!light) return {};
  const on = light.on_off === 1;
  // Off bulbs keep their last "on" values in dft_on_state.
  const src = on ? light : (light.dft_on_state ?? {});
  const state: NodeState = { state: on ? 'ON' : 'OFF' };
  if (caps.brightness && src.brightness !== undefined) state.brightness = src.brightness;
  if (caps.colorTemp && src.color_temp !== undefined && src.color_temp > 0) state.color_temp = src.color_temp;
  if (caps.color && src.hue !== undefined && src.saturation !== undefined) {
    state.color = { h: src.hue, s: src.saturation };
  }
  state.color_mode = colorModeFor(caps, src.color_temp);
  return state;
}

function bulbNode(base: DeviceNode, sysinfo: KasaSysinfo, response: unknown, problems: string[]): DeviceNode {
  const light = lightFromAnswer(response, sysinfo, problems);
  const caps = base.capabilities;
  caps.brightness = sysinfo.is_dimmable !== undefined ? sysinfo.is_dimmable === 1 : light?.brightness !== undefined;
  caps.color = sysinfo.is_color === 1;
  if (sysinfo.is_variable_color_temp === 1) caps.colorTemp = kasaKelvinRange(base.modelFull ?? base.model);
  const state: NodeState = { ...base.state, ...lightState(light, caps) };
  const meter = parseModule(response, 'smartlife.iot.common.emeter', 'get_realtime', kasaEmeterSchema);
  if (meter.problem) problems.push(meter.problem);
  if (meter.value) {
    // Bulbs report power; some (KL430) also a running total. Their voltage and
    // current read 0 and mean nothing.
    caps.energy = { power: true, voltage: false, current: false, energy: (meter.value.shape === 'milli' ? meter.value.total_wh : meter.value.total) !== undefined };
    Object.assign(state, pickEnergy(kasaEmeterReadings(meter.value), caps.energy));
  }
  return { ...base, capabilities: caps, state };
}

function relayNode(base: DeviceNode, family: KasaFamily, sysinfo: KasaSysinfo, response: unknown, problems: string[]) {
  const caps = base.capabilities;
  const state: NodeState = { ...base.state };
  const relay = onOff(sysinfo.relay_state);
  if (relay) state.state = relay;
  caps.onTime = sysinfo.on_time !== undefined;
  if (sysinfo.on_time !== undefined && sysinfo.on_time >= 0) state.on_time = sysinfo.on_time;
  if (family === 'dimmer') {
    caps.brightness = true;
    if (sysinfo.brightness !== undefined) state.brightness = sysinfo.brightness;
    state.color_mode = 'brightness';
  }
  const meter = parseModule(response, 'emeter', 'get_realtime', kasaEmeterSchema);
  if (meter.problem) problems.push(meter.problem);
  if (meter.value || /\bENE\b/.test(sysinfo.feature ?? '')) caps.energy = { ...ALL_ENERGY };
  if (meter.value) Object.assign(state, pickEnergy(kasaEmeterReadings(meter.value), caps.energy));
  return { ...base, capabilities: caps, state };
}

const KIND_OF_FAMILY: Record<KasaFamily, NodeKind> = {
  strip: 'strip',
  dimmer: 'dimmer',
  plug: 'plug',
  switch: 'switch',
  bulb: 'bulb',
  lightstrip: 'lightstrip',
};

/**
 * The nodes of one Kasa device: the device, plus one node per outlet of a
 * strip. Without a response (before the first sysinfo) the device node comes
 * from the list entry alone.
 */
export function kasaNodes(entry: KasaListEntryInput, response?: Record<string, unknown>): KasaMapping {
  if (!isRecord(entry) || !nonEmptyString(entry.deviceId)) {
    return { nodes: [], problems: ['device list entry without a deviceId'] };
  }
  const fromEntry = nodeFromEntry(entry);
  if (!fromEntry) return { nodes: [], problems: [`${entry.deviceId}: unsupported device type ${String(entry.deviceType)}`] };
  // Tapo devices in the Kasa list cannot be reached through passthrough.
  if (response === undefined || isTapoListEntry(fromEntry.deviceType)) return { nodes: [fromEntry], problems: [] };

  const problems: string[] = [];
  const sys = parseModule(response, 'system', 'get_sysinfo', kasaSysinfoSchema);
  if (!sys.value) {
    problems.push(`${entry.deviceId}: ${sys.problem ?? 'no usable sysinfo in the answer'}`);
    return { nodes: [fromEntry], problems };
  }
  const sysinfo = sys.value;
  const family = kasaFamily(sysinfo);
  const kind = family ? KIND_OF_FAMILY[family] : fromEntry.kind;
  const modelFull = nonEmptyString(sysinfo.model) ?? fromEntry.modelFull ?? fromEntry.model;
  const caps = capabilitiesForKind(kind);
  caps.rssi = sysinfo.rssi !== undefined;
  caps.led = sysinfo.led_off !== undefined && kind !== 'bulb' && kind !== 'lightstrip';
  const state: NodeState = {};
  if (caps.rssi) state.rssi = sysinfo.rssi;
  if (caps.led) state.led = sysinfo.led_off === 0 ? 'ON' : 'OFF';
  const base: DeviceNode = {
    ...fromEntry,
    kind,
    name: nonEmptyString(sysinfo.alias) ?? fromEntry.name,
    model: stripRegion(modelFull),
    modelFull,
    mac: normaliseMac(sysinfo.mac ?? sysinfo.mic_mac) ?? fromEntry.mac,
    swVersion: nonEmptyString(sysinfo.sw_ver) ?? fromEntry.swVersion,
    hwVersion: nonEmptyString(sysinfo.hw_ver) ?? fromEntry.hwVersion,
    capabilities: caps,
    state,
    // It just answered through the cloud.
    online: true,
  };
  const prefixed = (list: string[]) => list.map((p) => `${entry.deviceId}: ${p}`);

  if (kind === 'bulb' || kind === 'lightstrip') {
    const node = bulbNode(base, sysinfo, response, problems);
    return { nodes: [node], problems: prefixed(problems) };
  }
  if (kind === 'strip') {
    // Only the HS300 meters, and per outlet (kasaOutletEnergy); the parent's
    // own emeter answer would double-count the outlets, so it is not used.
    const metered = /\bENE\b/.test(sysinfo.feature ?? '');
    const outlets = (sysinfo.children ?? []).map((child, i) => outletNode(base, entry, child, i, metered));
    return { nodes: [base, ...outlets], problems: prefixed(problems) };
  }
  const node = relayNode(base, family ?? 'plug', sysinfo, response, problems);
  return { nodes: [node], problems: prefixed(problems) };
}

/**
 * An HS300 outlet's emeter answer (`{"emeter":{"get_realtime":{...}}}` for a
 * request with context.child_ids) merged into the outlet's state. A broken or
 * unsupported answer leaves the state as it was.
 */
export function kasaOutletEnergy(node: DeviceNode, response: unknown): NodeState {
  const meter = parseModule(response, 'emeter', 'get_realtime', kasaEmeterSchema);
  if (!meter.value) return node.state;
  return { ...node.state, ...pickEnergy(kasaEmeterReadings(meter.value), node.capabilities.energy) };
}
