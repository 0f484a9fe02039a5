/**
 * pino logger. Secrets are kept out twice over: known secret keys are
 * redacted by path (cheap, at serialisation), and every secret value the
 * process learns (passwords, tokens as they are issued) is masked in the
 * final line, whatever key or message it travelled in.
 */
import { Writable } from 'node:stream';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

const MASK = '[redacted]';

const SECRET_KEYS = [
  'password',
  'cloudPassword',
  'token',
  'refreshToken',
  'accessToken',
  'authorization',
  'Authorization',
  'x-authorization',
  'X-Authorization',
];

/** Paths pino redacts: the key itself, one and two levels down, and headers. */
export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]).concat([
  'headers.authorization',
  'headers["x-authorization"]',
  'req.headers.authorization',
]);

/**
 * Secret values to mask in every output line. Shared by the whole process:
 * the cloud clients register tokens as they receive them.
 */
export class SecretRegistry {
  readonly #values = new Set<string>();

  add(value: string | undefined | null): void {
    // Very short values would mask ordinary words; real secrets are longer.
    if (!value || value.length < 4) return;
    this.#values.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) this.#values.add(escaped);
  }

  get size(): number {
    return this.#values.size;
  }

  scrub(text: string): string {
    let out = text;
    for (const value of this.#values) {
      if (out.includes(value)) out = out.split(value).join(MASK);
    }
    return out;
  }
}

/** The process-wide registry. */
export const secrets = new SecretRegistry();

class ScrubbingStream extends Writable {
  constructor(
    private readonly registry: SecretRegistry,
    private readonly target: { write(chunk: string): unknown },
  ) {
    super({ decodeStrings: false });
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const line = typeof chunk === 'string' ? chunk : String(chunk);
    this.target.write(this.registry.size === 0 ? line : this.registry.scrub(line));
    callback();
  }
}

function writableOf(sink: { write(chunk: string): unknown }): Writable {
  return new Writable({
    decodeStrings: false,
    write(chunk: unknown, _encoding, callback) {
      sink.write(typeof chunk === 'string' ? chunk : String(chunk));
      callback();
    },
  });
}

export interface LoggerOptions {
  level: string;
  pretty: boolean;
  /** Where lines go (tests capture them); default standard output. */
  destination?: { write(chunk: string): unknown };
  registry?: SecretRegistry;
}

export function createLogger(options: LoggerOptions): Logger {
  const registry = options.registry ?? secrets;
  const target: { write(chunk: string): unknown } = options.pretty
    ? pretty({ colorize: false, sync: true, destination: options.destination ? writableOf(options.destination) : 1 })
    : (options.destination ?? pino.destination({ dest: 1, sync: true }));
  const stream = new ScrubbingStream(registry, target) as unknown as DestinationStream;
  return pino(
    {
      level: options.level,
      base: { name: 'tplink-cloud-mqtt' },
      redact: { paths: REDACT_PATHS, censor: MASK },
      serializers: { err: pino.stdSerializers.err },
    },
    stream,
  );
}

/** A logger that writes nothing, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
