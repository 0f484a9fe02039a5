/**
 * What the Kasa and Tapo clients have in common: the HTTP layer, the session
 * (tokens, renewal, auth cool-down), retries of transient failures within
 * `cloud.retryDeadlineS`, and the status event the bridge publishes.
 */
import { EventEmitter } from 'node:events';
import type { AppConfig } from '../../config/load.js';
import type { CloudName } from '../../model/node.js';
import { HttpClient, UntrustedCertificateError } from './http.js';
import { Session, type ClientStatus, type IssuedTokens, type LoginOptions, type StatusEvents } from './session.js';
import { isRetryableCloudError, withRetry, type RetryOptions } from './retry.js';
import { isCloudError } from './errors.js';
import type { CloudTokens, TokenStore } from './token-store.js';
import type { Logger } from '../../logger.js';

export type { ClientStatus, LoginOptions, StatusEvents } from './session.js';

export interface ClientOptionsBase {
  cloud: AppConfig['cloud'];
  store: TokenStore;
  logger: Logger;
  /** Replace the HTTP layer (tests); closed by `close()` all the same. */
  fetcher?: HttpClient;
  /** Override backoff timing (tests); deadline defaults to cloud.retryDeadlineS. */
  retry?: Partial<RetryOptions>;
  /** rateLimit.<cloud>PerSecond: every HTTP request to this cloud counts (0 or absent: unlimited). */
  requestsPerSecond?: number;
}

interface Credentials {
  username: string;
  password: string;
  caFile: string;
}

/** A bare 403 is the server's stated refusal (Tapo: app-cid), not a garbled answer: asking again changes nothing. */
const REFUSED = 403;

/** Garbled answers are read again; a refusal or an untrusted certificate is not an answer to retry. */
function isRetryableRead(error: unknown): boolean {
  if (isRetryableCloudError(error)) return true;
  return isCloudError(error) && error.kind === 'protocol' && error.code !== REFUSED && !(error instanceof UntrustedCertificateError);
}

export abstract class CloudClientBase extends EventEmitter<StatusEvents> {
  protected readonly http: HttpClient;
  protected readonly session: Session;
  protected readonly store: TokenStore;
  protected readonly logger: Logger;
  readonly #retry: RetryOptions;

  constructor(cloudName: CloudName, credentials: Credentials, options: ClientOptionsBase) {
    super();
    this.store = options.store;
    this.logger = options.logger.child({ cloud: cloudName });
    this.http =
      options.fetcher ??
      new HttpClient({
        cloud: cloudName,
        timeoutMs: options.cloud.requestTimeoutS * 1000,
        logger: this.logger,
        ...(credentials.caFile ? { caFile: credentials.caFile } : {}),
        ...(options.requestsPerSecond ? { requestsPerSecond: options.requestsPerSecond } : {}),
      });
    this.session = new Session({
      cloud: cloudName,
      store: options.store,
      username: credentials.username,
      password: credentials.password,
      cooldownS: options.cloud.authCooldownS,
      logger: this.logger,
      login: (loginOptions, previous) => this.doLogin(loginOptions, previous),
      refresh: (tokens) => this.doRefresh(tokens),
      // Twice the retry deadline first (a retry loop never meets a pause shorter than itself), then doubling up to the auth cool-down.
      renewalBackoff: { baseMs: Math.max(1, 2 * options.cloud.retryDeadlineS) * 1000, maxMs: options.cloud.authCooldownS * 1000 },
    });
    this.session.on('status', (...args) => this.emit('status', ...args));
    this.#retry = {
      deadlineMs: options.cloud.retryDeadlineS * 1000,
      baseMs: 250,
      maxMs: 5000,
      onRetry: (error, attempt, delayMs) =>
        this.logger.debug({ attempt, delayMs, err: error instanceof Error ? error.message : String(error) }, 'retrying cloud call'),
      ...options.retry,
    };
  }

  get status(): ClientStatus {
    return this.session.status;
  }

  /** Logs in now (CLI `login`): ignores the cool-down, runs the MFA flow when asked to. */
  async login(options: LoginOptions = {}): Promise<void> {
    await withRetry(() => this.session.login(options), this.#retry);
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  /** Cloud-specific login; throws CloudError with the right kind on refusal. */
  protected abstract doLogin(options: LoginOptions, previous: CloudTokens | undefined): Promise<IssuedTokens>;
  protected abstract doRefresh(tokens: CloudTokens): Promise<IssuedTokens>;

  /** An authenticated call: transient errors retried, expiry handled once. */
  protected call<T>(fn: (tokens: CloudTokens) => Promise<T>): Promise<T> {
    return withRetry(() => this.session.withToken(fn), this.#retry);
  }

  /**
   * An authenticated read: like call(), and an answer that is truncated,
   * not JSON or of the wrong shape (`protocol`) is retried too, within the
   * same deadline: reading again changes nothing, and such answers are
   * mostly a proxy or the cloud hiccuping (45 of 46 failures in a fault
   * run). `fn` must parse inside, so a garbled answer is seen here. Never
   * for writes: a garbled answer to a write may hide one that was applied.
   */
  protected callRead<T>(fn: (tokens: CloudTokens) => Promise<T>): Promise<T> {
    return withRetry(() => this.session.withToken(fn), this.#retry, isRetryableRead);
  }

  /**
   * A call that must not run twice (a firmware install): retried only on a
   * rate-limit refusal, which the cloud answers before the device sees the
   * request. A timeout, a reset or a 5xx may come after the device acted,
   * so they are the caller's to sort out (by reading what the device did).
   */
  protected callOnce<T>(fn: (tokens: CloudTokens) => Promise<T>): Promise<T> {
    return withRetry(() => this.session.withToken(fn), this.#retry, (error) => isCloudError(error) && error.kind === 'rate_limited');
  }
}
