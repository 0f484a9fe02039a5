/**
 * One queue per cloud, on p-queue. It carries both the state polls and the
 * user's commands, a few at a time; the rate limit itself counts HTTP
 * requests (clouds/common/rate-limit.ts), where a command's requests also
 * go first.
 *
 * Commands:
 * - run before queued polls (higher p-queue priority);
 * - coalesce: a command for a key (node id) that already has one WAITING
 *   merges into it (mergeDesired, newest wins) and both callers get the
 *   same outcome; nothing is sent twice;
 * - keep per-key order: a command arriving while that key's previous one
 *   is RUNNING waits for it (Tapo shadow versions need this), meanwhile
 *   absorbing later commands by the rule above. So N rapid commands for
 *   one node cost at most two requests: the running one and the merged one;
 * - expire: one still waiting ttlMs after its latest merge is not sent and
 *   settles `expired` (a merge refreshes the deadline: the newest intent
 *   must not be dropped early because an older one was waiting);
 * - never reject: execute errors settle `failed`;
 * - a merged desired that asks for nothing settles
 *   `done` without a request.
 *
 * Batching (Kasa strips): a command given `group` (the strip's node id)
 * and `executeMany`, with a plain `{state: 'ON'|'OFF'}` desired, waits
 * `batchWindowMs` before it is queued; when it is dispatched, every other
 * waiting command of the same group with the identical desired and an idle
 * key joins it, and `executeMany(keys, desired)` sends them in one request.
 */
import PQueue from 'p-queue';
import { asCommand } from '../clouds/common/rate-limit.js';
import type { Logger } from '../logger.js';
import { mergeDesired } from './translate.js';
import { isEmptyDesired, type CommandOutcome, type ResolvedDesired } from './types.js';

export interface CloudQueueOptions {
  /** Tasks (polls, commands) in flight at once (default 4). Per-key order holds whatever this is. */
  concurrency?: number;
  /** A command not started within this many ms settles `expired`. */
  ttlMs: number;
  logger: Logger;
  /** Clock for the TTL check at dispatch (tests). Default Date.now. */
  now?: () => number;
  /** How long a batchable command waits for siblings of its group (default 25 ms). */
  batchWindowMs?: number;
  /**
   * Least time between two requests started for one key (default 0). A
   * command arriving sooner waits, absorbing later ones, so a burst costs
   * one request at its start, one per interval, and one with the final value.
   */
  minIntervalMs?: number;
}

export interface CommandOptions {
  /** Commands sharing a group (the strip's node id) may be batched. */
  group?: string;
  /** Sends one request for several keys of the group; enables batching for this command. */
  executeMany?: (keys: string[], desired: ResolvedDesired) => Promise<void>;
  /**
   * When the command was received (ms, the queue's clock); its time to live
   * counts from here, so one kept across a restart does not get a fresh ttl.
   */
  receivedAt?: number;
}

const COMMAND_PRIORITY = 10;
const POLL_PRIORITY = 0;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_BATCH_WINDOW_MS = 25;

interface Entry {
  key: string;
  desired: ResolvedDesired;
  execute: (merged: ResolvedDesired) => Promise<void>;
  group: string | undefined;
  executeMany: CommandOptions['executeMany'];
  promise: Promise<CommandOutcome>;
  resolve: (outcome: CommandOutcome) => void;
  settled: boolean;
  /** Taken out of the waiting set: started, batched, expired or cancelled. */
  taken: boolean;
  deadline: number;
  ttlTimer: NodeJS.Timeout | undefined;
  windowTimer: NodeJS.Timeout | undefined;
  windowDone: boolean;
  /**
   * Its p-queue job: not queued (held, or started), queued, or queued but
   * taken meanwhile (batched, expired, cancelled), so it will do nothing.
   */
  job: 'none' | 'queued' | 'dead';
}

export class ShutdownError extends Error {
  override name = 'ShutdownError';
  constructor() {
    super('shutdown');
  }
}

/** `{state: 'ON'}` or `{state: 'OFF'}` and nothing else. */
function plainState(desired: ResolvedDesired): 'ON' | 'OFF' | undefined {
  const keys = Object.entries(desired).filter(([, value]) => value !== undefined);
  if (keys.length !== 1) return undefined;
  return desired.state === 'ON' || desired.state === 'OFF' ? desired.state : undefined;
}

export class CloudQueue {
  readonly #pq: PQueue;
  readonly #ttlMs: number;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #batchWindowMs: number;
  readonly #minIntervalMs: number;
  /** When the last request for a key started (only kept while it matters for minIntervalMs). */
  readonly #lastStart = new Map<string, number>();
  /** At most one waiting entry per key. */
  readonly #waiting = new Map<string, Entry>();
  readonly #running = new Map<string, Entry>();
  /**
   * Polls queued but not started: drain cancels these. No AbortSignal: p-queue's
   * support for one cost ~50 µs a task (on every command and poll); a cancelled
   * or taken job stays queued and does nothing when its turn comes.
   */
  readonly #queuedPolls = new Set<() => void>();
  /** Queued jobs that will do nothing (their command was taken, their poll cancelled). */
  #deadJobs = 0;
  #draining = false;

