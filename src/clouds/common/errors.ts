/**
 * The cloud error taxonomy. Clients translate every failure (HTTP status,
 * `error_code`, `result.errorCode`, module `err_code`, network errors) into
 * one of these, so the bridge acts on a kind, never on a raw code.
 * Messages never carry secrets: no tokens, passwords or full URLs with query.
 */
import { ERROR_CODES } from '../../protocol/error-codes.js';
import type { CloudName } from '../../model/node.js';

export type CloudErrorKind =
  | 'auth_failed' // wrong e-mail or password, account not found: stop, report
  | 'account_locked' // locked or blacklisted: stop, report
  | 'mfa_required' // second factor needed: run `tplink-cloud-mqtt login`
  | 'token_expired' // handled inside the clients; callers never see it
  | 'rate_limited' // back off
  | 'device_offline' // -20571, status 0, -20002: mark unavailable
  | 'device_not_bound' // -20580, -20501: mark unavailable, no retry
  | 'transient' // 5xx, -20000/-20003, timeouts, resets: retry with backoff
  | 'protocol'; // malformed answer, schema mismatch, unknown method: do not retry

export class CloudError extends Error {
  override name = 'CloudError';
  readonly kind: CloudErrorKind;
  readonly cloud: CloudName;
  /** The cloud's own code (error_code, errorCode, HTTP status), when there is one. */
  readonly code: number | undefined;
  /** Seconds until a retry makes sense (auth cool-down, rate limit), when known. */
  readonly retryAfterS: number | undefined;

  constructor(
    cloud: CloudName,
    kind: CloudErrorKind,
    message: string,
    options: { code?: number; retryAfterS?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.cloud = cloud;
    this.kind = kind;
    this.code = options.code;
    this.retryAfterS = options.retryAfterS;
  }

  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'rate_limited';
  }

  /** Auth problems that need a person: the bridge reports them and stops logging in. */
  get needsUser(): boolean {
    return this.kind === 'auth_failed' || this.kind === 'account_locked' || this.kind === 'mfa_required';
  }
}

export function isCloudError(error: unknown): error is CloudError {
  return error instanceof CloudError;
}

/** Kind of a TP-Link numeric error code (kasa-cloud.md §3, tapo-cloud.md §1). */
export function kindOfCode(code: number): CloudErrorKind {
  switch (code) {
    case ERROR_CODES.accountNotFound:
    case ERROR_CODES.wrongCredentials:
      return 'auth_failed';
    case ERROR_CODES.accountLocked:
    case ERROR_CODES.loggedInElsewhere:
      return 'account_locked';
    case ERROR_CODES.mfaRequired:
      return 'mfa_required';
    case ERROR_CODES.tokenExpired:
    case ERROR_CODES.tokenIncorrect:
    case ERROR_CODES.refreshTokenExpired:
    case ERROR_CODES.refreshTokenIncorrect:
      return 'token_expired';
    case ERROR_CODES.ipRateLimited:
    case ERROR_CODES.userRateLimited:
    case ERROR_CODES.apiRateLimited:
      return 'rate_limited';
    case ERROR_CODES.deviceOffline:
    case ERROR_CODES.deviceTimeout:
      return 'device_offline';
    case ERROR_CODES.deviceNotBound:
    case ERROR_CODES.deviceIdNotFound:
      return 'device_not_bound';
    case ERROR_CODES.internalError:
    case ERROR_CODES.serverBusy:
      return 'transient';
    default:
      return 'protocol';
  }
}
