/**
 * Tapo things, shadows and usage -> node identities and readings, through
 * the modules of ./modules. Pure; input the clients could not vouch for
 * (missing fields, wrong types) is skipped, never thrown on.
 */
import type { TapoShadowInput, TapoThingInput, TapoUsageInput } from '../../model/inputs.js';
import { featureSet, type FeatureSet } from '../../model/feature.js';
import { safeId, type Desired, type DeviceNode, type NodeState } from '../../model/node.js';
import type { NodeReading } from '../../model/reading.js';
import { decodeNickname } from '../../model/names.js';
import { tapoTraits } from './models.js';
import { TAPO_MODULES } from './modules/index.js';
import {
  callMethod,
  DEFAULT_MODULE_SETTINGS,
  noAnswers,
  type ServicesAnswers,
  type ServicesCall,
  type TapoCadence,
  type TapoModule,
  type TapoModuleSettings,
  type TapoTarget,
} from './module.js';
import { isRecord, nonEmptyString, normaliseMac, stripRegion } from '../../model/util.js';

export { decodeNickname } from '../../model/names.js';

export function tapoNodeId(thingName: string): string {
  return safeId(`tapo_${thingName}`);
}

function reportedOf(shadow: TapoShadowInput | undefined): Record<string, unknown> {
  return isRecord(shadow) && isRecord(shadow.state) && isRecord(shadow.state.reported) ? shadow.state.reported : {};
}

function isSubThing(thing: TapoThingInput): boolean {
  return thing.isSubThing === true || (thing.category ?? '').includes('sub-plug');
}

function validThing(thing: unknown): thing is TapoThingInput {
  return isRecord(thing) && nonEmptyString(thing.thingName) !== undefined;
}

/**
 * A Kasa device that linked accounts put in the Tapo thing list (`IOT.*`):
 * the Kasa source drives it. The one place that says so.
 */
export function isKasaThing(thing: TapoThingInput): boolean {
  return String(thing.deviceType ?? '').toUpperCase().startsWith('IOT.');
}

/**
 * One target per thing; sub-things become outlets of their `edgeThingName`
 * strip, parents first. Kasa devices that linked accounts put in the Tapo
 * list (`IOT.*`) are left to the Kasa mapping, and things that are neither
 * relays nor lights (hubs, cameras, sensors) are not published.
 */
export function tapoTargets(things: TapoThingInput[]): TapoTarget[] {
  const valid = (Array.isArray(things) ? things : []).filter(validThing);
  const usable = valid.filter((t) => !isKasaThing(t));
  const parents = new Map(usable.filter((t) => !isSubThing(t)).map((t) => [t.thingName, t]));
  const parentTargets: TapoTarget[] = [];
  const outletTargets: TapoTarget[] = [];
  for (const thing of usable) {
    const modelFull = nonEmptyString(thing.model) ?? 'unknown';
    const model = stripRegion(modelFull);
    const category = String(thing.category ?? '').toLowerCase();
    const traits = tapoTraits(model, String(thing.deviceType ?? ''), category);
    if (!traits) continue;
    const parent = isSubThing(thing) && thing.edgeThingName ? parents.get(thing.edgeThingName) : undefined;
    // An orphan socket (parent not listed) is still switchable: publish it as a plug.
    const kind = parent ? 'outlet' : traits.kind === 'outlet' ? 'plug' : traits.kind;
    const position = thing.position ?? thing.slotNumber;
    const fallbackName = parent ? `${decodeNickname(parent.nickname) || model} ${position ?? thing.thingName}` : model;
    const target: TapoTarget = {
      traits: { ...traits, kind },
      node: {
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
        online: thing.status === 1,
      },
    };
    (parent ? outletTargets : parentTargets).push(target);
  }
  return [...parentTargets, ...outletTargets];
}

function detect(modules: readonly TapoModule[], target: TapoTarget, reported: Record<string, unknown>): FeatureSet {
  return featureSet(modules.flatMap((m) => m.detect(target, reported)));
}

function parse(modules: readonly TapoModule[], target: TapoTarget, reported: Record<string, unknown>, features: FeatureSet, readAt: number, read: ServicesAnswers): NodeState {
  return Object.assign({}, ...modules.map((m) => m.parse?.(target, reported, features, readAt, read) ?? {})) as NodeState;
}

/**
 * The readings of the shadows read: each thing's features and values from
 * its `reported` part (never `desired`: not applied yet), with its last
 * services-sync answers (`read`, by thing name) where a value needs both.
 */
