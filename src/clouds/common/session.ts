/**
 * Session management shared by the Kasa and Tapo clients: one token per
 * cloud, loaded from the TokenStore, renewed on expiry by refresh-once-else-
 * login-once, single-flight (concurrent callers share one renewal), and an
 * auth cool-down gate so a wrong password or a locked account is never
 * retried in a loop (TP-Link blocks accounts that do that).
 */
import { EventEmitter } from 'node:events';
import { CloudError, isCloudError, type CloudErrorKind, type CloudName } from './errors.js';
import { credentialsHash, type CloudTokens, type TokenStore } from './token-store.js';
import { secrets, type Logger } from '../../logger.js';

export type ClientStatus = 'ok' | 'logging_in' | 'auth_failed' | 'account_locked' | 'mfa_required' | 'unknown';

export interface LoginOptions {
  /** A second-factor code the user already has (`login --code`). */
  mfaCode?: string;
  /** Asks the user for the second-factor code (interactive `login`). */
  askCode?: () => Promise<string>;
  /** True when a person asked for this login (CLI): may send an MFA code. */
  interactive?: boolean;
}

/** What a cloud login/refresh gives back; the session adds the username. */
export interface IssuedTokens {
  token: string;
  refreshToken?: string | undefined;
  v2?: boolean | undefined;
  appServerUrl?: string | undefined;
}

export interface SessionOptions {
  cloud: CloudName;
  store: TokenStore;
  username: string;
  password: string;
  /** Seconds a wrong password / locked account / missing MFA blocks new logins. */
  cooldownS: number;
  logger: Logger;
  login: (options: LoginOptions, previous: CloudTokens | undefined) => Promise<IssuedTokens>;
  refresh: (tokens: CloudTokens) => Promise<IssuedTokens>;
  now?: () => number;
}

type NeedsUserKind = Extract<CloudErrorKind, 'auth_failed' | 'account_locked' | 'mfa_required'>;

function isNeedsUser(kind: CloudErrorKind): kind is NeedsUserKind {
  return kind === 'auth_failed' || kind === 'account_locked' || kind === 'mfa_required';
}

/** `status` events carry the CloudError that caused an auth status, when there is one. */
export type StatusEvents = { status: [ClientStatus, CloudError?] };

export class Session extends EventEmitter<StatusEvents> {
  readonly #o: SessionOptions;
  readonly #hash: string;
  #tokens: CloudTokens | undefined;
  #inflight: Promise<CloudTokens> | undefined;
  #status: ClientStatus = 'unknown';

  constructor(options: SessionOptions) {
    super();
    this.#o = options;
    this.#hash = credentialsHash(options.cloud, options.username, options.password);
    secrets.add(options.password);
  }

  get status(): ClientStatus {
    return this.#status;
  }

  /** The current tokens, if any (no network). */
  get tokens(): CloudTokens | undefined {
    return this.#tokens ?? this.#o.store.getTokens(this.#o.cloud, this.#o.username);
  }

  #setStatus(status: ClientStatus, error?: CloudError): void {
    if (status === this.#status) return;
    this.#status = status;
    if (error) this.emit('status', status, error);
    else this.emit('status', status);
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  /** Throws without any network call while an auth cool-down for these credentials runs. */
  #gate(): void {
    const { store, cloud } = this.#o;
    const cooldown = store.getCooldown(cloud);
    if (!cooldown) return;
    if (cooldown.configHash !== this.#hash) {
      // The user changed the credentials: worth one new attempt.
      store.clearCooldown(cloud);
      return;
    }
    const leftMs = cooldown.until - this.#now();
    if (leftMs <= 0) {
      store.clearCooldown(cloud);
      return;
    }
    const retryAfterS = Math.ceil(leftMs / 1000);
    const error = new CloudError(cloud, cooldown.reason, `${cloud}: ${describe(cooldown.reason)}; not logging in again for ${retryAfterS} s`, {
      retryAfterS,
    });
    this.#setStatus(cooldown.reason, error);
    throw error;
  }

