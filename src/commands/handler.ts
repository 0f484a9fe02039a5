/**
 * MQTT -> command -> cloud. A `set` is parsed and checked against the
 * node's features (invalid ones never reach the cloud), published
 * optimistically, queued (rate-limited, coalesced per node), carried out,
 * then confirmed by a state and energy read shortly after. The store keeps
 * reads sent before the command from bringing the old state back; a
 * failure restores the last state read and says why on the event topic.
 */
import { setImmediate } from 'node:timers';
import { isCloudError } from '../clouds/common/errors.js';
import { ShutdownError, type CloudQueue } from './queue.js';
import { clip } from '../mqtt/echo.js';
import { parseSetPayload } from './parse.js';
import { optimisticState, resolveToggle } from './translate.js';
import type { CommandOutcome, DesiredState, ResolvedDesired } from './types.js';
import type { CloudName, DeviceNode, NodeState } from '../model/node.js';
import type { Logger } from '../logger.js';
import type { CloudSource } from '../clouds/common/source.js';


/**
 * What the command journal needs to know of one accepted `set`: when it
 * arrived (commands.ttlS counts from there, across restarts too) and a
 * callback for the moment its request is handed to the cloud.
 */
export interface CommandTicket {
  receivedAt: number;
  onStart: () => void;
}

/**
 * `settled`: carried out, or failed / expired / rejected and said so on the
 * event topic. `kept`: not carried out because the bridge is stopping, and
 * nothing said: the journal keeps it for the next start.
 */
export type CommandResult = 'settled' | 'kept';

/**
 * The nodes as the handler sees them (the runtime's NodeStore): who is
 * there, and the guard a command puts on the keys it sets so that reads sent
 * before it settled cannot bring the old values back.
 */
export interface CommandStore {
  get(id: string): DeviceNode | undefined;
  childrenOf(parentId: string): DeviceNode[];
  /** Shows `patch` at once and guards its keys; the node as it now is. */
  beginCommand(id: string, patch: NodeState): DeviceNode | undefined;
  /** Lifts the guard: done, reads sent before now lose; else the last values read come back. */
  settleCommand(id: string, keys: string[], ok: boolean): DeviceNode | undefined;
}

/** What the handler says over MQTT (the runtime's Publisher): a node's state and the command events. */
export interface CommandOutput {
  publishNode(node: DeviceNode, force?: boolean): Promise<void>;
  /** The node's topic name. */
  nameOf(node: DeviceNode): string;
  event(type: 'command_rejected', data: { target: string; reason: string; payload: string }): Promise<void>;
  event(type: 'command_failed', data: { device: string; id: string; desired: DesiredState; reason: string }): Promise<void>;
}

/** The reads the handler asks for (the runtime's Poller): a `get`, the confirmation after a command, a firmware install's progress. */
export interface CommandReads {
  readNodes(ids: string[], options: { energy?: boolean; settings?: boolean }): Promise<void>;
  /** Follows the firmware install the bridge just asked the node for, until it ends. */
  followInstall(id: string): void;
}

export interface CommandDeps {
  store: CommandStore;
  publisher: CommandOutput;
  poller: CommandReads;
  sources: Map<CloudName, CloudSource>;
  queues: Map<CloudName, CloudQueue>;
  resolve: (segment: string) => string | undefined;
  confirmDelayMs: number;
  /**
   * The runtime's bound on answers in progress: runs `work` or, when too many
   * are, counts it as `kind` (reported in an overloaded event) and returns false.
   */
  limit: (kind: string, work: () => Promise<void>) => Promise<boolean>;
  /** commands.ttlS in ms: a command older than this is reported expired, never carried out. */
  ttlMs: number;
  logger: Logger;
}

export class CommandHandler {
  readonly #confirmTimers = new Map<string, { timer: NodeJS.Timeout; settings: boolean }>();
  #inFlight = 0;
  readonly #pendingGets = new Map<string, Promise<void>>();
  /** Per node, the journal callbacks of commands whose request has not been sent yet. */
  readonly #pendingStarts = new Map<string, (() => void)[]>();

  constructor(private readonly deps: CommandDeps) {}

  get inFlight(): number {
    return this.#inFlight;
  }

