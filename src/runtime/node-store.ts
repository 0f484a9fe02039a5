/**
 * The bridge's view of every node: what each cloud last listed, the state
 * last read, and whether it is reachable. Sources write here; the
 * publisher reads from here. Nothing here talks to a cloud or a broker.
 */
import type { CloudName, DeviceNode, NodeState } from '../model/node.js';

/** Consecutive failed reads after which a node is shown unavailable. */
export const FAILURES_BEFORE_OFFLINE = 3;

export interface ListChange {
  added: DeviceNode[];
  removed: DeviceNode[];
}

export class NodeStore {
  readonly #nodes = new Map<string, DeviceNode>();
  readonly #failures = new Map<string, number>();

  all(): DeviceNode[] {
    return [...this.#nodes.values()];
  }

  get size(): number {
    return this.#nodes.size;
  }

  get(id: string): DeviceNode | undefined {
    return this.#nodes.get(id);
  }

  ofCloud(cloud: CloudName): DeviceNode[] {
    return this.all().filter((node) => node.cloud === cloud);
  }

  childrenOf(parentId: string): DeviceNode[] {
    return this.all().filter((node) => node.parentId === parentId);
  }

  /**
   * Makes `nodes` the complete set of one cloud (after a list read).
   * Known nodes keep the state they had; readings in `nodes` win.
   */
  replaceCloud(cloud: CloudName, nodes: DeviceNode[]): ListChange {
    const incoming = new Map(nodes.map((node) => [node.id, node]));
    const removed = this.ofCloud(cloud).filter((node) => !incoming.has(node.id));
    for (const node of removed) {
      this.#nodes.delete(node.id);
      this.#failures.delete(node.id);
    }
    const added = nodes.filter((node) => !this.#nodes.has(node.id));
    this.upsert(nodes);
    return { added, removed };
  }

  /**
   * Merges fresh readings. State keys merge so figures read at another
   * cadence (energy) survive a state poll that does not carry them.
   */
  upsert(nodes: DeviceNode[]): void {
    for (const node of nodes) {
      const known = this.#nodes.get(node.id);
      this.#nodes.set(node.id, known ? { ...node, state: { ...known.state, ...node.state } } : node);
      if (node.online) this.#failures.delete(node.id);
    }
  }

  /** Applies a state patch to one node (optimistic command state, energy reads). */
  patchState(id: string, patch: NodeState): DeviceNode | undefined {
    const node = this.#nodes.get(id);
    if (!node) return undefined;
    const updated = { ...node, state: { ...node.state, ...patch } };
    this.#nodes.set(id, updated);
    return updated;
  }

  /** Replaces a node's state wholesale (to restore the real state after a failed command). */
  restoreState(id: string, state: NodeState): void {
    const node = this.#nodes.get(id);
    if (node) this.#nodes.set(id, { ...node, state: { ...state } });
  }

  setOnline(id: string, online: boolean): void {
    const node = this.#nodes.get(id);
    if (node && node.online !== online) this.#nodes.set(id, { ...node, online });
    if (online) this.#failures.delete(id);
  }

  /** Every node of a cloud unavailable at once (its login is refused): the ids. */
  setCloudOffline(cloud: CloudName): string[] {
    const ids = this.ofCloud(cloud).map((node) => node.id);
    for (const id of ids) this.setOnline(id, false);
    return ids;
  }

  /** Counts a failed read; after repeated failures the node goes offline. */
  recordFailure(id: string): void {
    const count = (this.#failures.get(id) ?? 0) + 1;
    this.#failures.set(id, count);
    if (count >= FAILURES_BEFORE_OFFLINE) this.setOnline(id, false);
  }
}
