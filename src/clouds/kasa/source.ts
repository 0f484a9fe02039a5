/**
 * Kasa cloud -> nodes. One passthrough per device reads sysinfo and the
 * energy meter together; HS300-style metered strips add one read per
 * outlet at the energy cadence. Tapo devices in the Kasa list are skipped:
 * Kasa cannot drive them (-20571), the Tapo source publishes them.
 */
import { isCloudError } from '../common/errors.js';
import { keepSkipped } from '../common/list.js';
import type { KasaClient } from './client.js';
import type { KasaDeviceListEntry } from './schemas.js';
import { kasaRequest, kasaStripRequest } from '../../commands/translate.js';
import type { ResolvedDesired } from '../../commands/types.js';
import { isTapoListEntry, kasaNodes, kasaOutletEnergy } from './devices.js';
import type { DeviceNode, KasaAddress } from '../../model/node.js';
import { ClientSource, mergeResults, type CloudSource, type ReadFailure, type ReadResult } from '../../runtime/sources.js';

const METER_MODULE = { emeter: { get_realtime: null } };
const BULB_METER_MODULE = { 'smartlife.iot.common.emeter': { get_realtime: null } };

export class KasaSource extends ClientSource<KasaClient> implements CloudSource {
  readonly cloud = 'kasa' as const;
  readonly batchesOutlets = true;
  readonly #entries = new Map<string, KasaDeviceListEntry>();


  async list(): Promise<DeviceNode[]> {
    const answer = await this.queue.poll(() => this.client.getDeviceListAnswer());
    // Devices whose entry did not parse this time are kept as they were, not removed.
    const { entries, kept } = keepSkipped(answer, [...this.#entries.values()], (entry) => entry.deviceId);
    if (kept > 0) this.logger.warn({ skipped: answer.skipped, kept }, `kasa: ${answer.skipped} device list entries did not parse; ${kept} device(s) kept as they were`);
    this.#entries.clear();
    let tapoCount = 0;
    const nodes: DeviceNode[] = [];
    for (const entry of entries) {
      if (isTapoListEntry(entry.deviceType)) {
        tapoCount += 1;
        continue;
      }
      this.#entries.set(entry.deviceId, entry);
      nodes.push(...kasaNodes(entry).nodes);
    }
    if (tapoCount > 0) {
      this.logger.debug({ tapoCount }, 'kasa: Tapo devices in the Kasa list are left to the Tapo cloud');
    }
    return nodes;
  }

  async readState(nodes: DeviceNode[]): Promise<ReadResult> {
    const devices = nodes.filter((node) => !node.parentId);
    const results = await Promise.all(devices.map((node) => this.#readDevice(node)));
    return mergeResults(results);
  }

  async #readDevice(node: DeviceNode): Promise<ReadResult> {
    const entry = this.#entries.get(addressOf(node).deviceId);
    if (!entry) return { nodes: [], failures: [] };
    if (entry.status !== 1) {
      return { nodes: [], failures: [{ nodeIds: [node.id], error: new Error('offline in the device list'), offline: true }] };
    }
    try {
      const response = await this.queue.poll(() => this.client.passthrough(addressOf(node), stateRequest(node)));
      const mapped = kasaNodes(entry, response);
      for (const problem of mapped.problems) this.logger.warn({ node: node.id, problem }, 'kasa: unexpected device answer');
      return { nodes: mapped.nodes, failures: [] };
    } catch (error) {
      return { nodes: [], failures: [failureOf([node.id], error)] };
    }
  }

  async readEnergy(nodes: DeviceNode[]): Promise<ReadResult> {
    const outlets = nodes.filter((node) => node.parentId && node.capabilities.energy && node.online);
    const results = await Promise.all(
      outlets.map(async (outlet): Promise<ReadResult> => {
        const address = addressOf(outlet);
        try {
          const request = { context: { child_ids: [address.childId] }, ...METER_MODULE };
          const response = await this.queue.poll(() => this.client.passthrough(address, request));
          return { nodes: [{ ...outlet, state: kasaOutletEnergy(outlet, response) }], failures: [] };
        } catch (error) {
          return { nodes: [], failures: [failureOf([outlet.id], error)] };
        }
      }),
    );
    return mergeResults(results);
  }

  async execute(nodes: DeviceNode[], desired: ResolvedDesired): Promise<void> {
    const first = nodes[0];
    if (!first) return;
    const request =
      nodes.length > 1
        ? kasaStripRequest(
            addressOf(first),
            nodes.map((node) => addressOf(node).childId ?? ''),
            desired.state === 'ON' ? 1 : 0,
          )
        : kasaRequest(first, desired);
    await this.client.passthrough(addressOf(first), request, { strict: true });
  }

}

function addressOf(node: DeviceNode): KasaAddress {
  if (node.address.cloud !== 'kasa') throw new Error(`node ${node.id} is not a Kasa node`);
  return node.address;
}

/**
 * Sysinfo plus the meter module of this family, in one request. A device
 * without a meter answers that module with err_code -1, which costs nothing
 * extra, so the meter is asked even before the first sysinfo tells.
 */
function stateRequest(node: DeviceNode): Record<string, unknown> {
  const system = { system: { get_sysinfo: null } };
  if (node.kind === 'bulb' || node.kind === 'lightstrip') return { ...system, ...BULB_METER_MODULE };
  // Strips meter per outlet, at the energy cadence.
  if (node.kind === 'strip') return system;
  return { ...system, ...METER_MODULE };
}

function failureOf(nodeIds: string[], error: unknown): ReadFailure {
  return { nodeIds, error, offline: isCloudError(error) && error.kind === 'device_offline' };
}
