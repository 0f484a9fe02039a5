/**
 * The bridge's single MQTT connection (MQTT.js underneath).
 *
 * Why a wrapper: MQTT.js reconnects on a fixed period and only resubscribes
 * in some cases; the bridge needs exponential backoff, subscriptions that
 * survive a broker that lost our session, a process that never crashes on a
 * dropped broker, and a hard rule against publishing to wildcard topics.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient, type ISubscriptionGrant } from 'mqtt';
import type { Logger } from '../logger.js';
import './packet-numbers.js';

export interface MqttConnectionOptions {
  /** mqtt://, mqtts://, tcp://, tls://, ws://, wss:// */
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** File paths, read once at connect. */
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  keepaliveS: number;
  will: { topic: string; payload: string; retain: true; qos: 1 };
  logger: Logger;
  /**
   * The largest packet (bytes) the broker accepts, where known (the embedded
   * broker's embeddedBroker.maxPacketSize, or mqtt.maxPacketSize). A publish over it is refused
   * here: the broker would drop the connection and MQTT.js send the same
   * packet again on every reconnect, so nothing else would ever go out.
   */
  maxPacketSize?: number;
  /** Reconnect backoff: starts at minMs, doubles per failed attempt up to maxMs. Default 1 s .. 30 s. */
  reconnect?: { minMs: number; maxMs: number };
  /**
   * Receives every message, wired before the connection opens: a persistent
   * session's backlog arrives right after the CONNACK, and a listener added
   * after connect() resolved missed it (acknowledged, then dropped unheard).
   * Called synchronously before MQTT.js sends the PUBACK.
   */
  onMessage?: (...args: MqttConnectionEvents['message']) => void;
  /**
   * How long connect() keeps retrying before it rejects (broker not up yet,
   * e.g. docker compose start order). Default 30 s. A refused CONNACK for
   * bad credentials rejects at once: retrying cannot fix a wrong password.
   */
  startupTimeoutMs?: number;
}

export interface ConnectInfo {
  /** The broker still had our session (and so our subscriptions and queued messages). */
  sessionPresent: boolean;
  /** false for the first connection of this process. */
  reconnect: boolean;
}

export interface PublishOptions {
  retain?: boolean;
  qos?: 0 | 1;
}

/** How a message was delivered: its QoS 1 packet id, and whether the broker may have sent it before. */
export interface DeliveryInfo {
  messageId?: number | undefined;
  dup: boolean;
}

export interface MqttConnectionEvents {
  /**
   * `retained` is true for a retained message replayed at subscribe time:
   * the bridge should ignore retained commands (stale intent from the past).
   * Emitted synchronously before MQTT.js acknowledges a QoS 1 message, so
   * whatever a listener records synchronously is recorded before the PUBACK.
   */
  message: [topic: string, payload: Buffer, retained: boolean, delivery?: DeliveryInfo];
  connect: [info: ConnectInfo];
  offline: [];
  /** A reconnect attempt is scheduled in delayMs (for logs and tests). */
  reconnecting: [delayMs: number];
}

const DEFAULT_BACKOFF = { minMs: 1_000, maxMs: 30_000 };
/** A connection closed this soon after it came up, right after a message at least SUSPECT_BYTES long, looks like a size limit. */
const QUICK_DROP_MS = 5_000;
const SUSPECT_BYTES = 1_024;
const QUICK_DROPS_TO_EXPLAIN = 2;
/** How long a graceful close waits for the broker's acknowledgements. */
const END_GRACE_MS = 2_000;

/** Delay before reconnect attempt `attempt` (0-based): min * 2^attempt, capped. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number): number {
  const exp = Math.min(attempt, 30); // 2^30 is already far beyond any sane max
  return Math.min(maxMs, minMs * 2 ** exp);
}

/**
 * Delay before the next attempt. Before the first connection the doubling
 * back-off is cut short at the start-up deadline, so the last attempt is made
 * at the deadline: a broker that comes up at any moment within
 * mqtt.startupTimeoutS is reached (1, 2, 4, 8, 16 s would jump from 15 s to
 * 31 s past a 30 s deadline).
 */
export function retryDelay(attempt: number, backoff: { minMs: number; maxMs: number }, startupDeadline: number | undefined, now: number): number {
  const delay = backoffDelay(attempt, backoff.minMs, backoff.maxMs);
  // At least 1 ms: MQTT.js reads a reconnect period of 0 as "never reconnect".
  return startupDeadline === undefined ? delay : Math.max(1, Math.min(delay, startupDeadline - now));
}

const CONNECT_TIMEOUT_MS = 10_000;

