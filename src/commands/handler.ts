/**
 * MQTT -> command -> cloud. A `set` is parsed and checked against the
 * node's features (invalid ones never reach the cloud), published
 * optimistically, queued (rate-limited, coalesced per node), carried out,
 * then confirmed by a state and energy read shortly after. The store keeps
 * reads sent before the command from bringing the old state back; a
 * failure restores the last state read and says why on the event topic.
 */
import { isCloudError } from '../clouds/common/errors.js';
import { clip } from '../mqtt/echo.js';
import { parseSetPayload } from './parse.js';
import type { CloudQueue } from './queue.js';
import { optimisticState, resolveToggle } from './translate.js';
import type { CommandOutcome, ResolvedDesired } from './types.js';
import type { CloudName, DeviceNode, NodeState } from '../model/node.js';
import type { Logger } from '../logger.js';
import type { NodeStore } from '../runtime/node-store.js';
import type { Poller } from '../runtime/poller.js';
import type { Publisher } from '../runtime/publisher.js';
import type { CloudSource } from '../runtime/sources.js';


export interface CommandDeps {
  store: NodeStore;
  publisher: Publisher;
  poller: Poller;
  sources: Map<CloudName, CloudSource>;
  queues: Map<CloudName, CloudQueue>;
  resolve: (segment: string) => string | undefined;
  confirmDelayMs: number;
  logger: Logger;
}

export class CommandHandler {
  readonly #confirmTimers = new Map<string, { timer: NodeJS.Timeout; settings: boolean }>();
  #inFlight = 0;

  constructor(private readonly deps: CommandDeps) {}

  get inFlight(): number {
    return this.#inFlight;
  }

  async set(target: string, attribute: string | undefined, payload: Buffer): Promise<void> {
    const node = this.#node(target);
    if (!node) return this.reject(target, `unknown device "${clip(target)}"`, payload);
    if (!node.features) return this.reject(target, 'not read yet: its features are not known; try again after its first read', payload);
    const parsed = parseSetPayload(payload, attribute, node);
    if (!parsed.ok) return this.reject(target, parsed.reason, payload);
    const desired = resolveToggle(parsed.desired, node.state);
    if (Object.keys(desired).length === 0) return;
    await this.#run(node, desired);
  }

  async get(target: string): Promise<void> {
    const node = this.#node(target);
    if (!node) return this.reject(target, `unknown device "${clip(target)}"`, Buffer.alloc(0));
    await this.deps.poller.readNodes([node.id], { settings: true });
    const fresh = this.deps.store.get(node.id);
    if (fresh) await this.deps.publisher.publishNode(fresh, true);
  }

  async reject(target: string, reason: string, payload: Buffer): Promise<void> {
    this.deps.logger.warn({ target: clip(target), reason }, 'command rejected');
    await this.deps.publisher.event('command_rejected', {
      target: clip(target),
      reason,
      payload: clip(payload.toString('utf8')),
    });
  }

  async #run(node: DeviceNode, desired: ResolvedDesired): Promise<void> {
    const { store, publisher, sources, queues } = this.deps;
    const source = sources.get(node.cloud);
    const queue = queues.get(node.cloud);
    if (!source || !queue) return this.reject(node.id, `the ${node.cloud} cloud is not enabled`, Buffer.alloc(0));

    // A strip parent switches its outlets: they show it at once too.
    const outlets = node.kind === 'strip' ? store.childrenOf(node.id) : [];
    const patches: Array<[string, NodeState]> = [[node.id, optimisticState(node, desired)]];
    if (desired.state !== undefined) for (const outlet of outlets) patches.push([outlet.id, optimisticState(outlet, { state: desired.state })]);
    // Not awaited before queueing: the cloud request need not wait for the broker's PUBACK.
    const published = Promise.all(patches.map(([id, patch]) => this.#publish(store.beginCommand(id, patch))));

    this.#inFlight += 1;
    let outcome: CommandOutcome;
    try {
      const execute = (merged: ResolvedDesired) => source.execute([store.get(node.id) ?? node], merged, store.childrenOf(node.id));
      const nodesOf = (keys: string[]) => keys.map((key) => store.get(key)).filter((n): n is DeviceNode => n !== undefined);
      const batch =
        source.batchesOutlets && node.parentId
          ? { group: node.parentId, executeMany: (keys: string[], merged: ResolvedDesired) => source.execute(nodesOf(keys), merged) }
          : {};
      outcome = await queue.command(node.id, desired, execute, batch);
    } finally {
      this.#inFlight -= 1;
    }
    await published;
    const ok = outcome.status === 'done';
    await Promise.all(patches.map(([id, patch]) => this.#publish(store.settleCommand(id, Object.keys(patch), ok))));
    // Settings are read at a slow pace: one we changed is read back with the confirmation.
    const settings = Object.keys(desired).some((key) => node.features?.[key]?.cadence === 'settings');
    if (ok) {
      this.#scheduleConfirm(node.id, settings);
      return;
    }
    const reason = outcome.status === 'failed' ? describe(outcome.error) : 'expired: not carried out within commands.ttlS';
    this.deps.logger.warn({ node: node.id, reason }, 'command failed');
    await publisher.event('command_failed', {
      device: publisher.nameOf(node),
      id: node.id,
      desired,
      reason,
    });
    this.#scheduleConfirm(node.id, settings);
  }

  async #publish(node: DeviceNode | undefined): Promise<void> {
    if (node) await this.deps.publisher.publishNode(node);
  }

  /** One state and energy read (and settings, when one changed) per node shortly after its last command settles. */
  #scheduleConfirm(nodeId: string, settings: boolean): void {
    const previous = this.#confirmTimers.get(nodeId);
    if (previous) clearTimeout(previous.timer);
    const withSettings = settings || (previous?.settings ?? false);
    const timer = setTimeout(() => {
      this.#confirmTimers.delete(nodeId);
      this.deps.poller.readNodes([nodeId], { energy: true, settings: withSettings }).catch((error: unknown) => {
        this.deps.logger.debug({ err: error, node: nodeId }, 'confirmation read failed');
      });
    }, this.deps.confirmDelayMs);
    timer.unref();
    this.#confirmTimers.set(nodeId, { timer, settings: withSettings });
  }

  /** Resolves once every command has settled and said so (or after timeoutMs). */
  async idle(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.#inFlight > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  stop(): void {
    for (const { timer } of this.#confirmTimers.values()) clearTimeout(timer);
    this.#confirmTimers.clear();
  }

  #node(target: string): DeviceNode | undefined {
    const id = this.deps.resolve(target);
    return id === undefined ? undefined : this.deps.store.get(id);
  }
}

function describe(error: unknown): string {
  if (isCloudError(error)) return `${error.kind}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