export function tapoReadings(
  targets: TapoTarget[],
  shadows: Map<string, TapoShadowInput>,
  sentAt: number,
  read: ReadonlyMap<string, ServicesAnswers> = new Map(),
  modules: readonly TapoModule[] = TAPO_MODULES,
): NodeReading[] {
  const readings: NodeReading[] = [];
  for (const target of targets) {
    const address = target.node.address;
    const shadow = address.cloud === 'tapo' ? shadows.get(address.thingName) : undefined;
    if (!shadow) continue;
    const reported = reportedOf(shadow);
    const features = detect(modules, target, reported);
    const answers = read.get(address.cloud === 'tapo' ? address.thingName : '') ?? noAnswers();
    readings.push({ id: target.node.id, identity: target.node, features, values: parse(modules, target, reported, features, sentAt, answers), source: 'read', sentAt });
  }
  return readings;
}

/**
 * A strip parent's state: ON while any of its sockets read is on. Its own
 * shadow has no relay; the sockets may come in other shadow batches.
 */
export function withStripStates(readings: NodeReading[]): NodeReading[] {
  for (const reading of readings) {
    if (reading.identity?.kind !== 'strip' || 'state' in reading.values) continue;
    const sockets = readings.filter((r) => r.identity?.parentId === reading.id && r.values.state !== undefined);
    if (sockets.length > 0) reading.values.state = sockets.some((r) => r.values.state === 'ON') ? 'ON' : 'OFF';
  }
  return readings;
}

/** The services-sync calls the node's modules read at a cadence, each method once. */
export function tapoServicesMethods(target: TapoTarget, features: FeatureSet, cadence: TapoCadence = 'energy'): ServicesCall[] {
  const calls = new Map<string, ServicesCall>();
  for (const call of TAPO_MODULES.flatMap((m) => m.servicesMethods?.(target, features, cadence) ?? [])) {
    if (!calls.has(callMethod(call))) calls.set(callMethod(call), call);
  }
  return [...calls.values()];
}

/** The services-sync calls carrying what no shadow key carries (settings, reboot...). */
export function tapoWriteServices(
  target: TapoTarget,
  features: FeatureSet,
  desired: Desired,
  read: ReadonlyMap<string, Record<string, unknown>> = new Map(),
): ServicesCall[] {
  return TAPO_MODULES.flatMap((m) => m.writeServices?.(target, desired, features, read) ?? []);
}

/**
 * A services-sync answer -> a reading: the modules' energy values, and the
 * device-info fields a shadow lacks (signal, protection, on-time) read as
 * the shadow's would be. Never on/off: that is the shadow's alone.
 */
export function tapoServicesReading(
  node: DeviceNode,
  target: TapoTarget,
  results: ReadonlyMap<string, Record<string, unknown>>,
  info: Record<string, unknown>,
  sentAt: number,
  cadence: TapoCadence = 'energy',
  settings: TapoModuleSettings = DEFAULT_MODULE_SETTINGS,
): NodeReading | undefined {
  // Info and services answers can reveal features the shadow did not show (signal, protection, voltage).
  const revealed = [...Object.values(detect(TAPO_MODULES, target, info)), ...TAPO_MODULES.flatMap((m) => m.detectServices?.(results, settings) ?? [])];
  const known = node.features ?? {};
  const added = featureSet(revealed.filter((feature) => !(feature.id in known)));
  const features = { ...known, ...added };
  const fromInfo = parse(TAPO_MODULES, target, info, features, sentAt, results);
  const values = Object.assign(fromInfo, ...TAPO_MODULES.map((m) => m.parseServices?.(results, features, node.state) ?? {})) as NodeState;
  if (Object.keys(values).length === 0 && Object.keys(added).length === 0) return undefined;
  // An install's progress is firmware news.
  const source = cadence === 'install' ? 'firmware' : cadence;
  return { id: node.id, values, source, sentAt, ...(Object.keys(added).length > 0 ? { features: added } : {}) };
}

export function tapoUsageReading(node: DeviceNode, usage: TapoUsageInput, sentAt: number): NodeReading | undefined {
  const features = node.features ?? {};
  const values = Object.assign({}, ...TAPO_MODULES.map((m) => m.parseUsage?.(usage, features) ?? {})) as NodeState;
  return Object.keys(values).length > 0 ? { id: node.id, values, source: 'energy', sentAt } : undefined;
}

/** The shadow `desired` object carrying `desired` to one node: every module's fragment (`read`: its last services answers). */
export function tapoWrite(target: TapoTarget, features: FeatureSet, desired: Desired, read: ServicesAnswers = noAnswers()): Record<string, unknown> {
  return Object.assign({}, ...TAPO_MODULES.map((m) => m.write?.(target, desired, features, read) ?? {})) as Record<string, unknown>;
}
