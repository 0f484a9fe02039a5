/**
 * The one simulated account both clouds share: credentials, failed-login
 * counting and lock, access and refresh tokens with TTL, and the V2
 * second-factor flow bound to a terminal.
 */
import { randomBytes } from 'node:crypto';
import { ERROR_CODES } from 'tplink-cloud-mqtt/protocol';
import type { FaultOptions } from './types.js';
import type { Json } from './model.js';

/** Why a credential check failed; the APIs translate `kind` into their own codes. */
export interface AuthFailure {
  kind: 'unknown_account' | 'wrong_password' | 'locked' | 'refresh_invalid' | 'mfa_code' | 'mfa_process';
  code: number;
  msg: string;
  failedAttempts?: number;
  remainAttempts?: number;
  lockedMinutes?: number;
}

export type TokenCheck = 'ok' | 'expired' | 'invalid';

interface Issued {
  serial: number;
  issuedAt: number;
  /** The terminal the token was issued to: the Tapo app server checks app-cid against it. */
  terminalUUID: string;
}

const LOCKED_MINUTES = 30;
/** Chosen for the simulator: the reference does not document the wrong-code answer. */
export const MFA_CODE_WRONG = ERROR_CODES.mfaCodeWrong;

function token(): string {
  return `${randomBytes(4).toString('hex')}-${randomBytes(18).toString('base64url')}`;
}

export class Accounts {
  private readonly tokens = new Map<string, Issued>();
  private readonly refreshTokens = new Map<string, Issued>();
  private serial = 0;
  /** Tokens with a smaller serial were expired by `expireAll`. */
  private minSerial = 0;
  /** Refresh tokens with a smaller serial were expired by `expireRefreshTokens` (-20655). */
  private minRefreshSerial = 0;
  private failures = 0;
  private locked = false;
  private readonly trusted = new Set<string>();
  private readonly mfaProcesses = new Map<string, { terminalUUID: string; code?: string }>();
  private lastCode: string | undefined;
  readonly accountId: string;

  constructor(
    readonly username: string,
    readonly password: string,
    private readonly faults: () => Readonly<FaultOptions>,
    private readonly clock: () => number,
    private readonly rng: () => number,
    private readonly log: (line: string) => void,
  ) {
    this.accountId = String(10_000_000 + Math.floor(rng() * 89_999_999));
  }

  /** Checks credentials, counting failures towards the lock. */
  checkCredentials(username: string, password: string): AuthFailure | undefined {
    if (username.toLowerCase() !== this.username.toLowerCase()) {
      return { kind: 'unknown_account', code: ERROR_CODES.accountNotFound, msg: 'Account not found' };
    }
    if (this.locked) return this.lockFailure();
    if (!this.faults().wrongPassword && password === this.password) {
      this.failures = 0;
      return undefined;
    }
    this.failures += 1;
    const limit = this.faults().lockAfterFailures;
    if (limit > 0 && this.failures >= limit) {
      this.locked = true;
      this.log(`account ${this.username} locked after ${this.failures} failed logins`);
      return this.lockFailure();
    }
    const failure: AuthFailure = {
      kind: 'wrong_password',
      code: ERROR_CODES.wrongCredentials,
      msg: 'Incorrect email or password',
      failedAttempts: this.failures,
    };
    if (limit > 0) failure.remainAttempts = limit - this.failures;
    return failure;
  }

  private lockFailure(): AuthFailure {
    return {
      kind: 'locked',
      code: ERROR_CODES.accountLocked,
      msg: 'Account is locked',
      failedAttempts: this.failures,
      remainAttempts: 0,
      lockedMinutes: LOCKED_MINUTES,
    };
  }

  isTrusted(terminalUUID: string | undefined): boolean {
    return terminalUUID !== undefined && this.trusted.has(terminalUUID);
  }

  private issue(terminalUUID: string): { token: string; refreshToken: string } {
    const issued = () => ({ serial: this.serial++, issuedAt: this.clock(), terminalUUID });
    const pair = { token: token(), refreshToken: token() };
    this.tokens.set(pair.token, issued());
    this.refreshTokens.set(pair.refreshToken, issued());
    return pair;
  }

