/**
 * Session management shared by the Kasa and Tapo clients: one token per
 * cloud, loaded from the TokenStore, renewed on expiry by refresh-once-else-
 * login-once, single-flight (concurrent callers share one renewal), and an
 * auth cool-down gate so a wrong password or a locked account is never
 * retried in a loop (TP-Link blocks accounts that do that).
 */
import { EventEmitter } from 'node:events';
import { CloudError, isCloudError, type CloudErrorKind } from './errors.js';
import type { CloudName } from '../../model/node.js';
import { credentialsHash, type CloudTokens, type TokenStore } from './token-store.js';
import { secrets, type Logger } from '../../logger.js';

/** `token_refused`: the cloud refuses every new token right after issuing it; renewals are paused (backing off). */
export type ClientStatus = 'ok' | 'logging_in' | 'auth_failed' | 'account_locked' | 'mfa_required' | 'token_refused' | 'unknown';

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
  /**
   * Pause after new tokens were refused right away REFUSALS_BEFORE_BACKOFF
   * times in a row: baseMs, doubled per further refusal, at most maxMs.
   */
  renewalBackoff?: { baseMs: number; maxMs: number };
  now?: () => number;
}

/** New tokens refused right after issue this many times in a row: stop renewing for a while. */
export const REFUSALS_BEFORE_BACKOFF = 3;
const DEFAULT_RENEWAL_BACKOFF = { baseMs: 30_000, maxMs: 1_800_000 };

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
  /** New tokens refused right after issue, in a row (a working call resets it). */
  #refusals = 0;
  /** No renewal before this time (ms since epoch): the cloud keeps refusing new tokens. */
  #pausedUntil = 0;
  /** The last renewed token counted as refused. */
  #lastRefused: string | undefined;

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
          // Network trouble or a garbled answer (`protocol`): a login would not help and costs a
          // password login each time (9 in 4.5 min once); let the caller retry the refresh.
          if (isCloudError(error) && (error.retryable || error.kind === 'protocol')) throw error;
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
    this.#renewalGate();
    const tokens = await this.ensureToken();
    try {
      return this.#worked(await call(tokens));
    } catch (error) {
      if (!isCloudError(error) || error.kind !== 'token_expired') throw error;
      const renewed = await this.renew(tokens);
      try {
        return this.#worked(await call(renewed));
      } catch (second) {
        if (isCloudError(second) && second.kind === 'token_expired') throw this.#freshTokenRefused(second, renewed.token);
        throw second;
      }
    }
  }

  #worked<T>(result: T): T {
    this.#refusals = 0;
    this.#pausedUntil = 0;
    this.#setStatus('ok');
    return result;
  }

  /**
   * A token renewed a moment ago was refused as expired. Once is a race;
   * again and again is a cloud that refreshed ~2/s for minutes (228 refreshes
   * in 110 s) while every command failed. After REFUSALS_BEFORE_BACKOFF in a
   * row, renewals pause with exponential back-off, one warning per step, and
   * the status says so (the bridge shows the devices unavailable); the first
   * call after a pause tries again, and a working call ends it.
   */
  #freshTokenRefused(cause: CloudError, token: string): CloudError {
    const { cloud, logger } = this.#o;
    if (this.#tokens?.token === token) this.#tokens = undefined;
    const message = `${cloud}: new token refused as expired`;
    // Concurrent calls that shared one renewal count once.
    if (this.#lastRefused === token) {
      const retryAfterS = Math.max(0, Math.ceil((this.#pausedUntil - this.#now()) / 1000));
      return new CloudError(cloud, 'transient', message, { code: cause.code, cause, ...(retryAfterS > 0 ? { retryAfterS } : {}) });
    }
    this.#lastRefused = token;
    this.#refusals += 1;
    if (this.#refusals < REFUSALS_BEFORE_BACKOFF) return new CloudError(cloud, 'transient', message, { code: cause.code, cause });
    const { baseMs, maxMs } = this.#o.renewalBackoff ?? DEFAULT_RENEWAL_BACKOFF;
    const pauseMs = Math.min(maxMs, baseMs * 2 ** (this.#refusals - REFUSALS_BEFORE_BACKOFF));
    this.#pausedUntil = this.#now() + pauseMs;
    const retryAfterS = Math.ceil(pauseMs / 1000);
    const error = new CloudError(
      cloud,
      'transient',
      `${cloud}: the cloud refuses every new token right after issuing it (${this.#refusals} times in a row); not renewing for ${retryAfterS} s`,
      { code: cause.code, retryAfterS, cause },
    );
    logger.warn({ refusals: this.#refusals, pauseS: retryAfterS }, `${error.message}; its devices are unavailable until a renewal works`);
    this.#setStatus('token_refused', error);
    return error;
  }

  /** Throws, without a network call, while renewals are paused (see #freshTokenRefused). */
  #renewalGate(): void {
    const leftMs = this.#pausedUntil - this.#now();
    if (leftMs <= 0) return;
    const retryAfterS = Math.ceil(leftMs / 1000);
    throw new CloudError(this.#o.cloud, 'transient', `${this.#o.cloud}: renewals paused, the cloud refused every new token; next try in ${retryAfterS} s`, {
      retryAfterS,
    });
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
