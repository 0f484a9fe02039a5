/**
 * Polling: device lists every poll.listIntervalS, state every
 * poll.intervalS, energy every poll.energyIntervalS, settings every
 * poll.settingsIntervalS. Each loop re-arms itself after its run finishes,
 * so a slow cloud never stacks cycles. Firmware is checked per device every
 * firmware.checkIntervalH, each device at its own jittered time (the first
 * check spread over the first hour), never with a poll: TP-Link throttled
 * its cloud in 2024 when clients asked for firmware at every poll.
 */
import { isCloudError } from '../clouds/common/errors.js';
import type { AppConfig } from '../config/load.js';
import type { SlowCadence } from '../model/feature.js';
import type { CloudName, DeviceNode } from '../model/node.js';
import type { Logger } from '../logger.js';
import type { NodeStore } from './node-store.js';
import type { CloudSource, ReadResult } from '../clouds/common/source.js';
import { InstallFollower } from './installs.js';

export interface PollListener {
  /** Nodes were added to or removed from a cloud's list. */
  listChanged(cloud: CloudName, added: DeviceNode[], removed: DeviceNode[]): Promise<void>;
  /** Fresh readings are in the store: publish what changed. */
  statesUpdated(nodeIds: string[]): Promise<void>;
  /** A full state cycle finished. */
  cycleFinished(durationS: number): Promise<void>;
}

type Loop = 'list' | 'state' | 'energy' | 'settings' | 'firmware';

/** How often the firmware loop looks for devices due a check. */
const FIRMWARE_TICK_S = 60;
/** The first checks after start are spread over this (or the interval, if shorter). */
const FIRMWARE_FIRST_SPREAD_S = 3600;
/** Each later check comes after the interval, give or take this share of it. */
const FIRMWARE_JITTER = 0.1;
/** A device is checked on request at most this often: a script asking in a loop must not get the account throttled. */
export const FIRMWARE_CHECK_SPACING_S = 600;

export interface ReadOptions {
  /** Energy figures too, so power follows a switched relay at once. */
  energy?: boolean;
  /** Settings too (interview, `get`, after a write of a setting). */
  settings?: boolean;
  /** A firmware check too (interview on request, firmware_check). */
  firmware?: boolean;
  /** The progress of a firmware install under way. */
  install?: boolean;
}

export class Poller {
  readonly #timers = new Map<Loop, NodeJS.Timeout>();
  readonly #listed = new Set<CloudName>();
  /** When each node's next firmware check is due (ms since epoch). */
  readonly #firmwareDue = new Map<string, number>();
  readonly #installs: InstallFollower;
  /** When each node's firmware was last checked (ms since epoch). */
  readonly #firmwareChecked = new Map<string, number>();
  #stopped = false;
  lastPollDurationS: number | undefined;
  lastPollAt: Date | undefined;

  constructor(
    private readonly sources: CloudSource[],
    private readonly store: NodeStore,
    private readonly listener: PollListener,
    private readonly config: AppConfig['poll'],
    private readonly logger: Logger,
    private readonly firmware: AppConfig['firmware'] = { checkIntervalH: 12, allowInstall: true, progressIntervalS: 5 },
  ) {
    const reads = { progress: (id: string) => this.readNodes([id], { install: true }), check: (id: string) => this.readNodes([id], { firmware: true }) };
    this.#installs = new InstallFollower(reads, store, firmware.progressIntervalS * 1000, logger);
  }

  /** First full read (settings included), then the loops. */
  async start(): Promise<void> {
    await this.refreshAll();
    await this.readSettings();
    this.#arm('list', this.config.listIntervalS, () => this.readLists());
    this.#arm('state', this.config.intervalS, () => this.readStates());
    this.#arm('energy', this.config.energyIntervalS, () => this.readEnergy());
    this.#arm('settings', this.config.settingsIntervalS, () => this.readSettings());
    this.#arm('firmware', Math.min(FIRMWARE_TICK_S, this.#firmwareIntervalMs() / 1000), () => this.readFirmwareDue());
  }

