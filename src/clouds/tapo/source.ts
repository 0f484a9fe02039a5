/**
 * Tapo cloud -> nodes. Things come from the paged thing list, state from
 * batched shadow reads (ceil(N / batch) requests a cycle), energy from the
 * usage endpoint of energy models. Shadow versions are remembered so a
 * command's PATCH rarely needs a read first.
 */
import { isCloudError } from '../common/errors.js';
import { keepSkipped } from '../common/list.js';
import type { TapoClient } from './client.js';
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
    const targets = nodes.map((node) => addressOf(node));
    const batchSize = Math.max(1, this.client.shadowBatchSize);
    const batches: TapoAddress[][] = [];
    for (let i = 0; i < targets.length; i += batchSize) batches.push(targets.slice(i, i + batchSize));
    // One queue slot per request, so the rate limit counts every shadow read.
    const results = await Promise.all(batches.map((batch) => this.#readBatch(batch, byThing)));
    const read = new Set<string>();
    for (const result of results) {
      for (const shadow of result.shadows) {
        this.#shadows.set(shadow.thingName, shadow);
        this.#versions.set(shadow.thingName, shadow.version);
        read.add(shadow.thingName);
      }
    }
    // Rebuilt from the shadows: some capabilities (RSSI, on-time, colour range) only show there.
    const fresh = tapoNodes(this.#things, this.#shadows).filter((node) => read.has(addressOf(node).thingName));
    return { nodes: fresh, failures: results.flatMap((result) => result.failures) };
  }

  async #readBatch(batch: TapoAddress[], byThing: Map<string, DeviceNode>): Promise<{ shadows: TapoShadow[]; failures: ReadFailure[] }> {
    const ids = (things: { thingName: string }[]) =>
      things.map((thing) => byThing.get(thing.thingName)?.id).filter((id): id is string => id !== undefined);
    try {
      const { shadows, failed } = await this.queue.poll(() => this.client.getShadows(batch));
      const failures = failed.length > 0 ? [{ nodeIds: ids(failed), error: new Error(failed[0]?.message ?? 'shadow read failed'), offline: false }] : [];
      return { shadows, failures };
    } catch (error) {
      return { shadows: [], failures: [{ nodeIds: ids(batch), error, offline: isCloudError(error) && error.kind === 'device_offline' }] };
    }
  }

  async readEnergy(nodes: DeviceNode[]): Promise<ReadResult> {
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
