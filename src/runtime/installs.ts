/**
 * Firmware installs under way. Each is followed by a progress read every
 * firmware.progressIntervalS (the node's state, so it shows available
 * again once its reboot is over, and its modules' `install` read: Tapo
 * `get_fw_download_state`) until it ends, then its firmware is checked once
 * more (the latest version, now the installed one). Followed from the
 * bridge's own install command, and from any read that shows one under way
 * (started in the Tapo app, or by the device's auto-update).
 */
import { isUpdateValue, type UpdateValue } from '../model/feature.js';
import type { NodeReading } from '../model/reading.js';
import type { Logger } from '../logger.js';
import type { NodeStore } from './node-store.js';

export interface InstallReads {
  /** A state read and the `install` read of the node. */
  progress(id: string): Promise<void>;
  /** A firmware check of the node. */
  check(id: string): Promise<void>;
}

/** An install our command asked for that shows no progress this long did not start. */
const START_GRACE_MS = 60_000;
/** Given up on after this (python-kasa waits 5 minutes; a download over a slow link takes longer). */
const TIMEOUT_MS = 15 * 60_000;

export class InstallFollower {
  readonly #following = new Set<string>();
  /** Installs given up on: not followed again until a read shows them over. */
  readonly #gaveUp = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;

  constructor(
    private readonly reads: InstallReads,
    private readonly store: NodeStore,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** Nodes being followed now. */
  get following(): string[] {
    return [...this.#following];
  }

  /** Readings just applied: each node they show installing is followed. */
  noticed(readings: readonly NodeReading[]): void {
    for (const reading of readings) {
      const firmware = Object.values(reading.values).find(isUpdateValue);
      if (!firmware) continue;
      if (!firmware.in_progress) this.#gaveUp.delete(reading.id);
      else if (!this.#gaveUp.has(reading.id)) this.follow(reading.id, true);
    }
  }

  /** Follows `id`'s install (once at a time); `showing`: a read already shows it under way. */
  follow(id: string, showing = false): void {
    if (this.#stopped || this.#following.has(id)) return;
    this.#following.add(id);
    this.#run(id, showing)
      .catch((error: unknown) => this.logger.warn({ err: error, node: id }, 'following a firmware install failed'))
      .finally(() => this.#following.delete(id));
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  async #run(id: string, showing: boolean): Promise<void> {
    const begun = Date.now();
    const before = this.#firmware(id)?.installed_version;
    let seen = showing;
    this.logger.info({ node: id, from: before }, 'firmware install under way: following its progress');
    for (;;) {
      await this.#sleep();
      if (this.#stopped) return;
      await this.reads.progress(id);
      const firmware = this.#firmware(id);
      if (!firmware) return;
      const elapsed = Date.now() - begun;
      if (firmware.in_progress) seen = true;
      else if (seen || firmware.installed_version !== before || elapsed >= START_GRACE_MS) break;
      if (elapsed >= TIMEOUT_MS) {
        this.#gaveUp.add(id);
        this.logger.warn({ node: id }, `firmware install still under way after ${TIMEOUT_MS / 60_000} minutes: no longer followed`);
        break;
      }
    }
    if (this.#stopped) return;
    await this.reads.check(id);
    const after = this.#firmware(id);
    this.logger.info({ node: id, from: before, to: after?.installed_version, latest: after?.latest_version }, 'firmware install over');
  }

  #firmware(id: string): UpdateValue | undefined {
    return Object.values(this.store.get(id)?.state ?? {}).find(isUpdateValue);
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, this.intervalMs);
      timer.unref();
      this.#timers.add(timer);
    });
  }
}
