/**
 * Polling: device lists every poll.listIntervalS, state every
 * poll.intervalS, energy every poll.energyIntervalS. Each loop re-arms
 * itself after its run finishes, so a slow cloud never stacks cycles.
 */
import { isCloudError } from '../clouds/common/errors.js';
import type { AppConfig } from '../config/load.js';
import type { CloudName, DeviceNode } from '../model/node.js';
import type { Logger } from '../logger.js';
import type { NodeStore } from './node-store.js';
import type { CloudSource, ReadResult } from './sources.js';

export interface PollListener {
  /** Nodes were added to or removed from a cloud's list. */
  listChanged(cloud: CloudName, added: DeviceNode[], removed: DeviceNode[]): Promise<void>;
  /** Fresh readings are in the store: publish what changed. */
  statesUpdated(nodeIds: string[]): Promise<void>;
  /** A full state cycle finished. */
  cycleFinished(durationS: number): Promise<void>;
}

type Loop = 'list' | 'state' | 'energy';

export class Poller {
  readonly #timers = new Map<Loop, NodeJS.Timeout>();
  readonly #listed = new Set<CloudName>();
  #stopped = false;
  lastPollDurationS: number | undefined;
  lastPollAt: Date | undefined;

  constructor(
    private readonly sources: CloudSource[],
    private readonly store: NodeStore,
    private readonly listener: PollListener,
    private readonly config: AppConfig['poll'],
    private readonly logger: Logger,
  ) {}

  /** First full read, then the three loops. */
  async start(): Promise<void> {
    await this.refreshAll();
    this.#arm('list', this.config.listIntervalS, () => this.readLists());
    this.#arm('state', this.config.intervalS, () => this.readStates());
    this.#arm('energy', this.config.energyIntervalS, () => this.readEnergy());
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Lists, state and energy now (start-up, bridge/request/refresh). */
  async refreshAll(): Promise<void> {
    await this.readLists();
    await this.readStates();
    await this.readEnergy();
  }

  #arm(loop: Loop, intervalS: number, run: () => Promise<void>): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      run()
        .catch((error: unknown) => this.logger.error({ err: error, loop }, 'poll loop failed'))
        .finally(() => this.#arm(loop, intervalS, run));
    }, intervalS * 1000);
    timer.unref();
    this.#timers.set(loop, timer);
  }

  async readLists(): Promise<void> {
    await Promise.all(this.sources.map((source) => this.#readList(source)));
  }

  async #readList(source: CloudSource): Promise<void> {
    try {
      const identities = await source.list();
      // Known nodes keep their features and state: a list read only says who is there.
      const { added, removed, renamed, changed } = this.store.applyList(source.cloud, identities);
      this.#listed.add(source.cloud);
      if (added.length > 0 || removed.length > 0 || renamed) await this.listener.listChanged(source.cloud, added, removed);
      else if (changed.length > 0) await this.listener.statesUpdated(changed);
    } catch (error) {
      this.#logFailure(source.cloud, 'device list', error);
      if (isCloudError(error) && error.needsUser) this.#markCloudOffline(source.cloud);
    }
  }

  async readStates(): Promise<void> {
    const started = performance.now();
    await Promise.all(this.sources.map((source) => this.#read(source, 'state')));
    this.lastPollDurationS = Math.round(performance.now() - started) / 1000;
    this.lastPollAt = new Date();
    await this.listener.cycleFinished(this.lastPollDurationS);
  }

  async readEnergy(): Promise<void> {
    await Promise.all(this.sources.map((source) => this.#read(source, 'energy')));
  }

  /**
   * A fresh read of the nodes covering `ids` (bridge get, command
   * confirmation, interview); with `energy`, their energy figures too, so
   * power follows a switched relay at once.
   */
  async readNodes(ids: string[], options: { energy?: boolean } = {}): Promise<void> {
    const wanted = new Set(ids);
    for (const source of this.sources) {
      const nodes = this.store.ofCloud(source.cloud).filter((node) => wanted.has(node.id) || (node.parentId && wanted.has(node.parentId)));
      if (nodes.length === 0) continue;
      const parents = nodes.flatMap((node) => (node.parentId ? [this.store.get(node.parentId) ?? node] : [node]));
      const all = unique([...parents, ...nodes]);
      await this.#apply(source, await source.readState(all));
      if (options.energy) await this.#apply(source, await source.readEnergy(all.map((node) => this.store.get(node.id) ?? node)));
    }
  }

  /** Forgets what `id` can do and reads it again: its features are fixed anew. */
  async interview(id: string): Promise<void> {
    this.store.requestInterview(id);
    await this.readNodes([id], { energy: true });
  }

  async #read(source: CloudSource, what: 'state' | 'energy'): Promise<void> {
    if (!this.#listed.has(source.cloud)) return;
    const nodes = this.store.ofCloud(source.cloud);
    try {
      const result = what === 'state' ? await source.readState(nodes) : await source.readEnergy(nodes);
      await this.#apply(source, result);
    } catch (error) {
      this.#logFailure(source.cloud, what, error);
    }
  }

  async #apply(source: CloudSource, result: ReadResult): Promise<void> {
    const { changed, added } = this.store.applyReadings(result.readings);
    if (added.length > 0) await this.listener.listChanged(source.cloud, added, []);
    // One failed read counts once per node, even when a node is named both itself and as a
    // child of a failed parent (Tapo sub-things are read in the same batch as their strip).
    const counted = new Set<string>();
    for (const failure of result.failures) {
      // Reads cut short by our own stop (SIGTERM) are no failure of the device.
      if (this.#stopped) continue;
      // An auth problem will not pass by itself: show the devices unavailable at once.
      const offline = failure.offline || (isCloudError(failure.error) && failure.error.needsUser);
      for (const id of failure.nodeIds) {
        const related = [id, ...this.store.childrenOf(id).map((child) => child.id)];
        for (const nodeId of related) {
          if (counted.has(nodeId)) continue;
          counted.add(nodeId);
          if (offline) this.store.setOnline(nodeId, false);
          else this.store.recordFailure(nodeId);
          changed.push(nodeId);
        }
      }
      if (!failure.offline) this.#logFailure(source.cloud, `read of ${failure.nodeIds.length} node(s)`, failure.error);
    }
    if (changed.length > 0) await this.listener.statesUpdated(unique(changed));
  }

  #markCloudOffline(cloud: CloudName): void {
    void this.listener.statesUpdated(this.store.setCloudOffline(cloud));
  }

  #logFailure(cloud: CloudName, what: string, error: unknown): void {
    if (this.#stopped) return; // shutting down: the cancelled reads are expected
    const kind = isCloudError(error) ? error.kind : 'unexpected';
    const message = error instanceof Error ? error.message : String(error);
    this.logger.warn({ cloud, kind }, `${cloud}: ${what} failed: ${message}`);
  }
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