/** A topic that may be published to: non-empty, no wildcards, no NUL. */
export function isPublishableTopic(topic: string): boolean {
  return topic.length > 0 && !/[+#\u0000]/.test(topic);
}

/** The URL without user:password, for logs. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}

/** CONNACK codes that retrying cannot fix: 4 bad user/password, 5 not authorised (v3.1.1), 134/135 (v5). */
function isAuthRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 4 || code === 5 || code === 134 || code === 135;
}

/** Certificate problems: the broker's certificate (or ours) will not verify on the next attempt either. */
function isTlsFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL/.test(code);
}

export type MqttConnectFailure = 'unreachable' | 'refused' | 'tls';

/** The first connection could not be made: the start-up error names the cause so the user can fix it. */
export class MqttConnectError extends Error {
  override name = 'MqttConnectError';

  constructor(
    readonly failure: MqttConnectFailure,
    /** The broker URL without credentials. */
    readonly url: string,
    /** What the socket or the broker said last. */
    readonly detail: string,
    /** How long connect() kept trying (unreachable only). */
    readonly waitedMs?: number,
  ) {
    super(
      failure === 'unreachable'
        ? `could not connect to the MQTT broker at ${url} within ${waitedMs ?? 0} ms (${detail})`
        : failure === 'refused'
          ? `the MQTT broker at ${url} refused the connection: ${detail}`
          : `TLS connection to the MQTT broker at ${url} failed: ${detail}`,
    );
  }
}

/** A publish larger than the broker accepts: not sent. */
export class PacketTooLargeError extends Error {
  override name = 'PacketTooLargeError';
  constructor(
    readonly topic: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`not published to ${topic}: the packet (${bytes} bytes) is larger than the broker accepts (${maxBytes} bytes: embeddedBroker.maxPacketSize for the embedded broker, mqtt.maxPacketSize for yours)`);
  }
}

