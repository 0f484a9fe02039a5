/**
 * Tapo cloud -> readings. Things come from the paged thing list, state from
 * shadow reads the client batches (ceil(N / batch) requests a cycle), energy from one
 * services-sync per metered node (the usage endpoint where services-sync is
 * refused). Shadow versions are remembered so a command's PATCH rarely
 * needs a read first.
 */
import { isCloudError } from '../common/errors.js';
import { keepSkipped } from '../common/list.js';
import { isNoSuchService, type TapoClient } from './client.js';
import { infoFields, resultsByMethod, servicesPlan, unknownMethods, withDeviceInfo } from './services.js';
import type { SlowCadence } from '../../model/feature.js';
import type { TapoShadow, TapoThing } from './schemas.js';
import { identityOf, type Desired, type DeviceNode, type NodeIdentity, type TapoAddress } from '../../model/node.js';
import {
  tapoReadings,
  tapoServicesMethods,
  tapoServicesReading,
  tapoTargets,
  tapoUsageReading,
  tapoWrite,
  tapoWriteServices,
  withStripStates,
} from './devices.js';
import type { TapoCadence, TapoTarget } from './module.js';
import { ClientSource, mergeResults, type CloudSource, type ReadFailure, type ReadResult } from '../../runtime/sources.js';

export class TapoSource extends ClientSource<TapoClient> implements CloudSource {
  readonly cloud = 'tapo' as const;
  readonly batchesOutlets = false;
  readonly #versions = new Map<string, number>();
  /** The last shadow of each thing: services-sync asks for device info only when it lacks it. */
  readonly #shadows = new Map<string, TapoShadow>();
  #things: TapoThing[] = [];
  #targets = new Map<string, TapoTarget>();
  /** get_device_info answers, merged under the shadows. */
  readonly #info = new Map<string, Record<string, unknown>>();
  /** The last answers of each thing's read methods: setters that take the whole object back start from them. */
  readonly #read = new Map<string, Map<string, Record<string, unknown>>>();
  /** Per thing, the methods it answered it does not know (-1002). */
  readonly #refused = new Map<string, Set<string>>();
  /** The cloud refused services-sync: energy from the usage endpoint. */
  #usageOnly = false;

