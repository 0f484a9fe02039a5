/**
 * The embedded MQTT broker, started when no external broker URL is
 * configured. It is meant for a single host: it listens on 127.0.0.1 unless
 * the user explicitly configures another address, and it requires the
 * configured username/password when a username is set.
 */
import net from 'node:net';
import { timingSafeEqual, createHash } from 'node:crypto';
import { Aedes, type AuthenticateError } from 'aedes';
import type { Logger } from '../logger.js';
import './packet-numbers.js';

export interface EmbeddedBrokerOptions {
  /** Default 127.0.0.1: never all interfaces unless configured. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** When set (non-empty), every client must present this username and password. */
  username?: string;
  password?: string;
  /** Largest packet (bytes) a client may send; a larger one closes its connection. Default 4 MiB. */
  maxPacketSize?: number;
  logger: Logger;
}

export interface EmbeddedBroker {
  /** mqtt://host:port, ready for MqttConnection.connect. */
  url: string;
  /** The port actually bound (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/** The embedded broker could not listen (port in use, no permission, no such address). */
export class EmbeddedBrokerError extends Error {
  override name = 'EmbeddedBrokerError';
  /** The socket error code: EADDRINUSE, EACCES, EADDRNOTAVAIL... */
  readonly code: string | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
    cause: unknown,
  ) {
    const code = (cause as { code?: unknown } | null)?.code;
    super(`the embedded MQTT broker cannot listen on ${urlHost(host)}:${port}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/** MQTT CONNACK return code 4 (v3.1.1): bad user name or password. */
const BAD_USERNAME_OR_PASSWORD = 4;

/**
 * Constant-time string comparison. Both sides are hashed first so the
 * comparison length does not depend on the secret's length either.
 */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

function authError(): AuthenticateError {
  const error = new Error('bad username or password') as AuthenticateError;
  error.returnCode = BAD_USERNAME_OR_PASSWORD;
  return error;
}

interface OutgoingStore {
  outgoingUpdate(client: unknown, packet: unknown): Promise<void>;
}

/**
 * aedes routes `tplink//set` to a `tplink/+/set` subscriber (a `+` matches an
 * empty level, as MQTT says) but its in-memory session store does not match
 * it, so the delivery to a persistent-session client (the bridge) finds no
 * stored packet, fails with "no such packet", and aedes drops that client:
 * one stray publish knocked the bridge off its broker. Such a message is
 * delivered all the same; it is only not kept for redelivery after a reconnect.
 */
function tolerateUnstoredDeliveries(aedes: Aedes): void {
  const store = (aedes as unknown as { persistence: OutgoingStore }).persistence;
  const update = store.outgoingUpdate.bind(store);
  store.outgoingUpdate = async (client, packet) => {
    try {
      await update(client, packet);
    } catch (error) {
      if (!(error instanceof Error) || error.message !== 'no such packet') throw error;
    }
  };
}

export const DEFAULT_MAX_PACKET_SIZE = 4_194_304;

interface PacketParser {
  packet: { length: number };
  _parseLength(): boolean;
}

/**
 * aedes has no packet size limit: its parser buffers a packet whole before
 * handing it on, so one 250 MB publish cost 1.1 GB. The declared length comes
 * first in the fixed header; a client announcing more than the limit is
 * dropped before any of the body is buffered.
 */
function limitPacketSize(client: unknown, socket: net.Socket, maxBytes: number, log: Logger): void {
  const parser = (client as { _parser?: PacketParser })._parser;
  if (!parser || typeof parser._parseLength !== 'function') return;
  const parseLength = parser._parseLength.bind(parser);
  parser._parseLength = () => {
    const complete = parseLength();
    if (complete && parser.packet.length > maxBytes) {
      log.warn({ bytes: parser.packet.length, maxBytes, remote: socket.remoteAddress }, 'embedded broker dropped a client: packet larger than embeddedBroker.maxPacketSize');
      socket.destroy();
      return false;
    }
    return complete;
  };
}

function urlHost(host: string): string {
  // IPv6 literals need brackets in a URL.
  return host.includes(':') ? `[${host}]` : host;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = options.host && options.host !== '' ? options.host : '127.0.0.1';
  const log = options.logger.child({ component: 'embedded-broker' });
  const requiredUser = options.username ?? '';
  const requiredPassword = options.password ?? '';
  const maxPacketSize = options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;
  // Configuration checks this too (mqtt.password); a direct caller must not get an open broker either.
  if (requiredUser !== '' && requiredPassword === '') throw new Error('embedded broker: a username needs a non-empty password');

  const aedes = await Aedes.createBroker({
    // Short drain timeout: a stuck client must not hold up shutdown.
    drainTimeout: 2_000,
    authenticate: (_client, username, password, done) => {
      if (requiredUser === '') {
        done(null, true);
        return;
      }
      const userOk = safeEqual(username ?? '', requiredUser);
      const passOk = safeEqual(password ? password.toString('utf8') : '', requiredPassword);
      if (userOk && passOk) {
        done(null, true);
      } else {
        // Log who tried, never what password they sent.
        log.warn({ username: username ?? '' }, 'embedded broker refused a client: bad credentials');
        done(authError(), null);
      }
    },
  });
  tolerateUnstoredDeliveries(aedes);

  aedes.on('clientError', (client, error) => {
    log.debug({ clientId: client.id, err: error.message }, 'client error');
  });
  aedes.on('connectionError', (_client, error) => {
    log.debug({ err: error.message }, 'connection error');
  });

  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A reset socket must never become an uncaught 'error'.
    socket.on('error', () => undefined);
    // Small MQTT packets go out at once: with Nagle on, a message to a client that
    // has just published waited for the delayed ACK (~40 ms) before being sent.
    socket.setNoDelay(true);
    limitPacketSize(aedes.handle(socket), socket, maxPacketSize, log);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen(options.port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
  } catch (error) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw new EmbeddedBrokerError(host, options.port, error);
  }
  server.on('error', (error) => log.error({ err: error.message }, 'embedded broker server error'));

  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `mqtt://${urlHost(host)}:${port}`;
  log.info({ host, port, auth: requiredUser !== '' }, `embedded MQTT broker listening on ${url}`);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      // Anything aedes did not tear down (half-open handshakes) goes now, so
      // server.close() resolves at once instead of waiting for idle sockets.
      for (const socket of sockets) socket.destroy();
      await serverClosed;
      log.info('embedded MQTT broker stopped');
    })();
    return closing;
  };

  return { url, port, close };
}
