/**
 * Tapo cloud -> readings. Things come from the paged thing list, state from
 * shadow reads the client batches (ceil(N / batch) requests a cycle), energy from one
 * services-sync per metered node (the usage endpoint where services-sync is
 * refused). Shadow versions are remembered so a command's PATCH rarely
 * needs a read first.
 */
import { isNoSuchService, type TapoClient } from './client.js';
import { infoFields, resultsByMethod, servicesPlan, unknownMethods, withDeviceInfo } from './services.js';
import type { ExtraRead } from '../../model/feature.js';
import type { TapoShadow, TapoThing } from './schemas.js';
import { identityOf, type Desired, type DeviceNode, type NodeIdentity, type TapoAddress } from '../../model/node.js';
import {
  isKasaThing,
  tapoReadings,
  tapoServicesMethods,
  tapoServicesReading,
  tapoTargets,
  tapoUsageReading,
  tapoWrite,
  tapoWriteServices,
  withStripStates,
} from './devices.js';
import { DEFAULT_MODULE_SETTINGS, type TapoCadence, type TapoModuleSettings, type TapoTarget } from './module.js';
import { ClientSource, failureOf, noRead, type CloudSource, type PollQueue, type ReadFailure, type ReadResult } from '../common/source.js';
import type { Logger } from '../../logger.js';

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
  /** The cloud refused services-sync: energy from the usage endpoint. */
  #usageOnly = false;

  constructor(
    client: TapoClient,
    queue: PollQueue,
    logger: Logger,
    /** What the modules offer by the bridge's settings (firmware.allowInstall). */
    private readonly settings: TapoModuleSettings = DEFAULT_MODULE_SETTINGS,
  ) {
    super(client, queue, logger);
  }

  async list(): Promise<NodeIdentity[]> {
    // Each page in its own queue slot: the rate limit counts every page.
    const answer = await this.client.listThingsAnswer((request) => this.queue.poll(request));
    const things = this.listed(answer, this.#things, (thing) => thing.thingName, 'thing list');
    this.#things = things;
    // Linked Kasa devices can show up here too; the Kasa source drives them.
    const skipped = things.filter(isKasaThing).length;
    if (skipped > 0) this.logger.debug({ skipped }, 'tapo: Kasa devices in the Tapo list are left to the Kasa cloud');
    const targets = tapoTargets(things);
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
      const {
        answer: { shadows, failed },
        sentAt,
      } = await this.polled(() => this.client.getShadows(batch));
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
      return { readings: [], failures: [failureOf(ids(batch), error)] };
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

  /** One services-sync per thing whose modules read anything at this cadence (or an install's progress). */
  async readCadence(cadence: ExtraRead, nodes: DeviceNode[]): Promise<ReadResult> {
    if (this.#usageOnly) return noRead();
    return this.#readServices(cadence, nodes);
  }

  async #readServices(cadence: TapoCadence, nodes: DeviceNode[]): Promise<ReadResult> {
    return this.readEach(nodes, async (node) => {
      if (!node.features) return noRead();
      const { thingName } = addressOf(node);
      const target = this.#targets.get(node.id) ?? fallbackTarget(node);
      const calls = servicesPlan(node, this.#shadows.get(thingName), tapoServicesMethods(target, node.features, cadence), this.refusedBy(thingName));
      if (calls.length === 0) return noRead();
      try {
        const { answer: responses, sentAt } = await this.polled(() => this.client.servicesSync(addressOf(node), calls));
        // Methods a thing does not know (-1002: a model that has them in general, not this firmware).
        this.remember(thingName, node.id, unknownMethods(responses));
        const results = resultsByMethod(responses);
        this.#read.set(thingName, new Map([...(this.#read.get(thingName) ?? []), ...results]));
        const info = results.get('get_device_info');
        if (info) this.#info.set(thingName, info);
        const reading = tapoServicesReading(node, target, results, infoFields(info), sentAt, cadence, this.settings);
        return { readings: reading ? [reading] : [], failures: [] };
      } catch (error) {
        if (!isNoSuchService(error)) throw error;
        if (!this.#usageOnly) this.logger.info({ code: error.code }, 'tapo: services-sync refused, reading energy from the usage endpoint');
        this.#usageOnly = true;
        return cadence === 'energy' ? this.#readUsage([node]) : noRead();
      }
    });
  }

  async #readUsage(nodes: DeviceNode[]): Promise<ReadResult> {
    const metered = nodes.filter((node) => node.online && node.features && ('power' in node.features || 'energy' in node.features));
    return this.readEach(metered, async (node) => {
      try {
        const { answer: usage, sentAt } = await this.polled(() => this.client.getUsage(addressOf(node)));
        const reading = tapoUsageReading(node, usage, sentAt);
        return { readings: reading ? [reading] : [], failures: [] };
      } catch (error) {
        // As it always has: a usage read that failed does not mark the device offline.
        return { readings: [], failures: [{ nodeIds: [node.id], error, offline: false }] };
      }
    });
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