  constructor(options: CloudQueueOptions) {
    this.#pq = new PQueue({ concurrency: options.concurrency ?? DEFAULT_CONCURRENCY });
    this.#ttlMs = options.ttlMs;
    this.#log = options.logger;
    this.#now = options.now ?? Date.now;
    this.#batchWindowMs = options.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS;
    this.#minIntervalMs = options.minIntervalMs ?? 0;
  }

  /** Tasks not started yet: queued polls and waiting commands. */
  get size(): number {
    let notQueued = 0;
    for (const entry of this.#waiting.values()) if (entry.job === 'none') notQueued += 1;
    return this.#pq.size - this.#deadJobs + notQueued;
  }

  /** Tasks running now. */
  get pending(): number {
    return this.#pq.pending;
  }

  get isPaused(): boolean {
    return this.#pq.isPaused;
  }

  /** Stop starting tasks (e.g. the cloud is down); waiting commands still expire on time. */
  pause(): void {
    this.#pq.pause();
  }

  resume(): void {
    if (!this.#draining) this.#pq.start();
  }

  /** Low-priority work (state reads). Rejects with the task's error, or when the queue drains first. */
  async poll<T>(task: () => Promise<T>): Promise<T> {
    if (this.#draining) throw new ShutdownError();
    return new Promise<T>((resolve, reject) => {
      const cancel = (): void => {
        this.#deadJobs += 1;
        reject(new ShutdownError());
      };
      this.#queuedPolls.add(cancel);
      const job = async (): Promise<void> => {
        if (!this.#queuedPolls.delete(cancel)) {
          this.#deadJobs -= 1; // cancelled by drain while queued
          return;
        }
        // Started: drain lets it finish.
        try {
          resolve(await task());
        } catch (error) {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the task's own reason, passed on as it is
          reject(error);
        }
      };
      this.#pq.add(job, { priority: POLL_PRIORITY }).catch(reject);
    });
  }

  /** A user command for `key` (node id). Never rejects. */
  command(
    key: string,
    desired: ResolvedDesired,
    execute: (merged: ResolvedDesired) => Promise<void>,
    options: CommandOptions = {},
  ): Promise<CommandOutcome> {
    if (this.#draining) return Promise.resolve({ status: 'failed', error: new ShutdownError() });

    const waiting = this.#waiting.get(key);
    if (waiting) {
      // Coalesce: the newer command's intent and callbacks win.
      waiting.desired = mergeDesired(waiting.desired, desired);
      waiting.execute = execute;
      waiting.group = options.group;
      waiting.executeMany = options.executeMany;
      waiting.deadline = Math.max(waiting.deadline, (options.receivedAt ?? this.#now()) + this.#ttlMs);
      this.#armTtl(waiting);
      this.#log.debug({ key }, 'command coalesced into the waiting one');
      return waiting.promise;
    }

    let resolve: (outcome: CommandOutcome) => void = () => undefined;
    const promise = new Promise<CommandOutcome>((r) => (resolve = r));
    const entry: Entry = {
      key,
      desired: { ...desired },
      execute,
      group: options.group,
      executeMany: options.executeMany,
      promise,
      resolve,
      settled: false,
      taken: false,
      deadline: (options.receivedAt ?? this.#now()) + this.#ttlMs,
      ttlTimer: undefined,
      windowTimer: undefined,
      windowDone: false,
      job: 'none',
    };
    this.#waiting.set(key, entry);
    this.#schedule(entry);
    // Only one that waits needs its expiry timer: one that started at once (the usual case) spares a timer.
    if (!entry.taken) this.#armTtl(entry);
    return promise;
  }

  /**
   * Graceful shutdown: refuse new work, cancel queued polls (they reject
   * with ShutdownError), let waiting and running commands finish; after
   * timeoutMs, settle whatever is left `failed` with ShutdownError.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.#draining = true;
    for (const cancel of this.#queuedPolls) cancel();
    this.#queuedPolls.clear();
    this.#pq.start(); // a paused queue would never drain

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const finished = (async (): Promise<'done'> => {
      // Loop: a finished command can release a blocked one for its key.
      for (;;) {
        // Only unsettled ones: a settled entry can still sit in #running (a
        // stuck request after a timeout), and awaiting it would spin forever.
        const open = [...this.#waiting.values(), ...this.#running.values()]
          .filter((entry) => !entry.settled)
          .map((entry) => entry.promise);
        if (open.length === 0) break;
        await Promise.all(open);
      }
      await this.#pq.onIdle();
      return 'done';
    })();
    const result = await Promise.race([finished, timedOut]);
    clearTimeout(timer);

    if (result === 'timeout') {
      this.#log.warn({ waiting: this.#waiting.size, running: this.#running.size }, 'command queue drain timed out');
      for (const entry of [...this.#waiting.values(), ...this.#running.values()]) {
        this.#take(entry);
        this.#settle(entry, { status: 'failed', error: new ShutdownError() });
      }
      this.#waiting.clear();
    }
    this.#pq.clear();
    this.#deadJobs = 0;
  }

  #armTtl(entry: Entry): void {
    clearTimeout(entry.ttlTimer);
    entry.ttlTimer = setTimeout(() => {
      entry.ttlTimer = undefined;
      if (entry.taken) return;
      this.#take(entry);
      this.#log.warn({ key: entry.key }, 'command expired before it could be sent');
      this.#settle(entry, { status: 'expired' });
    }, Math.max(0, entry.deadline - this.#now()));
  }

  /**
   * Queue the entry's job, unless its key is busy (released later), it waits
   * for batch siblings, or its key's last request is too recent.
   */
  #schedule(entry: Entry): void {
    if (entry.taken || entry.job !== 'none' || this.#running.has(entry.key)) return;
    const holdMs = this.#holdMs(entry);
    if (holdMs > 0) {
      if (entry.windowTimer) return;
      entry.windowTimer = setTimeout(() => {
        entry.windowTimer = undefined;
        entry.windowDone = true;
        this.#schedule(entry);
      }, holdMs);
      return;
    }
    entry.job = 'queued';
    // #dispatch never rejects; the catch only keeps p-queue's promise from counting as unhandled.
    this.#pq.add(() => this.#start(entry), { priority: COMMAND_PRIORITY }).catch(() => undefined);
  }

  /** The entry's job got its turn: a no-op when the entry was taken meanwhile. */
  #start(entry: Entry): Promise<void> {
    if (entry.job === 'dead') {
      this.#deadJobs -= 1;
      return Promise.resolve();
    }
    entry.job = 'none'; // started: nothing left queued for it
    return this.#dispatch(entry);
  }

  #holdMs(entry: Entry): number {
    const window = this.#batchable(entry) && !entry.windowDone ? this.#batchWindowMs : 0;
    const last = this.#lastStart.get(entry.key);
    const gap = last === undefined ? 0 : last + this.#minIntervalMs - this.#now();
    if (last !== undefined && gap <= 0) this.#lastStart.delete(entry.key);
    return Math.max(window, gap, 0);
  }

  #batchable(entry: Entry): boolean {
    return entry.group !== undefined && entry.executeMany !== undefined && plainState(entry.desired) !== undefined;
  }

  /** Removes a waiting entry from every waiting structure (timers, queued job). */
  #take(entry: Entry): void {
    entry.taken = true;
    if (this.#waiting.get(entry.key) === entry) this.#waiting.delete(entry.key);
    clearTimeout(entry.ttlTimer);
    clearTimeout(entry.windowTimer);
    entry.ttlTimer = undefined;
    entry.windowTimer = undefined;
    if (entry.job === 'queued') {
      entry.job = 'dead';
      this.#deadJobs += 1;
    }
  }

  #settle(entry: Entry, outcome: CommandOutcome): void {
    if (entry.settled) return;
    entry.settled = true;
    entry.resolve(outcome);
  }

  async #dispatch(entry: Entry): Promise<void> {
    if (entry.taken) return;
    this.#take(entry);
    if (this.#now() >= entry.deadline) {
      this.#log.warn({ key: entry.key }, 'command expired before it could be sent');
      this.#settle(entry, { status: 'expired' });
      return;
    }
    if (isEmptyDesired(entry.desired)) {
      this.#settle(entry, { status: 'done' });
      return;
    }

    const batch = [entry, ...this.#siblings(entry)];
    for (const member of batch) {
      this.#take(member);
      this.#running.set(member.key, member);
      if (this.#minIntervalMs > 0) this.#lastStart.set(member.key, this.#now());
    }
    let outcome: CommandOutcome;
    try {
      if (batch.length > 1 && entry.executeMany) {
        this.#log.debug({ group: entry.group, keys: batch.map((m) => m.key) }, 'batched command');
        const { executeMany } = entry;
        await asCommand(() => executeMany(batch.map((member) => member.key), entry.desired));
      } else {
        await asCommand(() => entry.execute(entry.desired));
      }
      outcome = { status: 'done' };
    } catch (error) {
      outcome = { status: 'failed', error };
    }
    for (const member of batch) {
      this.#settle(member, outcome);
      if (this.#running.get(member.key) === member) this.#running.delete(member.key);
      // Per-key order: the command that waited behind this one may go now.
      const next = this.#waiting.get(member.key);
      if (next) this.#schedule(next);
    }
  }

  /** Waiting commands that can ride along with `entry` in one request. */
  #siblings(entry: Entry): Entry[] {
    if (!this.#batchable(entry)) return [];
    const state = plainState(entry.desired);
    const out: Entry[] = [];
    for (const other of this.#waiting.values()) {
      if (other === entry || other.group !== entry.group || this.#running.has(other.key)) continue;
      if (this.#now() >= other.deadline) continue; // let it expire on its own path
      if (plainState(other.desired) === state && other.executeMany !== undefined) out.push(other);
    }
    return out;
  }
}