  stop(): void {
    this.#stopped = true;
    this.#installs.stop();
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

  async readSettings(): Promise<void> {
    await Promise.all(this.sources.map((source) => this.#read(source, 'settings')));
  }

  /** Checks the firmware of the nodes whose jittered time has come. */
  async readFirmwareDue(now = Date.now()): Promise<void> {
    const intervalMs = this.#firmwareIntervalMs();
    const spreadMs = Math.min(intervalMs, FIRMWARE_FIRST_SPREAD_S * 1000);
    await Promise.all(
      this.sources.map(async (source) => {
        if (!this.#listed.has(source.cloud)) return;
        const due = this.store.ofCloud(source.cloud).filter((node) => {
          let at = this.#firmwareDue.get(node.id);
          if (at === undefined) {
            at = now + Math.random() * spreadMs;
            this.#firmwareDue.set(node.id, at);
          }
          return at <= now;
        });
        if (due.length === 0) return;
        this.#scheduleFirmware(due.map((node) => node.id), now);
        await this.#read(source, 'firmware', due);
      }),
    );
  }

  /**
   * A firmware check of `ids` now (bridge/request/device/firmware_check),
   * less those checked within FIRMWARE_CHECK_SPACING_S; the next one an
   * interval later. Returns the ids it checked.
   */
  async checkFirmware(ids: string[]): Promise<string[]> {
    const now = Date.now();
    const due = ids.filter((id) => now - (this.#firmwareChecked.get(id) ?? -Infinity) >= FIRMWARE_CHECK_SPACING_S * 1000);
    if (due.length === 0) return [];
    this.#scheduleFirmware(due, now);
    await this.readNodes(due, { firmware: true });
    return due;
  }

  #scheduleFirmware(ids: string[], now: number): void {
    const intervalMs = this.#firmwareIntervalMs();
    for (const id of ids) {
      this.#firmwareChecked.set(id, now);
      this.#firmwareDue.set(id, now + intervalMs * (1 - FIRMWARE_JITTER + 2 * FIRMWARE_JITTER * Math.random()));
    }
  }

  #firmwareIntervalMs(): number {
    return this.firmware.checkIntervalH * 3600 * 1000;
  }

  /**
   * A fresh read of the nodes covering `ids` (bridge get, command
   * confirmation, interview), with the other cadences `options` asks for.
   */
  async readNodes(ids: string[], options: ReadOptions = {}): Promise<void> {
    const wanted = new Set(ids);
    for (const source of this.sources) {
      const nodes = this.store.ofCloud(source.cloud).filter((node) => wanted.has(node.id) || (node.parentId && wanted.has(node.parentId)));
      if (nodes.length === 0) continue;
      const parents = nodes.flatMap((node) => (node.parentId ? [this.store.get(node.parentId) ?? node] : [node]));
      const all = unique([...parents, ...nodes]);
      await this.#apply(source, await source.readState(all));
      // Later reads see the features the state read just found.
      const fresh = () => all.map((node) => this.store.get(node.id) ?? node);
      if (options.energy) await this.#apply(source, await source.readEnergy(fresh()));
      if (options.settings) await this.#apply(source, await source.readCadence('settings', fresh()));
      if (options.firmware) await this.#apply(source, await source.readCadence('firmware', fresh()));
      if (options.install) await this.#apply(source, await source.readCadence('install', fresh()));
    }
  }

  /** Follows the firmware install the bridge just asked `id` for, until it ends. */
  followInstall(id: string): void {
    this.#installs.follow(id);
  }

  /** Nodes whose firmware install is being followed. */
  get installing(): string[] {
    return this.#installs.following;
  }

  /** Forgets what `id` can do and reads it again: its features are fixed anew. */
  async interview(id: string): Promise<void> {
    this.store.requestInterview(id);
    await this.readNodes([id], { energy: true, settings: true });
  }

  async #read(source: CloudSource, what: 'state' | 'energy' | SlowCadence, only?: DeviceNode[]): Promise<void> {
    if (!this.#listed.has(source.cloud)) return;
    const nodes = only ?? this.store.ofCloud(source.cloud);
    try {
      const result =
        what === 'state' ? await source.readState(nodes) : what === 'energy' ? await source.readEnergy(nodes) : await source.readCadence(what, nodes);
      await this.#apply(source, result);
    } catch (error) {
      this.#logFailure(source.cloud, what, error);
    }
  }

  async #apply(source: CloudSource, result: ReadResult): Promise<void> {
    const { changed, added } = this.store.applyReadings(result.readings);
    this.#installs.noticed(result.readings);
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