  /** A usable token: in memory, else saved, else a (single-flight) login. */
  async ensureToken(): Promise<CloudTokens> {
    if (this.#tokens) return this.#tokens;
    if (this.#inflight) return this.#inflight;
    const saved = this.#o.store.getTokens(this.#o.cloud, this.#o.username);
    if (saved) {
      this.#tokens = saved;
      return saved;
    }
    return this.#single(() => this.#login({}, true));
  }

  /**
   * Called when `stale` was refused as expired. Refresh once, else log in
   * once. Concurrent callers with the same stale token share one renewal; a
   * caller whose token was already replaced just gets the new one.
   */
  async renew(stale: CloudTokens): Promise<CloudTokens> {
    if (this.#inflight) return this.#inflight;
    if (this.#tokens && this.#tokens.token !== stale.token) return this.#tokens;
    return this.#single(async () => {
      if (stale.refreshToken) {
        try {
          const issued = await this.#o.refresh(stale);
          this.#o.logger.info('token refreshed');
          return this.#save({ ...stale, ...issued, refreshToken: issued.refreshToken ?? stale.refreshToken });
        } catch (error) {
          // Network trouble: a login would fail the same way; let the caller retry.
          if (isCloudError(error) && error.retryable) throw error;
          this.#o.logger.info({ kind: isCloudError(error) ? error.kind : 'unknown' }, 'token refresh refused, logging in');
        }
      }
      return this.#login({}, true);
    });
  }

  /** A login a person asked for: ignores the cool-down, may run the MFA flow. */
  async login(options: LoginOptions = {}): Promise<CloudTokens> {
    if (this.#inflight) await this.#inflight.catch(() => undefined);
    return this.#single(() => this.#login({ interactive: true, ...options }, false));
  }

  /**
   * Runs `call` with a token; on expiry renews and retries exactly once, so
   * callers never see `token_expired`.
   */
  async withToken<T>(call: (tokens: CloudTokens) => Promise<T>): Promise<T> {
    const tokens = await this.ensureToken();
    try {
      const result = await call(tokens);
      this.#setStatus('ok');
      return result;
    } catch (error) {
      if (!isCloudError(error) || error.kind !== 'token_expired') throw error;
      const renewed = await this.renew(tokens);
      try {
        const result = await call(renewed);
        this.#setStatus('ok');
        return result;
      } catch (second) {
        if (isCloudError(second) && second.kind === 'token_expired') {
          this.#tokens = undefined;
          throw new CloudError(this.#o.cloud, 'transient', `${this.#o.cloud}: new token refused as expired`, {
            code: second.code,
            cause: second,
          });
        }
        throw second;
      }
    }
  }

  /** Forgets the in-memory and saved tokens (e.g. after `token incorrect`). */
  forget(): void {
    this.#tokens = undefined;
    this.#o.store.clearTokens(this.#o.cloud);
  }

  #single(work: () => Promise<CloudTokens>): Promise<CloudTokens> {
    const promise = work().finally(() => {
      if (this.#inflight === promise) this.#inflight = undefined;
    });
    this.#inflight = promise;
    return promise;
  }

  async #login(options: LoginOptions, gated: boolean): Promise<CloudTokens> {
    const { cloud, store, logger } = this.#o;
    if (gated) this.#gate();
    this.#setStatus('logging_in');
    const previous = store.getTokens(cloud, this.#o.username);
    try {
      const issued = await this.#o.login(options, previous);
      store.clearCooldown(cloud);
      logger.info('logged in');
      const tokens = this.#save({ ...issued });
      this.#setStatus('ok');
      return tokens;
    } catch (error) {
      this.#tokens = undefined;
      if (isCloudError(error) && isNeedsUser(error.kind)) {
        const retryAfterS = Math.max(this.#o.cooldownS, error.retryAfterS ?? 0);
        store.setCooldown(cloud, { until: this.#now() + retryAfterS * 1000, reason: error.kind, configHash: this.#hash });
        logger.error({ kind: error.kind, code: error.code, retryAfterS }, `${cloud} login failed: ${describe(error.kind)}`);
        const refusal = new CloudError(cloud, error.kind, error.message, { code: error.code, retryAfterS, cause: error });
        this.#setStatus(error.kind, refusal);
        throw refusal;
      }
      this.#setStatus('unknown');
      throw error;
    }
  }

  #save(issued: IssuedTokens): CloudTokens {
    const tokens: CloudTokens = { ...issued, username: this.#o.username };
    this.#o.store.setTokens(this.#o.cloud, tokens);
    this.#tokens = tokens;
    return tokens;
  }
}

function describe(kind: NeedsUserKind): string {
  switch (kind) {
    case 'auth_failed':
      return 'wrong username or password';
    case 'account_locked':
      return 'account locked';
    case 'mfa_required':
      return 'two-factor code required (run `tplink-cloud-mqtt login`)';
  }
}
