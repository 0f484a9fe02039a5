/**
 * MQTT `set` messages on their way to the command handler, through the
 * journal: each is recorded before the broker gets its PUBACK, waits while
 * the device list is not loaded yet (a persistent session's backlog arrives
 * right after connecting: it was rejected as "unknown device"), runs when
 * the bridge is live, and is marked settled once its outcome is said.
 * While the bridge stops, commands are only recorded, for the next start.
 */
import type { Inbound } from '../mqtt/topics.js';
import type { DeliveryInfo } from '../mqtt/client.js';
import type { Logger } from '../logger.js';
import type { CommandHandler } from './handler.js';
import type { CommandJournal, JournalEntry } from './journal.js';

/** Commands that may wait for the device list; more during start-up are rejected at once. */
export const MAX_WAITING_COMMANDS = 10_000;
/** No command is longer (the longest, a full light state in JSON, is ~200 bytes): larger ones are rejected unrecorded. */
export const MAX_COMMAND_BYTES = 4_096;

type CommandInbound = Extract<Inbound, { type: 'set' } | { type: 'malformed_set' }>;

export class CommandIntake {
  #handler: CommandHandler | undefined;
  #live = false;
  #stopped = false;

  constructor(
    private readonly journal: CommandJournal,
    private readonly classify: (topic: string) => Inbound | undefined,
    private readonly logger: Logger,
  ) {}

  /** The handler exists once MQTT is connected; commands wait in the journal until goLive(). */
  attach(handler: CommandHandler): void {
    this.#handler = handler;
  }

  /**
   * A delivered command (set or malformed set topic). Synchronous up to the
   * journal write, so it is recorded before MQTT.js acknowledges the message.
   * A command that can go at once is handed to its queue in the same run, up
   * to its request being built, so its `started` line joins that write.
   */
  receive(topic: string, inbound: CommandInbound, payload: Buffer, delivery: DeliveryInfo | undefined): void {
    if (payload.length > MAX_COMMAND_BYTES) {
      // Not worth a journal line (a flood of 100 kB sets cost 40 MB/s): answered at once.
      void this.#handler?.reject(inbound.target, `payload of ${payload.length} bytes; no command is longer than ${MAX_COMMAND_BYTES}`, payload);
      return;
    }
    if (!this.#live && !this.#stopped && this.journal.openCount >= MAX_WAITING_COMMANDS) {
      this.logger.warn({ topic }, 'too many commands waiting for the device list: rejected');
      void this.#handler?.reject(inbound.target, 'too many commands arrived before the device list was read; send it again', payload);
      return;
    }
    // Accepted and, when it can go at once, started in one journal write.
    this.journal.holdWrites(() => {
      const entry = this.journal.accept(topic, payload, delivery ?? { dup: false });
      if (entry && this.#live && !this.#stopped) this.#run(entry, inbound);
    });
  }

  /** The device list is read: what waited (from the last run first) runs in the order it came, then new ones as they come. */
  goLive(): void {
    if (this.#live || this.#stopped) return;
    const waiting = this.journal.pending;
    if (waiting.length > 0) this.logger.info({ commands: waiting.length, replayed: waiting.filter((entry) => entry.replayed).length }, 'carrying out commands that waited');
    // All queued in one go, in order: the cloud queue keeps per-device order and merges as usual.
    for (const entry of waiting) {
      const inbound = this.classify(entry.topic);
      if (inbound?.type === 'set' || inbound?.type === 'malformed_set') this.#run(entry, inbound);
      else this.journal.settled(entry.id); // a topic that is no command under today's base topic
    }
    this.#live = true;
  }

  /** Bridge stopping: new commands are only recorded; what has not run stays in the journal. */
  stop(): void {
    this.#stopped = true;
  }

  close(): void {
    this.journal.close();
  }

  #run(entry: JournalEntry, inbound: CommandInbound): void {
    const handler = this.#handler;
    if (!handler) return;
    this.#outcome(handler, entry, inbound).then(
      (settled) => {
        if (settled) this.journal.settled(entry.id);
      },
      (error: unknown) => this.logger.error({ err: error, topic: entry.topic }, 'command handling failed'),
    );
  }

  async #outcome(handler: CommandHandler, entry: JournalEntry, inbound: CommandInbound): Promise<boolean> {
    if (inbound.type === 'malformed_set') {
      await handler.reject(inbound.target, inbound.reason, entry.payload);
      return true;
    }
    if (entry.started) {
      // Its request may have reached the cloud before the bridge died: never send it twice.
      await handler.interrupted(inbound.target, entry.payload);
      return true;
    }
    const ticket = { receivedAt: entry.receivedAt, onStart: () => this.journal.started([entry.id]) };
    return (await handler.set(inbound.target, inbound.attribute, entry.payload, ticket)) === 'settled';
  }
}
