/**
 * Retry with exponential backoff and full jitter inside a deadline. Kept
 * apart from the HTTP layer so it can be tested with a fake clock.
 */
import { isCloudError } from './errors.js';

export interface RetryOptions {
  /** No attempt starts this many ms or later after the first. */
  deadlineMs: number;
  /** Cap of the first backoff; doubled per attempt. */
  baseMs: number;
  /** Largest backoff cap. */
  maxMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** 0 <= x < 1, Math.random by default (injectable so tests are deterministic). */
  random?: () => number;
  now?: () => number;
  /** Called before each backoff, for logging. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Transient failures and rate limits are worth another try; everything else is not. */
export function isRetryableCloudError(error: unknown): boolean {
  return isCloudError(error) && error.retryable;
}

/**
 * Runs `fn` until it succeeds, fails with a non-retryable error, or the
 * deadline would be passed. The last error is thrown as is, so a caller sees
 * the real kind (`transient`, `rate_limited`).
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions,
  isRetryable: (error: unknown) => boolean = isRetryableCloudError,
): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const start = now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      // The last try starts a little before the deadline (a tenth of the base backoff), so
      // the deadline is never overrun and a nearly spent one does not spin.
      const left = options.deadlineMs - (now() - start) - options.baseMs / 10;
      // A rate-limit answer that says how long to wait is honoured over the jitter.
      const told = isCloudError(error) && error.retryAfterS !== undefined ? error.retryAfterS * 1000 : 0;
      // No room for one more try, or told to wait past the deadline.
      if (left <= 0 || told > left) throw error;
      const cap = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
      // A jittered backoff that would overshoot the deadline is cut short, so the last
      // try still happens in time instead of the call giving up with time to spare.
      const delay = Math.min(Math.max(Math.floor(random() * cap), told), Math.floor(left));
      options.onRetry?.(error, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
