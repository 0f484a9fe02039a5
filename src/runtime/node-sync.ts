/**
 * Keeps MQTT in step with the node store after each poll: topic names,
 * discovery, removals, renames, state, and the bridge/devices list.
 */
import type { CloudName, DeviceNode } from '../model/node.js';
import { nodeSummary } from './api.js';
import type { TopicNameRegistry } from '../mqtt/topics.js';
import type { NodeStore } from './node-store.js';
import type { PollListener } from './poller.js';
import type { Publisher } from './publisher.js';

export class NodeSync implements PollListener {
  constructor(
    private readonly store: NodeStore,
    private readonly names: TopicNameRegistry,
    private readonly publisher: Publisher,
    /** device_added/removed are news only after the first full read. */
    private readonly announce: () => boolean,
    private readonly onCycle: () => Promise<void>,
  ) {}

  async listChanged(cloud: CloudName, added: DeviceNode[], removed: DeviceNode[]): Promise<void> {
    const before = new Map(this.store.all().map((node) => [node.id, this.names.nameOf(node.id)]));
    for (const node of removed) before.set(node.id, this.names.nameOf(node.id));
    this.names.assign(this.store.all());
    for (const node of removed) {
      await this.publisher.removeNode(node, before.get(node.id) ?? node.id);
      if (this.announce()) await this.publisher.event('device_removed', { id: node.id, name: node.name, cloud });
    }
    await this.#clearRenamed(before);
    await this.publisher.publishDiscovery(this.store.all());
    await Promise.all(this.store.all().map((node) => this.publisher.publishNode(node)));
    for (const node of this.announce() ? added : []) {
      await this.publisher.event('device_added', { id: node.id, name: node.name, model: node.model, cloud });
    }
    await this.publishDevices();
  }

  async statesUpdated(ids: string[]): Promise<void> {
    const nodes = ids.map((id) => this.store.get(id)).filter((node): node is DeviceNode => node !== undefined);
    await this.publisher.refreshDiscovery(nodes, () => this.store.all());
    await Promise.all(nodes.map((node) => this.publisher.publishNode(node)));
  }

  async cycleFinished(): Promise<void> {
    await this.onCycle();
  }

  async publishDevices(): Promise<void> {
    await this.publisher.bridge(
      'devices',
      this.store.all().map((node) => ({ ...nodeSummary(node), topic: this.names.nameOf(node.id) ?? node.id })),
    );
  }

  /** A node whose topic name changed (rename, new collision) leaves no stale retained topics. */
  async #clearRenamed(before: Map<string, string | undefined>): Promise<void> {
    for (const [id, oldName] of before) {
      const newName = this.names.nameOf(id);
      if (oldName && newName && oldName !== newName) await this.publisher.clearTopics(id, oldName);
    }
  }
}