  /** The login result both clouds answer (Tapo adds a few fields of its own). */
  loginResult(withRefresh: boolean, terminalUUID: string): Json {
    const { token: accessToken, refreshToken } = this.issue(terminalUUID);
    const result: Json = {
      accountId: this.accountId,
      regTime: '2021-03-14 09:26:53',
      countryCode: 'DE',
      email: this.username,
      token: accessToken,
    };
    if (withRefresh) result.refreshToken = refreshToken;
    return result;
  }

  checkToken(value: string | undefined): TokenCheck {
    const issued = value === undefined ? undefined : this.tokens.get(value);
    if (!issued) return 'invalid';
    if (issued.serial < this.minSerial) return 'expired';
    const ttl = this.faults().tokenTtlS;
    if (ttl > 0 && this.clock() - issued.issuedAt >= ttl * 1000) return 'expired';
    return 'ok';
  }

  /** The terminal a (known) token was issued to. */
  terminalOf(value: string): string | undefined {
    return this.tokens.get(value)?.terminalUUID;
  }

  /** A fresh access token for a valid refresh token (refresh tokens outlive access tokens). */
  refresh(refreshToken: string): { token: string; refreshToken: string } | AuthFailure {
    if (this.locked) return this.lockFailure();
    const issued = this.refreshTokens.get(refreshToken);
    if (!issued) return { kind: 'refresh_invalid', code: ERROR_CODES.refreshTokenIncorrect, msg: 'Refresh token incorrect' };
    if (issued.serial < this.minRefreshSerial) return { kind: 'refresh_invalid', code: ERROR_CODES.refreshTokenExpired, msg: 'Refresh token expired' };
    const fresh = token();
    this.tokens.set(fresh, { serial: this.serial++, issuedAt: this.clock(), terminalUUID: issued.terminalUUID });
    return { token: fresh, refreshToken };
  }

  /** Starts a second-factor process for a terminal (login answered -20677). */
  startMfa(terminalUUID: string): string {
    const id = randomBytes(16).toString('hex');
    this.mfaProcesses.set(id, { terminalUUID });
    return id;
  }

  /** getEmailVC4TerminalMFA / getPushVC4TerminalMFA: a code for the terminal's open process. */
  sendMfaCode(terminalUUID: string): void {
    let found = false;
    const code = String(Math.floor(this.rng() * 1_000_000)).padStart(6, '0');
    for (const process of this.mfaProcesses.values()) {
      if (process.terminalUUID === terminalUUID) {
        process.code = code;
        found = true;
      }
    }
    if (!found) this.mfaProcesses.set(randomBytes(16).toString('hex'), { terminalUUID, code });
    this.lastCode = code;
    this.log(`MFA code for terminal ${terminalUUID}: ${code}`);
  }

  /** A right code ends the process and gives the terminal it was bound to. */
  checkMfaCode(processId: string, code: string, bindTerminal: boolean): AuthFailure | { terminalUUID: string } {
    const process = this.mfaProcesses.get(processId);
    if (!process) return { kind: 'mfa_process', code: ERROR_CODES.parameterMissing, msg: 'MFA process not found' };
    if (process.code === undefined || process.code !== code) {
      return { kind: 'mfa_code', code: MFA_CODE_WRONG, msg: 'Verification code is incorrect' };
    }
    this.mfaProcesses.delete(processId);
    if (bindTerminal) this.trusted.add(process.terminalUUID);
    return { terminalUUID: process.terminalUUID };
  }

  lastMfaCode(): string | undefined {
    return this.lastCode;
  }

  expireAll(): void {
    this.minSerial = this.serial;
  }

  /** Every refresh token issued so far answers -20655 (refresh token expired). */
  expireRefreshTokens(): void {
    this.minRefreshSerial = this.serial;
  }

  unlock(): void {
    this.locked = false;
    this.failures = 0;
  }
}
