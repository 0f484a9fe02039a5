/**
 * Kasa list entries and passthrough answers -> node identities and
 * readings, through the modules of ./modules. Pure: the source feeds what
 * the cloud returned and logs the problems; broken input never throws.
 */
import { kasaFamily, kindFromListEntry, type KasaFamily } from './family.js';
import { kasaSysinfoSchema, parseModule, type KasaChild, type KasaSysinfo } from './device-schema.js';
import { KASA_MODULES } from './modules/index.js';
import type { KasaAnswer, KasaModule, KasaRequest, KasaTarget } from './module.js';
import type { KasaListEntryInput } from '../../model/inputs.js';
import { featureSet, type ExtraRead, type Feature, type FeatureSet } from '../../model/feature.js';
import { identityOf, safeId, type Desired, type DeviceNode, type NodeIdentity, type NodeKind, type NodeState } from '../../model/node.js';
import type { NodeReading } from '../../model/reading.js';
import { decodeNickname } from '../../model/names.js';
import { isRecord, nonEmptyString, normaliseMac, stripRegion } from '../../model/util.js';

export { kasaFamily, kasaKelvinRange, type KasaFamily } from './family.js';

export interface KasaMapping {
  /** The device first, then its outlets. */
  readings: NodeReading[];
  /** Short, loggable descriptions of what was skipped and why. */
  problems: string[];
}

const FAMILY_OF_KIND: Record<NodeKind, KasaFamily> = {
  strip: 'strip',
  dimmer: 'dimmer',
  plug: 'plug',
  switch: 'switch',
  bulb: 'bulb',
  lightstrip: 'lightstrip',
  outlet: 'plug',
};

/**
 * A Tapo device in the Kasa device list (`SMART.*`): Kasa's passthrough
 * cannot drive it (-20571); the Tapo cloud does. The one place that says so.
 */
export function isTapoListEntry(deviceType: unknown): boolean {
  return typeof deviceType === 'string' && deviceType.toUpperCase().startsWith('SMART.');
}

