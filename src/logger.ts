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
 * A secret that is an ordinary word or number ("wrong", "1800"), or words
 * with spaces: it can also be part of the text around it, so it is masked
 * only where it stands as a value, never inside a sentence.
 */
const WORDLIKE = /^(?:[\p{L}\p{M}]+(?:\s+[\p{L}\p{M}]+)*|\d+)$/u;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where a word-like secret is a value: a whole quoted string ("x", 'x',
 * \"x\" inside JSON), or after = or : up to the end of the value
 * (key=x&, "k":x, user:x@host).
 */
function valuePattern(value: string): RegExp {
  const v = escapeRegExp(value);
  return new RegExp(`(?<=["'\`])${v}(?=\\\\?["'\`])|(?<=[=:])${v}(?=$|[\\s&;,@"'\`)\\]}\\\\])`, 'gu');
}

/**
 * Secret values to mask in every output line. Shared by the whole process:
 * the cloud clients register tokens as they receive them. Tokens and most
 * passwords are masked wherever they occur; a password that is a plain word
 * only where it is printed as a value, so that `wrong` does not turn
 * "wrong e-mail or password" into "[redacted] e-mail or password".
 */
export class SecretRegistry {
  readonly #anywhere = new Set<string>();
  readonly #asValue = new Map<string, RegExp>();

  add(value: string | undefined | null): void {
    // Very short values would mask ordinary words; real secrets are longer.
    if (!value || value.length < 4) return;
    if (WORDLIKE.test(value)) {
      this.#asValue.set(value, valuePattern(value));
      return;
    }
    this.#anywhere.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) this.#anywhere.add(escaped);
  }

  get size(): number {
    return this.#anywhere.size + this.#asValue.size;
  }

  scrub(text: string): string {
    let out = text;
    for (const value of this.#anywhere) {
      if (out.includes(value)) out = out.split(value).join(MASK);
    }
    for (const [value, pattern] of this.#asValue) {
      if (out.includes(value)) out = out.replace(pattern, MASK);
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
  /** auto: human-readable on a terminal, JSON lines otherwise. */
  pretty: boolean | 'auto';
  /** Where lines go (tests capture them); default standard output. */
  destination?: { write(chunk: string): unknown };
  registry?: SecretRegistry;
}

/** Whether logs are for people: as set, or for 'auto' whether they go to a terminal. */
export function wantsPretty(setting: boolean | 'auto', stdout: { isTTY?: boolean } | undefined): boolean {
  return setting === 'auto' ? stdout?.isTTY === true : setting;
}

export function createLogger(options: LoggerOptions): Logger {
  const registry = options.registry ?? secrets;
  const target: { write(chunk: string): unknown } = wantsPretty(options.pretty, options.destination ? undefined : process.stdout)
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