  async list(): Promise<NodeIdentity[]> {
    // Each page in its own queue slot: the rate limit counts every page.
    const answer = await this.client.listThingsAnswer((request) => this.queue.poll(request));
    // Things whose entry did not parse this time are kept as they were, not removed.
    const { entries: things, kept } = keepSkipped(answer, this.#things, (thing) => thing.thingName);
    if (kept > 0) this.logger.warn({ skipped: answer.skipped, kept }, `tapo: ${answer.skipped} thing list entries did not parse; ${kept} device(s) kept as they were`);
    this.#things = things;
    // Linked Kasa devices can show up here too; the Kasa source drives them.
    const own = things.filter((thing) => !thing.deviceType?.startsWith('IOT.'));
    const skipped = things.length - own.length;
    if (skipped > 0) this.logger.debug({ skipped }, 'tapo: Kasa devices in the Tapo list are left to the Kasa cloud');
    const targets = tapoTargets(own);
    this.#targets = new Map(targets.map((target) => [target.node.id, target]));
    return targets.map((target) => target.node);
  }

  async readState(nodes: DeviceNode[]): Promise<ReadResult> {
    const byThing = new Map(nodes.map((node) => [addressOf(node).thingName, node]));
    const result = await this.#readShadows(nodes.map((node) => addressOf(node)), byThing);
    return { ...result, readings: withStripStates(result.readings) };
  }

  /** The client batches (tapo.shadowBatchSize per request); the rate limit counts each request. */
  async #readShadows(batch: TapoAddress[], byThing: Map<string, DeviceNode>): Promise<ReadResult> {
    const ids = (things: { thingName: string }[]) =>
      things.map((thing) => byThing.get(thing.thingName)?.id).filter((id): id is string => id !== undefined);
    try {
      let sentAt = Date.now();
      const { shadows, failed } = await this.queue.poll(() => {
        sentAt = Date.now();
        return this.client.getShadows(batch);
      });
      const read = new Map<string, TapoShadow>();
      for (const shadow of shadows) {
        this.#shadows.set(shadow.thingName, shadow);
        this.#versions.set(shadow.thingName, shadow.version);
        // The device info services-sync brought (signal, protection...) under the shadow's own fields.
        read.set(shadow.thingName, withDeviceInfo(shadow, this.#info.get(shadow.thingName)) as TapoShadow);
      }
      const targets = ids(batch).flatMap((id) => this.#targetOf(byThing, id));
      const readings = tapoReadings(targets, read, sentAt, this.#read);
      const failures: ReadFailure[] =
        failed.length > 0 ? [{ nodeIds: ids(failed), error: new Error(failed[0]?.message ?? 'shadow read failed'), offline: false }] : [];
      return { readings, failures };
    } catch (error) {
      return { readings: [], failures: [{ nodeIds: ids(batch), error, offline: isCloudError(error) && error.kind === 'device_offline' }] };
    }
  }

  #targetOf(byThing: Map<string, DeviceNode>, id: string): TapoTarget[] {
    const target = this.#targets.get(id);
    if (target) return [target];
    const node = [...byThing.values()].find((candidate) => candidate.id === id);
    return node ? [fallbackTarget(node)] : [];
  }

  /** One services-sync per node that needs one; the usage endpoint once services-sync is refused. */
  async readEnergy(nodes: DeviceNode[]): Promise<ReadResult> {
    if (this.#usageOnly) return this.#readUsage(nodes);
    return this.#readServices('energy', nodes);
  }

  /** One services-sync per thing whose modules read anything at this cadence. */
  async readCadence(cadence: SlowCadence, nodes: DeviceNode[]): Promise<ReadResult> {
    if (this.#usageOnly) return { readings: [], failures: [] };
    return this.#readServices(cadence, nodes);
  }

  async #readServices(cadence: TapoCadence, nodes: DeviceNode[]): Promise<ReadResult> {
    const results = await Promise.all(
      nodes.map(async (node): Promise<ReadResult> => {
        if (!node.features) return { readings: [], failures: [] };
        const { thingName } = addressOf(node);
        const target = this.#targets.get(node.id) ?? fallbackTarget(node);
        const refused = this.#refused.get(thingName);
        const calls = servicesPlan(node, this.#shadows.get(thingName), tapoServicesMethods(target, node.features, cadence), refused);
        if (calls.length === 0) return { readings: [], failures: [] };
        try {
          let sentAt = Date.now();
          const responses = await this.queue.poll(() => {
            sentAt = Date.now();
            return this.client.servicesSync(addressOf(node), calls);
          });
          this.#remember(node, unknownMethods(responses));
          const results = resultsByMethod(responses);
          this.#read.set(thingName, new Map([...(this.#read.get(thingName) ?? []), ...results]));
          const info = results.get('get_device_info');
          if (info) this.#info.set(thingName, info);
          const reading = tapoServicesReading(node, target, results, infoFields(info), sentAt, cadence);
          return { readings: reading ? [reading] : [], failures: [] };
        } catch (error) {
          if (!isNoSuchService(error)) return { readings: [], failures: [{ nodeIds: [node.id], error, offline: isCloudError(error) && error.kind === 'device_offline' }] };
          if (!this.#usageOnly) this.logger.info({ code: error.code }, 'tapo: services-sync refused, reading energy from the usage endpoint');
          this.#usageOnly = true;
          return cadence === 'energy' ? this.#readUsage([node]) : { readings: [], failures: [] };
        }
      }),
    );
    return mergeResults(results);
  }

  /** Methods a thing does not know (a model that has them in general, not this firmware) are not asked again. */
  #remember(node: DeviceNode, unknown: string[]): void {
    if (unknown.length === 0) return;
    const { thingName } = addressOf(node);
    const known = this.#refused.get(thingName) ?? new Set<string>();
    for (const method of unknown) known.add(method);
    this.#refused.set(thingName, known);
    this.logger.debug({ node: node.id, unknown }, 'tapo: the device does not know these methods; not asked again');
  }

  async #readUsage(nodes: DeviceNode[]): Promise<ReadResult> {
    const metered = nodes.filter((node) => node.online && node.features && ('power' in node.features || 'energy' in node.features));
    const results = await Promise.all(
      metered.map(async (node): Promise<ReadResult> => {
        try {
          let sentAt = Date.now();
          const usage = await this.queue.poll(() => {
            sentAt = Date.now();
            return this.client.getUsage(addressOf(node));
          });
          const reading = tapoUsageReading(node, usage, sentAt);
          return { readings: reading ? [reading] : [], failures: [] };
        } catch (error) {
          return { readings: [], failures: [{ nodeIds: [node.id], error, offline: false }] };
        }
      }),
    );
    return mergeResults(results);
  }

  /**
   * One shadow PATCH per node. A strip parent is switched through its
   * sockets, one PATCH each: the strip's own shadow has no relay (its `on`
   * would switch nothing), and the cloud has no call for all sockets at once.
   */
  async execute(nodes: DeviceNode[], desired: Desired, children: DeviceNode[] = []): Promise<void> {
    for (const node of nodes) {
      // What no shadow key carries (settings, reboot) goes to the node itself, through services-sync.
      const calls = tapoWriteServices(this.#targetFor(node), node.features ?? {}, desired, this.#read.get(addressOf(node).thingName));
      const targets = node.kind === 'strip' ? children : [node];
      for (const target of targets) {
        const address = addressOf(target);
        const body = tapoWrite(this.#targetFor(target), target.features ?? {}, desired, this.#read.get(address.thingName));
        if (Object.keys(body).length === 0) continue;
        const { version } = await this.client.patchShadow(address, body, this.#versions.get(address.thingName));
        this.#versions.set(address.thingName, version);
      }
      if (calls.length > 0) await this.client.servicesWrite(addressOf(node), calls);
    }
  }

  #targetFor(node: DeviceNode): TapoTarget {
    return this.#targets.get(node.id) ?? fallbackTarget(node);
  }
}

/** A node the thing list no longer carries (removed meanwhile): its traits from what is known. */
function fallbackTarget(node: DeviceNode): TapoTarget {
  const has = (id: string) => node.features !== undefined && id in node.features;
  return {
    node: identityOf(node),
    traits: { kind: node.kind, energy: has('power'), emeterData: has('voltage'), brightness: has('brightness'), color: has('color'), colorTemp: has('color_temp') },
  };
}

function addressOf(node: NodeIdentity): TapoAddress {
  if (node.address.cloud !== 'tapo') throw new Error(`node ${node.id} is not a Tapo node`);
  return node.address;
}
