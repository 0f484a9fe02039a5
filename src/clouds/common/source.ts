/**
 * What the bridge needs from a cloud, whatever the cloud (`CloudSource`),
 * and the plumbing both clouds' sources share (`ClientSource`): status and
 * closing from the client, reads in the queue's poll slots, one failure per
 * node whose read threw, list entries kept when a list answer skipped some.
 * One implementation per cloud (clouds/kasa/source.ts,
 * clouds/tapo/source.ts) turns client answers into readings through the
 * pure mappings of its folder (devices.ts); the runtime polls and commands
 * them through this interface.
 */
import { isCloudError, type CloudError } from './errors.js';
import { keepSkipped, type ListAnswer } from './list.js';
import type { ClientStatus as CloudStatus } from './session.js';
import type { CloudName, Desired, DeviceNode, NodeIdentity } from '../../model/node.js';
import type { NodeReading } from '../../model/reading.js';
import type { ExtraRead } from '../../model/feature.js';
import type { Logger } from '../../logger.js';

/** A cloud's login status, as its client's session reports it (one definition, in session.ts). */
export type { ClientStatus as CloudStatus } from './session.js';

/** A read that failed for some nodes. */
export interface ReadFailure {
  nodeIds: string[];
  error: unknown;
  /** The cloud said the device is offline (-20571, status 0): not a bridge fault. */
  offline: boolean;
}

export interface ReadResult {
  readings: NodeReading[];
  failures: ReadFailure[];
}

export interface CloudSource {
  readonly cloud: CloudName;
  /** Several outlets of one strip can share one request (Kasa child_ids). */
  readonly batchesOutlets: boolean;
  /** Reads the device list: who each device is (outlets appear with their strip's state read). */
  list(): Promise<NodeIdentity[]>;
  /** Reads the state of every node (cheapest requests the API allows). */
  readState(nodes: DeviceNode[]): Promise<ReadResult>;
  /** Reads energy figures that are not part of the state read. */
  readEnergy(nodes: DeviceNode[]): Promise<ReadResult>;
  /**
   * Reads what the nodes' modules read at a slow cadence (settings,
   * firmware), or the progress of an install under way (`install`): one
   * request per device at most, all of its modules' asks merged.
   */
  readCadence(cadence: ExtraRead, nodes: DeviceNode[]): Promise<ReadResult>;
  /**
   * Carries out a command on one node, or on several outlets of one strip
   * (`batchesOutlets`). A strip parent comes with its outlets in `children`.
   */
  execute(nodes: DeviceNode[], desired: Desired, children?: DeviceNode[]): Promise<void>;
  status(): CloudStatus;
  /** Called when the cloud's status changes (auth failures are published). */
  onStatus(listener: (status: CloudStatus, error?: CloudError) => void): void;
  close(): Promise<void>;
}

type StatusListener = (status: CloudStatus, error?: CloudError) => void;

/** What a source needs of its cloud client beyond the cloud calls themselves. */
interface StatusClient {
  readonly status: CloudStatus;
  on(event: 'status', listener: StatusListener): unknown;
  close(): Promise<void>;
}

/** The cloud's request queue (commands/queue.ts): a read waits for a poll slot, behind commands. */
export interface PollQueue {
  poll<T>(task: () => Promise<T>): Promise<T>;
}

/** A read that found nothing to ask. */
export const noRead = (): ReadResult => ({ readings: [], failures: [] });

/** A read of `nodeIds` that threw; offline when the cloud said the device is. */
export function failureOf(nodeIds: string[], error: unknown): ReadFailure {
  return { nodeIds, error, offline: isCloudError(error) && error.kind === 'device_offline' };
}

export function mergeResults(results: ReadResult[]): ReadResult {
  return {
    readings: results.flatMap((result) => result.readings),
    failures: results.flatMap((result) => result.failures),
  };
}

export abstract class ClientSource<Client extends StatusClient> {
  abstract readonly cloud: CloudName;
  /**
   * Per device, what it said it lacks ("module", "module.method", a method
   * name): not asked again (until the bridge restarts).
   */
  readonly #refused = new Map<string, Set<string>>();

  constructor(
    protected readonly client: Client,
    protected readonly queue: PollQueue,
    protected readonly logger: Logger,
  ) {}

  status(): CloudStatus {
    return this.client.status;
  }

  onStatus(listener: StatusListener): void {
    this.client.on('status', listener);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** `request` in a poll slot; `sentAt`: when it left, after waiting its turn (what the store orders reads by). */
  protected async polled<T>(request: () => Promise<T>): Promise<{ answer: T; sentAt: number }> {
    let sentAt = Date.now();
    const answer = await this.queue.poll(() => {
      sentAt = Date.now();
      return request();
    });
    return { answer, sentAt };
  }

  /** Every node read on its own, at once; a read that throws is a failure of its node. */
  protected async readEach(nodes: readonly DeviceNode[], read: (node: DeviceNode) => Promise<ReadResult>): Promise<ReadResult> {
    const results = await Promise.all(nodes.map((node) => read(node).catch((error: unknown) => ({ readings: [], failures: [failureOf([node.id], error)] }))));
    return mergeResults(results);
  }

  protected refusedBy(device: string): ReadonlySet<string> | undefined {
    return this.#refused.get(device);
  }

  protected remember(device: string, nodeId: string, refused: readonly string[]): void {
    if (refused.length === 0) return;
    const known = this.#refused.get(device) ?? new Set<string>();
    for (const part of refused) known.add(part);
    this.#refused.set(device, known);
    this.logger.debug({ node: nodeId, refused }, `${this.cloud}: the device lacks these; not asked again`);
  }

  /** A list answer's entries: devices whose entry did not parse this time are kept as they were, not removed. */
  protected listed<T>(answer: ListAnswer<T>, previous: readonly T[], idOf: (entry: T) => string, what: string): T[] {
    const { entries, kept } = keepSkipped(answer, previous, idOf);
    if (kept > 0) this.logger.warn({ skipped: answer.skipped, kept }, `${this.cloud}: ${answer.skipped} ${what} entries did not parse; ${kept} device(s) kept as they were`);
    return entries;
  }
}