/** The node as far as the device list tells; undefined for what is no plug or bulb. */
export function kasaIdentity(entry: KasaListEntryInput): NodeIdentity | undefined {
  if (!isRecord(entry) || !nonEmptyString(entry.deviceId)) return undefined;
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

function targetOf(node: NodeIdentity, family?: KasaFamily): KasaTarget {
  const outlet = node.kind === 'outlet';
  const features = (node as Partial<DeviceNode>).features;
  return { node, family: outlet ? 'plug' : (family ?? FAMILY_OF_KIND[node.kind]), outlet, ...(features ? { features } : {}) };
}

/** Merges request fragments module by module (relay and LED share `system`). */
function mergeRequests(parts: Array<KasaRequest | undefined>): KasaRequest {
  const out: KasaRequest = {};
  for (const part of parts) {
    for (const [module, methods] of Object.entries(part ?? {})) out[module] = { ...out[module], ...methods };
  }
  return out;
}

/** An outlet is addressed through context; without it the whole strip would act. */
function addressed(node: NodeIdentity, request: KasaRequest): Record<string, unknown> {
  const childId = node.address.cloud === 'kasa' ? node.address.childId : undefined;
  if (childId === undefined || Object.keys(request).length === 0) return request;
  return { context: { child_ids: [childId] }, ...request };
}

/** The one passthrough of a state read: sysinfo plus what every module asks. */
export function kasaStateQuery(node: NodeIdentity): Record<string, unknown> {
  const target = targetOf(node);
  return mergeRequests([{ system: { get_sysinfo: null } }, ...KASA_MODULES.map((m) => m.query?.(target))]);
}

/** Kasa installs no firmware (modules/firmware.ts): an `install` read asks nothing. */
export type KasaCadence = 'energy' | ExtraRead;

function cadenceFragment(module: KasaModule, target: KasaTarget, cadence: KasaCadence): KasaRequest | undefined {
  switch (cadence) {
    case 'energy':
      return module.energyQuery?.(target);
    case 'settings':
      return module.settingsQuery?.(target);
    case 'firmware':
      return module.firmwareQuery?.(target);
    case 'install':
      return undefined;
  }
}

/**
 * The one passthrough of an energy, settings or firmware read of a node
 * (an outlet with context): every module's ask for that cadence, less the
 * `refused` parts ("module.method" the device said it lacks); undefined
 * when nothing is left to ask.
 */
export function kasaCadenceQuery(node: NodeIdentity, cadence: KasaCadence, refused: ReadonlySet<string> = new Set()): Record<string, unknown> | undefined {
  const target = targetOf(node);
  const request = mergeRequests(KASA_MODULES.map((m) => cadenceFragment(m, target, cadence)));
  for (const [module, methods] of Object.entries(request)) {
    for (const method of Object.keys(methods)) if (refused.has(`${module}.${method}`) || refused.has(module)) delete methods[method];
    if (Object.keys(methods).length === 0) delete request[module];
  }
  return Object.keys(request).length > 0 ? addressed(node, request) : undefined;
}

/**
 * The parts of a passthrough the device said it lacks: a module answering
 * err_code -1 ("module not support") or a method -1/-2 ("member not
 * support"). Asking again would only cost answer bytes and log lines.
 */
export function kasaRefusedParts(request: Record<string, unknown>, response: unknown): string[] {
  const refused: string[] = [];
  const lacks = (answer: unknown) => isRecord(answer) && (answer.err_code === -1 || answer.err_code === -2);
  for (const [module, methods] of Object.entries(request)) {
    if (module === 'context' || !isRecord(methods) || !isRecord(response)) continue;
    const answer = response[module];
    if (lacks(answer)) refused.push(module);
    else if (isRecord(answer)) for (const method of Object.keys(methods)) if (lacks(answer[method])) refused.push(`${module}.${method}`);
  }
  return refused;
}

function detect(modules: readonly KasaModule[], target: KasaTarget, answer: KasaAnswer): FeatureSet {
  return featureSet(modules.flatMap((m): Feature[] => m.detect(target, answer)));
}

function parse(modules: readonly KasaModule[], target: KasaTarget, answer: KasaAnswer, features: FeatureSet): NodeState {
  return Object.assign({}, ...modules.map((m) => m.parse(target, answer, features))) as NodeState;
}

function outletIdentity(parent: NodeIdentity, child: KasaChild, index: number): NodeIdentity {
  const address = parent.address.cloud === 'kasa' ? parent.address : undefined;
  const deviceId = address?.deviceId ?? '';
  const childId = kasaChildId(deviceId, child.id);
  // No MAC on sockets: they share the strip's, and HA merges devices with a common connection.
  const { mac: _mac, ...inherited } = parent;
  return {
    ...inherited,
    id: safeId(`kasa_${childId}`),
    kind: 'outlet',
    name: nonEmptyString(child.alias) ?? `${parent.name} ${index + 1}`,
    parentId: parent.id,
    address: { cloud: 'kasa', deviceId, appServerUrl: address?.appServerUrl ?? '', childId },
  };
}

function deviceIdentity(listed: NodeIdentity, sysinfo: KasaSysinfo, family: KasaFamily | undefined): NodeIdentity {
  const modelFull = nonEmptyString(sysinfo.model) ?? listed.modelFull ?? listed.model;
  return {
    ...identityOf(listed),
    kind: family ?? listed.kind,
    name: nonEmptyString(sysinfo.alias) ?? listed.name,
    model: stripRegion(modelFull),
    modelFull,
    mac: normaliseMac(sysinfo.mac ?? sysinfo.mic_mac) ?? listed.mac,
    swVersion: nonEmptyString(sysinfo.sw_ver) ?? listed.swVersion,
    hwVersion: nonEmptyString(sysinfo.hw_ver) ?? listed.hwVersion,
    // It just answered through the cloud.
    online: true,
  };
}

/**
 * The readings of one state answer: the device, plus one per outlet of a
 * strip, each with the features its modules found and the values they
 * read. A sysinfo-less answer gives no reading at all: it says nothing.
 */
export function kasaReadings(listed: NodeIdentity, response: unknown, sentAt: number, modules: readonly KasaModule[] = KASA_MODULES): KasaMapping {
  const sys = parseModule(response, 'system', 'get_sysinfo', kasaSysinfoSchema);
  if (!sys.value) return { readings: [], problems: [`${sys.problem ?? 'no usable sysinfo in the answer'}`] };
  const sysinfo = sys.value;
  const family = kasaFamily(sysinfo);
  const device = deviceIdentity(listed, sysinfo, family);
  const problems: string[] = [];
  const read = (node: NodeIdentity, child?: KasaChild): NodeReading => {
    const target = targetOf(node, family);
    const answer: KasaAnswer = { response, sysinfo, child, problems, readAt: sentAt };
    const features = detect(modules, target, answer);
    return { id: node.id, identity: node, features, values: parse(modules, target, answer, features), source: 'read', sentAt };
  };
  const readings = [read(device)];
  if (family === 'strip') {
    (sysinfo.children ?? []).forEach((child, i) => readings.push(read(outletIdentity(device, child, i), child)));
  }
  return { readings, problems: [...new Set(problems)] };
}

/**
 * An energy, settings or firmware answer -> a reading: the values its
 * modules read, and the features it revealed that the node lacked.
 */
export function kasaCadenceReading(
  node: DeviceNode,
  response: unknown,
  sentAt: number,
  cadence: KasaCadence = 'energy',
): { reading?: NodeReading; problems: string[] } {
  const problems: string[] = [];
  const target = targetOf(node);
  const answer: KasaAnswer = { response, problems, readAt: sentAt };
  const known = node.features ?? {};
  const added = featureSet(KASA_MODULES.flatMap((m) => m.detectMore?.(target, answer) ?? []).filter((feature) => !(feature.id in known)));
  const values = parse(KASA_MODULES, target, answer, { ...known, ...added });
  const hasAdded = Object.keys(added).length > 0;
  if (Object.keys(values).length === 0 && !hasAdded) return { problems: [...new Set(problems)] };
  return { reading: { id: node.id, values, source: cadence === 'install' ? 'firmware' : cadence, sentAt, ...(hasAdded ? { features: added } : {}) }, problems: [...new Set(problems)] };
}

/** A strip outlet's energy answer -> a reading of the values only. */
export function kasaEnergyReading(node: DeviceNode, response: unknown, sentAt: number): { reading?: NodeReading; problems: string[] } {
  return kasaCadenceReading(node, response, sentAt, 'energy');
}

/**
 * The passthrough `requestData` carrying `desired` to one Kasa node: every
 * module's fragment in one request, which the device executes in one go.
 * {} when nothing applies.
 */
export function kasaWrite(node: DeviceNode, desired: Desired, lastResponse?: unknown): Record<string, unknown> {
  const target = targetOf(node);
  const features = node.features ?? {};
  const last: KasaAnswer = { response: lastResponse, sysinfo: parseModule(lastResponse, 'system', 'get_sysinfo', kasaSysinfoSchema).value, problems: [] };
  return addressed(node, mergeRequests(KASA_MODULES.map((m) => m.write?.(target, desired, features, last))));
}

/**
 * Several outlets of one strip switched to the same state in one
 * passthrough (context.child_ids takes a list).
 */
export function kasaOutletsRequest(childIds: readonly string[], state: 'ON' | 'OFF'): Record<string, unknown> {
  if (childIds.length === 0) throw new Error('kasaOutletsRequest needs at least one child id');
  return { context: { child_ids: [...childIds] }, system: { set_relay_state: { state: state === 'ON' ? 1 : 0 } } };
}
