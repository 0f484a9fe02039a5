/**
 * The command journal: every `set` the broker delivers is appended to
 * `<stateDir>/commands.jsonl` before the bridge acknowledges it, and marked
 * settled once its outcome is known and said (state published, or a
 * command_failed / command_rejected event). What is still open at start-up
 * (the bridge was stopped or killed, the broker restarted) is replayed once
 * the device list is loaded, so an accepted command is carried out or
 * reported, never silently dropped.
 *
 * Why a journal and not a held PUBACK: MQTT.js handles incoming packets one
 * at a time, so a PUBACK held until a command is carried out would stall
 * every later packet (pings and other commands included) behind a slow
 * cloud, and a broker's in-flight window (20 in mosquitto) would cap the
 * queue. Appending a line costs microseconds, and MQTT.js emits `message`
 * synchronously before it sends the PUBACK, so the write (writeSync) is in
 * the operating system before the broker hears the message was taken.
 * It survives the process dying (SIGKILL, a crash, OOM); not a power cut
 * in the same second (no fsync per message: that would cap the rate at the
 * disk's flush rate).
 *
 * Lines (JSON, one per record):
 *   {"a":7,"t":"tplink/lamp/set","p":"<base64>","at":1733100000000,"m":42}  accepted
 *   {"s":[7,8]}   started: the request was handed to the cloud
 *   {"d":7}       settled
 * A started entry found open at start-up is not sent again (the cloud may
 * have applied it: no duplicates); it is reported as interrupted.
 *
 * A command that can go at once is accepted and started in the same
 * synchronous run (intake.receive, up to its request being handed to the
 * cloud): holdWrites() writes both lines in one write instead of two.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../logger.js';

export const JOURNAL_FILE = 'commands.jsonl';
/** Settled records after which the file is rewritten with only the open entries. */
const COMPACT_AFTER = 5_000;
/** MQTT message ids of recent entries, to recognise a redelivery (dup flag) of one we already hold. */
const RECENT_KEYS = 2_000;

export interface JournalEntry {
  id: number;
  topic: string;
  payload: Buffer;
  /** When the broker delivered it (ms since epoch): commands.ttlS counts from here. */
  receivedAt: number;
  /** The request was handed to the cloud (outcome unknown if the process died then). */
  started: boolean;
  /** From a previous run of the bridge. */
  replayed: boolean;
  /** MQTT packet id it came with, to recognise a redelivery after a restart. */
  messageId?: number | undefined;
}

export interface Delivery {
  /** MQTT packet id (QoS 1). */
  messageId?: number | undefined;
  /** The broker says it may have sent this one before. */
  dup: boolean;
}

const acceptedSchema = z.object({ a: z.number(), t: z.string(), p: z.string(), at: z.number(), m: z.number().optional() });
const startedSchema = z.object({ s: z.array(z.number()) });
const settledSchema = z.object({ d: z.number() });

/** Keys up to this length are kept as they are; longer ones hashed (a hash per command cost more than the rest of the journal). */
const PLAIN_KEY_MAX = 160;

function deliveryKey(messageId: number | undefined, topic: string, payload: Buffer): string | undefined {
  if (messageId === undefined) return undefined;
  const plain = `${messageId}\u0000${topic}\u0000${payload.toString('latin1')}`;
  if (plain.length <= PLAIN_KEY_MAX) return plain;
  return createHash('sha256').update(`${messageId}\u0000${topic}\u0000`).update(payload).digest('base64');
}

function acceptedRecord(entry: JournalEntry): Record<string, unknown> {
  const record: Record<string, unknown> = { a: entry.id, t: entry.topic, p: entry.payload.toString('base64'), at: entry.receivedAt };
  if (entry.messageId !== undefined) record.m = entry.messageId;
  return record;
}

export class CommandJournal {
  readonly file: string;
  readonly #log: Logger;
  readonly #open = new Map<number, JournalEntry>();
  /** delivery key -> entry id, newest last. */
  readonly #recent = new Map<string, number>();
  #fd: number | undefined;
  /** Lines appended inside holdWrites(), not written yet. */
  #held: string[] | undefined;
  #nextId = 1;
  #settledSinceCompaction = 0;

  private constructor(dir: string, logger: Logger) {
    this.file = join(dir, JOURNAL_FILE);
    this.#log = logger;
  }

  /** Reads what a previous run left open, rewrites the file with only that, and opens it for appending. */
  static open(dir: string, logger: Logger): CommandJournal {
    const journal = new CommandJournal(dir, logger);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    journal.#load();
    journal.#compact();
    return journal;
  }

