/**
 * rateLimit.<cloud>PerSecond: the most HTTP requests started per second to
 * one cloud, counted where requests are sent (HttpClient), so retries,
 * logins, token renewals, paging and a Tapo PATCH's version retry all
 * count. A sliding window: never more than the cap in any one second.
 *
 * Requests made while a command runs go ahead of the others: the command
 * queue runs each command inside `asCommand`, and the priority travels
 * with the async call chain (AsyncLocalStorage) down to the request, so
 * "commands before polls" holds here too, not only in the command queue.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import PQueue from 'p-queue';

const COMMAND_PRIORITY = 10;
const DEFAULT_PRIORITY = 0;

const priority = new AsyncLocalStorage<number>();

/** Runs `work` so that every cloud request it makes goes before polls waiting for a slot. */
export function asCommand<T>(work: () => Promise<T>): Promise<T> {
  return priority.run(COMMAND_PRIORITY, work);
}

function windowOptions(perSecond: number): { intervalCap: number; interval: number; strict: true } {
  // p-queue wants an integer cap: below 1/s, one request per 1/perSecond seconds.
  if (perSecond < 1) return { intervalCap: 1, interval: Math.round(1000 / perSecond), strict: true };
  return { intervalCap: Math.floor(perSecond), interval: 1000, strict: true };
}

export class RequestLimiter {
  readonly #queue: PQueue | undefined;

  /** `perSecond` 0 (or not finite): unlimited. */
  constructor(perSecond: number) {
    this.#queue = perSecond > 0 && Number.isFinite(perSecond) ? new PQueue(windowOptions(perSecond)) : undefined;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.#queue?.size ?? 0;
  }

  /** Starts `send` when the window allows, commands first. */
  run<T>(send: () => Promise<T>): Promise<T> {
    if (!this.#queue) return send();
    return this.#queue.add(send, { priority: priority.getStore() ?? DEFAULT_PRIORITY });
  }
}
