/**
 * `tplink-cloud-mqtt devices`: every node of the configured clouds, read
 * through the bridge's own pipeline (each cloud's source and mapping, the
 * poller's list and state reads, the node store) and named the way the
 * bridge names their topics, `devices` overrides of the config included.
 * The ids shown are the ones those overrides take.
 */
import type { SlowCadence } from '../model/feature.js';
import type { AppConfig } from '../config/load.js';
import type { TokenStore } from '../clouds/common/token-store.js';
import type { CloudError } from '../clouds/common/errors.js';
import type { Logger } from '../logger.js';
import type { CloudName, Desired, DeviceNode, NodeIdentity } from '../model/node.js';
import { nodeSummary, type NodeSummary } from '../runtime/api.js';
import { TopicNameRegistry } from '../mqtt/topics.js';
import { createCloudPipelines } from '../runtime/cloud-sources.js';
import { NodeStore } from '../runtime/node-store.js';
import { Poller, type PollListener } from '../runtime/poller.js';
import type { CloudSource, CloudStatus, ReadResult } from '../clouds/common/source.js';

/** One node as `bridge/devices` shows it, with its topic name. */
export interface DeviceRow extends NodeSummary {
  topic: string;
}

export interface DeviceListing {
  rows: DeviceRow[];
  /** Clouds whose device list could not be read, with why. */
  failed: Map<CloudName, unknown>;
}

/** Nothing to publish: the listing reads the store once the reads are done. */
const QUIET: PollListener = {
  listChanged: () => Promise.resolve(),
  statesUpdated: () => Promise.resolve(),
  cycleFinished: () => Promise.resolve(),
};

/** A source that notes a failed list read, so the command can say which cloud failed. */
class ListWatch implements CloudSource {
  constructor(
    private readonly inner: CloudSource,
    private readonly failed: Map<CloudName, unknown>,
  ) {}

  get cloud(): CloudName {
    return this.inner.cloud;
  }

  get batchesOutlets(): boolean {
    return this.inner.batchesOutlets;
  }

  async list(): Promise<NodeIdentity[]> {
    try {
      return await this.inner.list();
    } catch (error) {
      this.failed.set(this.inner.cloud, error);
      throw error;
    }
  }

  readState(nodes: DeviceNode[]): Promise<ReadResult> {
    return this.inner.readState(nodes);
  }

  readEnergy(nodes: DeviceNode[]): Promise<ReadResult> {
    return this.inner.readEnergy(nodes);
  }

  readCadence(cadence: SlowCadence, nodes: DeviceNode[]): Promise<ReadResult> {
    return this.inner.readCadence(cadence, nodes);
  }

  execute(nodes: DeviceNode[], desired: Desired, children?: DeviceNode[]): Promise<void> {
    return this.inner.execute(nodes, desired, children);
  }

  status(): CloudStatus {
    return this.inner.status();
  }

  onStatus(listener: (status: CloudStatus, error?: CloudError) => void): void {
    this.inner.onStatus(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export async function listDevices(config: AppConfig, tokens: TokenStore, logger: Logger): Promise<DeviceListing> {
  const failed = new Map<CloudName, unknown>();
  const sources = [...createCloudPipelines(config, tokens, logger).values()].map(({ source }) => new ListWatch(source, failed));
  const store = new NodeStore();
  const poller = new Poller(sources, store, QUIET, config.poll, logger);
  try {
    await poller.readLists();
    await poller.readStates();
  } finally {
    poller.stop();
    await Promise.all(sources.map((source) => source.close()));
  }
  const names = new TopicNameRegistry(config.devices);
  names.assign(store.all());
  const rows = store.all().map((node) => ({ ...nodeSummary(node), topic: names.nameOf(node.id) ?? node.id }));
  return { rows, failed };
}

/** A plain text table; outlets follow their device, indented. */
export function formatTable(rows: DeviceRow[]): string {
  const header = ['ID', 'TOPIC', 'NAME', 'MODEL', 'KIND', 'CLOUD', 'ONLINE'];
  const cells = (row: DeviceRow, indent: string) => [
    `${indent}${row.id}`,
    row.topic,
    `${indent}${row.name}`,
    row.model,
    row.kind,
    row.cloud,
    row.online ? 'yes' : 'no',
  ];
  const lines: string[][] = [header];
  for (const row of rows.filter((item) => item.parent === null || !rows.some((other) => other.id === item.parent))) {
    lines.push(cells(row, ''));
    for (const outlet of rows.filter((item) => item.parent === row.id)) lines.push(cells(outlet, '  '));
  }
  const widths = header.map((_, column) => Math.max(...lines.map((line) => (line[column] ?? '').length)));
  return `${lines.map((line) => line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}
