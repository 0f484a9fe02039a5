/**
 * What the bridge needs from a cloud, whatever the cloud. One
 * implementation per cloud (kasa-source.ts, tapo-source.ts) turns client
 * answers into nodes through the pure mappings in each cloud folder (devices.ts).
 */
import type { CloudError } from '../clouds/common/errors.js';
import type { CloudQueue } from '../commands/queue.js';
import type { CloudName, Desired, DeviceNode, NodeIdentity } from '../model/node.js';
import type { NodeReading } from '../model/reading.js';
import type { ExtraRead } from '../model/feature.js';
import type { Logger } from '../logger.js';

/** A cloud's login status, as its client's session reports it (one definition, in clouds/common/session.ts). */
export type { ClientStatus as CloudStatus } from '../clouds/common/session.js';
import type { ClientStatus as CloudStatus } from '../clouds/common/session.js';

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

/** The plumbing both sources share: status from the client, queue for reads, closing. */
export abstract class ClientSource<Client extends StatusClient> {
  constructor(
    protected readonly client: Client,
    protected readonly queue: CloudQueue,
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
}

export function mergeResults(results: ReadResult[]): ReadResult {
  return {
    readings: results.flatMap((result) => result.readings),
    failures: results.flatMap((result) => result.failures),
  };
}
