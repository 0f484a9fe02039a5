/**
 * Tapo cloud -> nodes. Things come from the paged thing list, state from
 * batched shadow reads (ceil(N / batch) requests a cycle), energy from one
 * services-sync per metered node (the usage endpoint where services-sync is
 * refused). Shadow versions are remembered so a command's PATCH rarely
 * needs a read first.
 */
import { isCloudError } from '../common/errors.js';
import { keepSkipped } from '../common/list.js';
import { isNoSuchService, type TapoClient } from './client.js';
import { applyServices, servicesPlan, withDeviceInfo } from './services.js';
import type { TapoShadow, TapoThing } from './schemas.js';
import { tapoDesired } from '../../commands/translate.js';
import type { ResolvedDesired } from '../../commands/types.js';
import type { DeviceNode, TapoAddress } from '../../model/node.js';
import { applyTapoUsage, tapoNodes } from './devices.js';
import { ClientSource, mergeResults, type CloudSource, type ReadFailure, type ReadResult } from '../../runtime/sources.js';

export class TapoSource extends ClientSource<TapoClient> implements CloudSource {
  readonly cloud = 'tapo' as const;
  readonly batchesOutlets = false;
  readonly #versions = new Map<string, number>();
  readonly #shadows = new Map<string, TapoShadow>();
  #things: TapoThing[] = [];
  /** get_device_info answers, merged under the shadows. */
  readonly #info = new Map<string, Record<string, unknown>>();
  /** Things that refused get_emeter_data. */
  readonly #noEmeter = new Set<string>();
  /** The cloud refused services-sync: energy from the usage endpoint. */
  #usageOnly = false;

  async list(): Promise<DeviceNode[]> {
    // Each page in its own queue slot: the rate limit counts every page.
    const answer = await this.client.listThingsAnswer((request) => this.queue.poll(request));
    // Things whose entry did not parse this time are kept as they were, not removed.
    const { entries: things, kept } = keepSkipped(answer, this.#things, (thing) => thing.thingName);
    if (kept > 0) this.logger.warn({ skipped: answer.skipped, kept }, `tapo: ${answer.skipped} thing list entries did not parse; ${kept} device(s) kept as they were`);
    // Linked Kasa devices can show up here too; the Kasa source drives them.
    this.#things = things.filter((thing) => !thing.deviceType?.startsWith('IOT.'));
    const skipped = things.length - this.#things.length;
    if (skipped > 0) this.logger.debug({ skipped }, 'tapo: Kasa devices in the Tapo list are left to the Kasa cloud');
    return tapoNodes(this.#things, this.#shadows);
  }

  async readState(nodes: DeviceNode[]): Promise<ReadResult> {
    const byThing = new Map(nodes.map((node) => [addressOf(node).thingName, node]));
    const result = await this.#readShadows(nodes.map((node) => addressOf(node)), byThing);
    const read = new Set<string>();
    for (const shadow of result.shadows) {
      this.#shadows.set(shadow.thingName, shadow);
      this.#versions.set(shadow.thingName, shadow.version);
      read.add(shadow.thingName);
    }
    // Rebuilt from the shadows: some capabilities (RSSI, on-time, colour range) only show there.
    const fresh = tapoNodes(this.#things, this.#withInfo()).filter((node) => read.has(addressOf(node).thingName));
    return { nodes: fresh, failures: result.failures };
  }

  /** The client batches (tapo.shadowBatchSize per request); the rate limit counts each request. */
  async #readShadows(targets: TapoAddress[], byThing: Map<string, DeviceNode>): Promise<{ shadows: TapoShadow[]; failures: ReadFailure[] }> {
    const ids = (things: { thingName: string }[]) =>
      things.map((thing) => byThing.get(thing.thingName)?.id).filter((id): id is string => id !== undefined);
    try {
      const { shadows, failed } = await this.queue.poll(() => this.client.getShadows(targets));
      const failures = failed.length > 0 ? [{ nodeIds: ids(failed), error: new Error(failed[0]?.message ?? 'shadow read failed'), offline: false }] : [];
      return { shadows, failures };
    } catch (error) {
      return { shadows: [], failures: [{ nodeIds: ids(targets), error, offline: isCloudError(error) && error.kind === 'device_offline' }] };
    }
  }

  #withInfo(): Map<string, TapoShadow> {
    if (this.#info.size === 0) return this.#shadows;
    return new Map([...this.#shadows].map(([name, shadow]) => [name, withDeviceInfo(shadow, this.#info.get(name)) as TapoShadow]));
  }

  /** One services-sync per node that needs one; the usage endpoint once services-sync is refused. */
  async readEnergy(nodes: DeviceNode[]): Promise<ReadResult> {
    if (this.#usageOnly) return this.#readUsage(nodes);
    const results = await Promise.all(
      nodes.map(async (node): Promise<ReadResult> => {
        const { thingName } = addressOf(node);
        const methods = servicesPlan(node, this.#shadows.get(thingName), this.#noEmeter.has(thingName));
        if (methods.length === 0) return { nodes: [], failures: [] };
        try {
          const responses = await this.queue.poll(() => this.client.servicesSync(addressOf(node), methods));
          const reading = applyServices(node, this.#shadows.get(thingName), methods, responses);
          if (reading.info) this.#info.set(thingName, reading.info);
          if (reading.noEmeter) this.#noEmeter.add(thingName);
          return { nodes: [{ ...node, state: reading.state }], failures: [] };
        } catch (error) {
          if (!isNoSuchService(error)) return { nodes: [], failures: [{ nodeIds: [node.id], error, offline: isCloudError(error) && error.kind === 'device_offline' }] };
          if (!this.#usageOnly) this.logger.info({ code: error.code }, 'tapo: services-sync refused, reading energy from the usage endpoint');
          this.#usageOnly = true;
          return this.#readUsage([node]);
        }
      }),
    );
    return mergeResults(results);
  }

  async #readUsage(nodes: DeviceNode[]): Promise<ReadResult> {
    const metered = nodes.filter((node) => node.capabilities.energy && node.online);
    const results = await Promise.all(
      metered.map(async (node): Promise<ReadResult> => {
        try {
          const usage = await this.queue.poll(() => this.client.getUsage(addressOf(node)));
          return { nodes: [{ ...node, state: applyTapoUsage(node, usage) }], failures: [] };
        } catch (error) {
          return { nodes: [], failures: [{ nodeIds: [node.id], error, offline: false }] };
        }
      }),
    );
    return mergeResults(results);
  }

  async execute(nodes: DeviceNode[], desired: ResolvedDesired): Promise<void> {
    for (const node of nodes) {
      const address = addressOf(node);
      const { version } = await this.client.patchShadow(address, tapoDesired(node, desired), this.#versions.get(address.thingName));
      this.#versions.set(address.thingName, version);
    }
  }

}

function addressOf(node: DeviceNode): TapoAddress {
  if (node.address.cloud !== 'tapo') throw new Error(`node ${node.id} is not a Tapo node`);
  return node.address;
}
