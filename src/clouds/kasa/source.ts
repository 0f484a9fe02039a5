/**
 * Kasa cloud -> readings. One passthrough per device reads sysinfo and
 * whatever the modules ask for, together; HS300-style metered strips add
 * one read per outlet at the energy cadence. Tapo devices in the Kasa list
 * are skipped: Kasa cannot drive them (-20571), the Tapo source publishes them.
 */
import type { KasaClient } from './client.js';
import {
  isTapoListEntry,
  kasaCadenceQuery,
  kasaCadenceReading,
  kasaIdentity,
  kasaOutletsRequest,
  kasaReadings,
  kasaRefusedParts,
  kasaStateQuery,
  kasaWrite,
  type KasaCadence,
} from './devices.js';
import type { ExtraRead } from '../../model/feature.js';
import type { Desired, DeviceNode, KasaAddress, NodeIdentity } from '../../model/node.js';
import type { KasaListEntryInput } from '../../model/inputs.js';
import { isRecord } from '../../model/util.js';
import { ClientSource, failureOf, noRead, type CloudSource, type ReadResult } from '../common/source.js';

export class KasaSource extends ClientSource<KasaClient> implements CloudSource {
  readonly cloud = 'kasa' as const;
  readonly batchesOutlets = true;
  readonly #entries = new Map<string, KasaListEntryInput>();
  /**
   * The last answer of each module of each device (state and settings
   * reads): writes that need what it reported (a light preset, an effect's
   * definition) read it.
   */
  readonly #lastAnswers = new Map<string, Record<string, unknown>>();

  async list(): Promise<NodeIdentity[]> {
    const answer = await this.queue.poll(() => this.client.getDeviceListAnswer());
    const entries = this.listed(answer, [...this.#entries.values()], (entry) => entry.deviceId, 'device list');
    this.#entries.clear();
    let tapoCount = 0;
    const nodes: NodeIdentity[] = [];
    for (const entry of entries) {
      if (isTapoListEntry(entry.deviceType)) {
        tapoCount += 1;
        continue;
      }
      this.#entries.set(entry.deviceId, entry);
      const identity = kasaIdentity(entry);
      if (identity) nodes.push(identity);
    }
    if (tapoCount > 0) {
      this.logger.debug({ tapoCount }, 'kasa: Tapo devices in the Kasa list are left to the Tapo cloud');
    }
    return nodes;
  }

  async readState(nodes: DeviceNode[]): Promise<ReadResult> {
    return this.readEach(
      nodes.filter((node) => !node.parentId),
      (node) => this.#readDevice(node),
    );
  }

  async #readDevice(node: DeviceNode): Promise<ReadResult> {
    const entry = this.#entries.get(addressOf(node).deviceId);
    if (!entry) return noRead();
    if (entry.status !== 1) {
      return { readings: [], failures: [{ nodeIds: [node.id], error: new Error('offline in the device list'), offline: true }] };
    }
    const { answer: response, sentAt } = await this.polled(() => this.client.passthrough(addressOf(node), kasaStateQuery(node)));
    const mapped = kasaReadings(node, response, sentAt);
    this.#keepAnswer(node.id, response);
    for (const problem of mapped.problems) this.logger.warn({ node: node.id, problem }, 'kasa: unexpected device answer');
    if (mapped.readings.length === 0) return { readings: [], failures: [failureOf([node.id], new Error('no usable sysinfo in the answer'))] };
    return { readings: mapped.readings, failures: [] };
  }

  /** One passthrough per node whose modules ask anything at the energy cadence (metered devices, strip outlets). */
  async readEnergy(nodes: DeviceNode[]): Promise<ReadResult> {
    return this.#readAt('energy', nodes);
  }

  /** One passthrough per node for its modules' settings or firmware asks. */
  async readCadence(cadence: ExtraRead, nodes: DeviceNode[]): Promise<ReadResult> {
    return this.#readAt(cadence, nodes);
  }

  async #readAt(cadence: KasaCadence, nodes: DeviceNode[]): Promise<ReadResult> {
    return this.readEach(nodes, async (node) => {
      const request = node.online && node.features ? kasaCadenceQuery(node, cadence, this.refusedBy(node.id)) : undefined;
      if (!request) return noRead();
      const { answer: response, sentAt } = await this.polled(() => this.client.passthrough(addressOf(node), request));
      this.remember(node.id, node.id, kasaRefusedParts(request, response));
      if (cadence === 'settings') this.#keepAnswer(node.id, response);
      const { reading, problems } = kasaCadenceReading(node, response, sentAt, cadence);
      for (const problem of problems) this.logger.warn({ node: node.id, problem }, `kasa: unexpected ${cadence} answer`);
      return { readings: reading ? [reading] : [], failures: [] };
    });
  }

  #keepAnswer(id: string, response: unknown): void {
    if (isRecord(response)) this.#lastAnswers.set(id, { ...this.#lastAnswers.get(id), ...response });
  }

  /**
   * Several outlets: one passthrough with their child ids. A strip parent:
   * set_relay_state without context, which the strip applies to every outlet.
   */
  async execute(nodes: DeviceNode[], desired: Desired): Promise<void> {
    const first = nodes[0];
    if (!first) return;
    const request =
      nodes.length > 1 && desired.state !== undefined
        ? kasaOutletsRequest(
            nodes.map((node) => addressOf(node).childId ?? ''),
            desired.state,
          )
        : kasaWrite(first, desired, this.#lastAnswers.get(first.parentId ?? first.id));
    if (Object.keys(request).length === 0) return;
    await this.client.passthrough(addressOf(first), request, { strict: true });
  }
}

function addressOf(node: NodeIdentity): KasaAddress {
  if (node.address.cloud !== 'kasa') throw new Error(`node ${node.id} is not a Kasa node`);
  return node.address;
}