  /** Entries still open: from the previous run first, in the order they arrived. */
  get pending(): JournalEntry[] {
    return [...this.#open.values()];
  }

  get openCount(): number {
    return this.#open.size;
  }

  /**
   * Records a delivered command before it is acknowledged. A redelivery (dup)
   * of one already held returns undefined: it must not be carried out twice.
   */
  accept(topic: string, payload: Buffer, delivery: Delivery, now = Date.now()): JournalEntry | undefined {
    const key = deliveryKey(delivery.messageId, topic, payload);
    if (delivery.dup && key !== undefined) {
      const known = this.#recent.get(key);
      if (known !== undefined) {
        this.#log.debug({ topic, messageId: delivery.messageId }, 'redelivered command already held: ignored');
        return undefined;
      }
    }
    const entry: JournalEntry = { id: this.#nextId++, topic, payload, receivedAt: now, started: false, replayed: false, messageId: delivery.messageId };
    this.#open.set(entry.id, entry);
    if (key !== undefined) this.#remember(key, entry.id);
    this.#append(acceptedRecord(entry));
    return entry;
  }

  /**
   * Runs `work` with the lines it appends held back, then writes them in one
   * go, before returning (so before MQTT.js acknowledges the message). A
   * started() inside writes at once, held lines first: a request is never
   * sent before its entry is marked started in the file.
   */
  holdWrites<T>(work: () => T): T {
    if (this.#held) return work();
    this.#held = [];
    try {
      return work();
    } finally {
      this.#flushHeld();
      this.#held = undefined;
    }
  }

  /** The requests of these entries are about to be sent: on disk before they are. */
  started(ids: readonly number[]): void {
    const fresh = ids.filter((id) => {
      const entry = this.#open.get(id);
      if (!entry || entry.started) return false;
      entry.started = true;
      return true;
    });
    if (fresh.length === 0) return;
    this.#append({ s: fresh });
    this.#flushHeld();
  }

  /** Outcome known and said: the entry is done with. */
  settled(id: number): void {
    if (!this.#open.delete(id)) return;
    this.#append({ d: id });
    this.#settledSinceCompaction += 1;
    if (this.#settledSinceCompaction >= COMPACT_AFTER) this.#compact();
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  #remember(key: string, id: number): void {
    this.#recent.delete(key);
    this.#recent.set(key, id);
    if (this.#recent.size > RECENT_KEYS) {
      const oldest = this.#recent.keys().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
  }

  #append(record: Record<string, unknown>): void {
    const line = `${JSON.stringify(record)}\n`;
    if (this.#held) this.#held.push(line);
    else this.#write(line);
  }

  #flushHeld(): void {
    if (!this.#held || this.#held.length === 0) return;
    const lines = this.#held.join('');
    this.#held = [];
    this.#write(lines);
  }

  #write(text: string): void {
    if (this.#fd === undefined) return;
    try {
      writeSync(this.#fd, text);
    } catch (error) {
      // A full disk must not stop the bridge: the command still runs, it is only not kept across a restart.
      this.#log.error({ err: error instanceof Error ? error.message : String(error) }, 'cannot write the command journal; commands are not kept across a restart');
    }
  }

  #load(): void {
    if (!existsSync(this.file)) return;
    let bad = 0;
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        bad += 1; // a line cut short by a kill mid-write
        continue;
      }
      const accepted = acceptedSchema.safeParse(record);
      if (accepted.success) {
        const { a: id, t: topic, p, at, m } = accepted.data;
        const payload = Buffer.from(p, 'base64');
        this.#open.set(id, { id, topic, payload, receivedAt: at, started: false, replayed: true, messageId: m });
        const key = deliveryKey(m, topic, payload);
        if (key !== undefined) this.#remember(key, id);
        this.#nextId = Math.max(this.#nextId, id + 1);
        continue;
      }
      const started = startedSchema.safeParse(record);
      if (started.success) {
        for (const id of started.data.s) {
          const entry = this.#open.get(id);
          if (entry) entry.started = true;
        }
        continue;
      }
      const settled = settledSchema.safeParse(record);
      if (settled.success) this.#open.delete(settled.data.d);
      else bad += 1;
    }
    if (bad > 0) this.#log.warn({ file: this.file, lines: bad }, 'command journal: skipped damaged lines');
    if (this.#open.size > 0) this.#log.info({ commands: this.#open.size }, 'commands kept from the last run will be carried out or reported once the device list is read');
  }

  /** Rewrites the file with the open entries only (temp file + rename), then appends to it. */
  #compact(): void {
    // Held lines are of open entries, which the rewrite below contains.
    if (this.#held) this.#held = [];
    this.close();
    const lines: string[] = [];
    for (const entry of this.#open.values()) {
      lines.push(JSON.stringify(acceptedRecord(entry)));
      if (entry.started) lines.push(JSON.stringify({ s: [entry.id] }));
    }
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, lines.length > 0 ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
    renameSync(temp, this.file);
    this.#fd = openSync(this.file, 'a', 0o600);
    this.#settledSinceCompaction = 0;
  }
}