  async set(target: string, attribute: string | undefined, payload: Buffer, ticket?: CommandTicket): Promise<CommandResult> {
    const node = this.#node(target);
    if (!node) return this.#rejected(target, `unknown device "${clip(target)}"`, payload);
    if (!node.features) return this.#rejected(target, 'not read yet: its features are not known; try again after its first read', payload);
    const parsed = parseSetPayload(payload, attribute, node);
    if (!parsed.ok) return this.#rejected(target, parsed.reason, payload);
    const ageMs = ticket ? Date.now() - ticket.receivedAt : 0;
    if (ageMs >= this.deps.ttlMs) {
      // Kept across a long outage: applying it now could switch something the user has long moved on from.
      await this.#failed(node, parsed.desired, `expired: received ${Math.round(ageMs / 1000)} s ago, longer than commands.ttlS; not carried out`);
      return 'settled';
    }
    const desired = resolveToggle(parsed.desired, node.state);
    if (Object.keys(desired).length === 0) return 'settled';
    return this.#run(node, desired, ticket);
  }

  /** A command kept from the last run whose request had been handed to the cloud: said, never sent twice. */
  async interrupted(target: string, payload: Buffer): Promise<void> {
    const node = this.#node(target);
    const reason = 'interrupted: the bridge stopped while this command was being sent; not sent again (the device state shows whether it arrived)';
    if (!node) return this.reject(target, reason, payload);
    await this.#failed(node, {}, reason);
  }