/** Bytes of an MQTT 3.1.1 PUBLISH: fixed header (type + remaining length) + topic + packet id + payload. */
export function publishPacketSize(topic: string, payload: string | Buffer, qos: 0 | 1 | 2): number {
  const remaining = 2 + Buffer.byteLength(topic) + (qos > 0 ? 2 : 0) + (typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length);
  const lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
  return 1 + lengthBytes + remaining;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class MqttConnection extends EventEmitter<MqttConnectionEvents> {
  readonly #client: MqttClient;
  readonly #log: Logger;
  readonly #backoff: { minMs: number; maxMs: number };
  readonly #maxPacketSize: number | undefined;
  /** Every topic filter the bridge asked for, re-subscribed whenever the broker lost them. */
  readonly #wanted = new Set<string>();
  /** Filters the current broker session is known to hold. */
  readonly #held = new Set<string>();
  #attempt = 0;
  /** Until the first connection: when connect() gives up (epoch ms). No retry is scheduled past it. */
  #startupDeadline: number | undefined;
  #everConnected = false;
  #ending = false;
  /** When the current connection came up, and the largest message sent on it: to explain a broker that keeps dropping us. */
  #connectedAt: number | undefined;
  #largestSent: { topic: string; bytes: number } | undefined;
  /** Connections in a row the broker closed within QUICK_DROP_MS, right after a large message. */
  #quickDrops = 0;

  private constructor(client: MqttClient, options: MqttConnectionOptions) {
    super();
    this.#client = client;
    this.#log = options.logger.child({ component: 'mqtt' });
    this.#backoff = options.reconnect ?? DEFAULT_BACKOFF;
    this.#maxPacketSize = options.maxPacketSize;
    if (options.onMessage) this.on('message', options.onMessage);
    // The first connection may be up before this object exists (its 'connect' came first).
    if (client.connected) this.#connectedAt = Date.now();
    this.#wire();
  }

  static async connect(options: MqttConnectionOptions): Promise<MqttConnection> {
    const backoff = options.reconnect ?? DEFAULT_BACKOFF;
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      // Persistent session: commands sent while the bridge restarts are kept by the broker.
      clean: false,
      protocolVersion: 4,
      keepalive: options.keepaliveS,
      reconnectPeriod: backoff.minMs,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // We resubscribe ourselves (see #onConnect): MQTT.js skips topics subscribed while offline.
      resubscribe: false,
      rejectUnauthorized: options.rejectUnauthorized,
      will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), retain: true, qos: 1 },
    };
    if (options.username) clientOptions.username = options.username;
    if (options.password) clientOptions.password = options.password;
    // Read once: a rotated certificate needs a restart, which is explicit and predictable.
    if (options.ca) clientOptions.ca = readFileSync(options.ca);
    if (options.cert) clientOptions.cert = readFileSync(options.cert);
    if (options.key) clientOptions.key = readFileSync(options.key);

    options.logger.info({ url: safeUrl(options.url), clientId: options.clientId }, 'connecting to MQTT broker');
    const client = mqtt.connect(options.url, clientOptions);
    const connection = new MqttConnection(client, options);
    const timeoutMs = options.startupTimeoutMs ?? 30_000;
    const started = Date.now();
    connection.#startupDeadline = started + timeoutMs;

    try {
      await new Promise<void>((resolve, reject) => {
        let lastError: Error | undefined;
        const giveUp = (): void => {
          cleanup();
          const detail = lastError ? errorMessage(lastError) : 'no answer';
          reject(new MqttConnectError('unreachable', safeUrl(options.url), detail, timeoutMs));
        };
        // The last attempt starts at the deadline (see retryDelay); its failure ends the wait.
        // Should an attempt hang, MQTT.js's connect timeout closes it; this guard is the backstop.
        const timer = setTimeout(giveUp, timeoutMs + CONNECT_TIMEOUT_MS + 1_000);
        const onClose = (): void => {
          if (Date.now() >= started + timeoutMs) giveUp();
        };
        const onConnect = (): void => {
          cleanup();
          resolve();
        };
        const onError = (error: Error): void => {
          lastError = error;
          // Retrying cannot fix a wrong password or a certificate that does not verify.
          const failure = isAuthRefusal(error) ? 'refused' : isTlsFailure(error) ? 'tls' : undefined;
          if (failure === undefined) return; // transient: keep retrying until the timeout
          cleanup();
          reject(new MqttConnectError(failure, safeUrl(options.url), errorMessage(error)));
        };
        const cleanup = (): void => {
          clearTimeout(timer);
          connection.off('connect', onConnect);
          client.off('error', onError);
          client.off('close', onClose);
        };
        connection.on('connect', onConnect);
        client.on('error', onError);
        client.on('close', onClose);
      });
    } catch (error) {
      connection.#ending = true;
      await client.endAsync(true).catch(() => undefined);
      throw error;
    }
    connection.#startupDeadline = undefined;
    return connection;
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  /** Subscribe (QoS 1) and remember the filters for every later reconnect. */
  async subscribe(topics: string[]): Promise<void> {
    for (const topic of topics) this.#wanted.add(topic);
    // Offline: nothing to do now, #onConnect subscribes everything not held.
    if (!this.#client.connected) return;
    await this.#subscribeMissing();
  }

  /**
   * Publish. Rejects for a topic with a wildcard (an MQTT protocol error that
   * would drop our connection) instead of sending it. While offline MQTT.js
   * queues the packet and the promise settles after the reconnect; the bridge
   * republishes full state on every connect anyway.
   */
  async publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<void> {
    if (!isPublishableTopic(topic)) {
      throw new Error(`refusing to publish to invalid topic ${JSON.stringify(topic.slice(0, 200))}`);
    }
    if (this.#ending) throw new Error('MQTT connection is closing');
    const qos = options.qos ?? 0;
    const size = publishPacketSize(topic, payload, qos);
    if (this.#maxPacketSize !== undefined && size > this.#maxPacketSize) {
      throw new PacketTooLargeError(topic, size, this.#maxPacketSize);
    }
    if (size > (this.#largestSent?.bytes ?? 0)) this.#largestSent = { topic, bytes: size };
    await this.#client.publishAsync(topic, payload, { qos, retain: options.retain ?? false });
  }

  /**
   * Graceful close: a DISCONNECT, so the broker discards the last will. The
   * bridge publishes its own `offline` before calling this.
   */
  async end(): Promise<void> {
    if (this.#ending) return;
    this.#ending = true;
    try {
      // Not forced: in-flight QoS 1 publishes get their acks first, for a while: an ack that
      // never comes (a broker that drops what is over its packet size) must not hold the exit.
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), END_GRACE_MS)));
      const graceful = this.#client.endAsync(false).then(() => 'ended' as const);
      graceful.catch(() => undefined); // raced below: a failure after the grace must not go unhandled
      const ended = await Promise.race([graceful, graceOver]);
      clearTimeout(timer);
      if (ended === 'timeout') {
        this.#log.warn('MQTT acknowledgements still missing at close; closing anyway');
        await this.#client.endAsync(true);
      }
    } catch (error) {
      this.#log.debug({ err: errorMessage(error) }, 'error while closing the MQTT connection');
      await this.#client.endAsync(true).catch(() => undefined);
    }
  }

  #wire(): void {
    const client = this.#client;
    // Runs before MQTT.js's own 'close' handler (which schedules the retry
    // with options.reconnectPeriod), so the next delay is ours.
    client.prependListener('close', () => {
      // #held is kept: if the broker still has our session (sessionPresent),
      // re-subscribing would only make it resend retained messages.
      if (this.#ending) return;
      this.#explainQuickDrop();
      const delay = retryDelay(this.#attempt, this.#backoff, this.#startupDeadline, Date.now());
      this.#attempt += 1;
      client.options.reconnectPeriod = delay;
      this.#log.info({ delayMs: delay }, 'MQTT connection closed, reconnecting');
      this.emit('reconnecting', delay);
    });
    client.on('connect', (connack) => {
      // Small packets out at once: with Nagle on, a publish right after a received
      // message waits for the delayed ACK (~40 ms on Linux). ws/tls streams lack it.
      const stream = client.stream as { setNoDelay?: (noDelay: boolean) => unknown } | undefined;
      stream?.setNoDelay?.(true);
      void this.#onConnect(connack.sessionPresent);
    });
    // From the CONNACK on: MQTT.js resends what was in flight while handling it, before 'connect'.
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'connack') this.#connectedAt = Date.now();
    });
    client.on('offline', () => {
      this.#log.warn('MQTT broker offline');
      this.emit('offline');
    });
    // An 'error' without a listener would crash the process: log it only.
    client.on('error', (error) => {
      this.#log.warn({ err: errorMessage(error) }, 'MQTT connection error');
    });
    client.on('message', (topic, payload, packet) => {
      this.emit('message', topic, payload, packet.retain, { messageId: packet.messageId, dup: packet.dup });
    });
  }

  /**
   * A broker with a packet size limit (mosquitto max_packet_size) closes the
   * connection on a larger message, and MQTT.js sends that message again on
   * every reconnect: the connection never lasts. Nothing in MQTT 3.1.1 says
   * why, so say what it looks like and what helps.
   */
  #explainQuickDrop(): void {
    const largest = this.#largestSent;
    const lastedMs = this.#connectedAt === undefined ? Infinity : Date.now() - this.#connectedAt;
    const quick = lastedMs < QUICK_DROP_MS && largest !== undefined && largest.bytes >= SUSPECT_BYTES;
    this.#connectedAt = undefined;
    // Kept across short connections: MQTT.js sends the culprit again by itself, not through publish().
    if (lastedMs >= QUICK_DROP_MS) this.#largestSent = undefined;
    this.#quickDrops = quick ? this.#quickDrops + 1 : 0;
    if (this.#quickDrops !== QUICK_DROPS_TO_EXPLAIN || !largest) return;
    this.#log.error(
      { topic: largest.topic, bytes: largest.bytes },
      `the broker closed the connection ${this.#quickDrops} times in a row right after the bridge sent a ${largest.bytes}-byte message: if it limits the packet size (mosquitto max_packet_size), set mqtt.maxPacketSize to that limit so larger messages are skipped, or raise the broker's limit`,
    );
  }

  async #onConnect(sessionPresent: boolean): Promise<void> {
    const reconnect = this.#everConnected;
    this.#everConnected = true;
    this.#attempt = 0; // a successful connect resets the backoff
    this.#client.options.reconnectPeriod = this.#backoff.minMs;
    // The broker lost our session (restart, expiry): our subscriptions are gone too.
    if (!sessionPresent) this.#held.clear();
    this.#log.info({ sessionPresent, reconnect }, 'connected to MQTT broker');
    try {
      await this.#subscribeMissing();
    } catch (error) {
      // The connection dropped again mid-subscribe: the next connect retries.
      this.#log.warn({ err: errorMessage(error) }, 'resubscribe failed');
    }
    this.emit('connect', { sessionPresent, reconnect });
  }

  async #subscribeMissing(): Promise<void> {
    const missing = [...this.#wanted].filter((topic) => !this.#held.has(topic));
    if (missing.length === 0) return;
    const request: Record<string, { qos: 1 }> = {};
    for (const topic of missing) request[topic] = { qos: 1 };
    const granted: ISubscriptionGrant[] = await this.#client.subscribeAsync(request);
    const refused: string[] = [];
    for (const grant of granted) {
      if (grant.qos === 128) refused.push(grant.topic);
      else this.#held.add(grant.topic);
    }
    if (refused.length > 0) throw new Error(`broker refused subscriptions: ${refused.join(', ')}`);
  }
}