  async #rejected(target: string, reason: string, payload: Buffer): Promise<CommandResult> {
    await this.reject(target, reason, payload);
    return 'settled';
  }

  async get(target: string): Promise<void> {
    const node = this.#node(target);
    if (!node) return this.reject(target, `unknown device "${clip(target)}"`, Buffer.alloc(0));
    // A get while one for the node is pending joins it: a flood of gets costs one read per node, not a queue of them.
    const pending = this.#pendingGets.get(node.id);
    if (pending) return pending;
    const read = (async () => {
      try {
        await this.deps.poller.readNodes([node.id], { settings: true });
      } finally {
        this.#pendingGets.delete(node.id);
      }
      const fresh = this.deps.store.get(node.id);
      if (fresh) await this.deps.publisher.publishNode(fresh, true);
    })();
    this.#pendingGets.set(node.id, read);
    return read;
  }

  /**
   * Says why a message is no command. Each report waits on the broker, so a
   * flood of bad sets (5,000/s: 85-180 MB) shares the bound on gets and
   * bridge requests: past it, rejections are only counted (overloaded event).
   */
  async reject(target: string, reason: string, payload: Buffer): Promise<void> {
    await this.deps.limit('command_rejected', async () => {
      this.deps.logger.warn({ target: clip(target), reason }, 'command rejected');
      await this.deps.publisher.event('command_rejected', {
        target: clip(target),
        reason,
        payload: clip(payload.toString('utf8')),
      });
    });
  }

  async #run(node: DeviceNode, desired: ResolvedDesired, ticket: CommandTicket | undefined): Promise<CommandResult> {
    const { store, sources, queues } = this.deps;
    const source = sources.get(node.cloud);
    const queue = queues.get(node.cloud);
    if (!source || !queue) return this.#rejected(node.id, `the ${node.cloud} cloud is not enabled`, Buffer.alloc(0));
    if (ticket) this.#pendingStarts.set(node.id, [...(this.#pendingStarts.get(node.id) ?? []), ticket.onStart]);

    // A strip parent switches its outlets: they show it at once too.
    const outlets = node.kind === 'strip' ? store.childrenOf(node.id) : [];
    const patches: Array<[string, NodeState]> = [[node.id, optimisticState(node, desired)]];
    if (desired.state !== undefined) for (const outlet of outlets) patches.push([outlet.id, optimisticState(outlet, { state: desired.state })]);
    // Guarded now; shown right after the request is on its way (afterRequestWritten): the
    // command need not wait for serialising and publishing state, nor for the broker's PUBACK.
    const begun = patches.map(([id, patch]) => store.beginCommand(id, patch));
    const published = afterRequestWritten().then(() => Promise.all(begun.map((shown) => this.#publish(shown))));

    this.#inFlight += 1;
    let outcome: CommandOutcome;
    try {
      const execute = (merged: ResolvedDesired) => {
        this.#started([node.id]);
        return source.execute([store.get(node.id) ?? node], merged, store.childrenOf(node.id));
      };
      const nodesOf = (keys: string[]) => keys.map((key) => store.get(key)).filter((n): n is DeviceNode => n !== undefined);
      const batch =
        source.batchesOutlets && node.parentId
          ? {
              group: node.parentId,
              executeMany: (keys: string[], merged: ResolvedDesired) => {
                this.#started(keys);
                return source.execute(nodesOf(keys), merged);
              },
            }
          : {};
      outcome = await queue.command(node.id, desired, execute, { ...batch, ...(ticket ? { receivedAt: ticket.receivedAt } : {}) });
    } finally {
      this.#inFlight -= 1;
    }
    await published;
    const ok = outcome.status === 'done';
    // Done: reads sent before now lose to it. Otherwise the last state read comes back.
    await Promise.all(patches.map(([id, patch]) => this.#publish(store.settleCommand(id, Object.keys(patch), ok))));
    if (ok) {
      this.#scheduleConfirm(node.id, changesSettings(node, desired));
      if (installs(node, desired)) this.deps.poller.followInstall(node.id);
      return 'settled';
    }
    if (outcome.status === 'failed' && outcome.error instanceof ShutdownError) {
      // Not carried out because the bridge is stopping: the journal keeps it for the next start, nothing to say now.
      this.#pendingStarts.delete(node.id);
      return 'kept';
    }
    const reason = outcome.status === 'failed' ? describe(outcome.error) : 'expired: not carried out within commands.ttlS';
    // An install that timed out may have started all the same: never sent again, its progress tells.
    const unsure = installs(node, desired) && outcome.status === 'failed' && mayHaveArrived(outcome.error);
    await this.#failed(node, desired, unsure ? `${reason}; not sent again (an install must never start twice): its progress shows whether it started` : reason);
    if (unsure) this.deps.poller.followInstall(node.id);
    return 'settled';
  }

  /** The journal callbacks of these nodes' waiting commands: their request goes out now. */
  #started(nodeIds: readonly string[]): void {
    for (const id of nodeIds) {
      const callbacks = this.#pendingStarts.get(id);
      this.#pendingStarts.delete(id);
      for (const callback of callbacks ?? []) callback();
    }
  }

  async #publish(node: DeviceNode | undefined): Promise<void> {
    if (node) await this.deps.publisher.publishNode(node);
  }

  /** Says why on the event topic (the last state read is already back), and reads the node again soon. */
  async #failed(node: DeviceNode, desired: DesiredState, reason: string): Promise<void> {
    const { publisher } = this.deps;
    this.deps.logger.warn({ node: node.id, reason }, 'command failed');
    await publisher.event('command_failed', {
      device: publisher.nameOf(node),
      id: node.id,
      desired,
      reason,
    });
    this.#scheduleConfirm(node.id, changesSettings(node, desired));
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

/**
 * Once the request handed to the cloud this turn is written. undici writes a
 * request on a reused keep-alive socket from a setImmediate of its own (the
 * socket first gets a chance to show that the server closed it), queued by this
 * turn's microtasks: a setImmediate queued now runs before it, and the request
 * waited for the state to be serialised and published (and for the broker to
 * take it, in the same process), 0.08 ms of the bench's 0.47 ms overhead. An
 * immediate queued from an immediate runs in the next turn's check phase, after it.
 * node:timers' own, so a test's fake timers cannot hold it back.
 */
function afterRequestWritten(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** The command installs firmware (an update entity's `install`). */
function installs(node: DeviceNode, desired: DesiredState): boolean {
  return Object.keys(desired).some((key) => node.features?.[key]?.type.kind === 'update');
}

/** A failure that says nothing of whether the device got the request (a timeout, a reset, a 5xx). */
function mayHaveArrived(error: unknown): boolean {
  return !isCloudError(error) || error.kind === 'transient';
}

/** Settings are read at a slow pace: one a command changed is read back with its confirmation. */
function changesSettings(node: DeviceNode, desired: DesiredState): boolean {
  return Object.keys(desired).some((key) => node.features?.[key]?.cadence === 'settings');
}

function describe(error: unknown): string {
  if (isCloudError(error)) return `${error.kind}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
