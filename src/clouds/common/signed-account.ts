/**
 * The signed V2 account flow both TP-Link apps use (kasa-cloud.md §2,
 * tapo-cloud.md §7): getAccountStatusAndUrl names the account's regional
 * host, login there, the second factor (-20677 -> code by e-mail or push ->
 * checkMFACodeAndLogin bound to this terminal), and refreshToken. The cloud
 * decides the app type, app version and how a request is signed and sent.
 */
import { z } from 'zod';
import { CloudError, isCloudError } from './errors.js';
import type { CloudName } from '../../model/node.js';
import { CloudAnswerError, parseResult, unwrapEnvelope } from './envelope.js';
import type { HttpClient, HttpResponse } from './http.js';
import { signRequest, type KeyPair } from '../../protocol/kasa-signing.js';
import { ERROR_CODES } from '../../protocol/error-codes.js';
import type { IssuedTokens, LoginOptions } from './session.js';
import type { CloudTokens, TokenStore } from './token-store.js';
import type { Logger } from '../../logger.js';

const MFA_PUSH = 1;
const MFA_EMAIL = 2;
/** checkMFACodeAndLogin with an unknown MFAProcessId. */
const PROCESS_NOT_FOUND = ERROR_CODES.parameterMissing;

const accountStatusSchema = z.looseObject({ appServerUrl: z.string().min(1), accountStatus: z.number().optional() });
const loginResultSchema = z.looseObject({ token: z.string().min(1), refreshToken: z.string().optional() });

/** One signed V2 POST of `body` as is (the signature covers these exact bytes and the path). */
export function postSigned(
  http: HttpClient,
  keys: KeyPair,
  url: string,
  body: Record<string, unknown>,
  query: Record<string, string>,
): Promise<HttpResponse> {
  const rawBody = JSON.stringify(body);
  return http.request({ method: 'POST', url, query, rawBody, headers: signRequest(rawBody, new URL(url).pathname, keys) });
}

export interface SignedAccountOptions {
  cloud: CloudName;
  appType: string;
  appVersion: string;
  username: string;
  password: string;
  /** Where getAccountStatusAndUrl is asked. */
  firstHost: string;
  /** Sends one signed V2 call (the token, when given, in the query). */
  post: (host: string, path: string, body: Record<string, unknown>, token?: string) => Promise<HttpResponse>;
  terminalUUID: () => string;
  store: TokenStore;
  logger: Logger;
}

export class SignedAccount {
  constructor(private readonly o: SignedAccountOptions) {}

  /** The account's regional host (getAccountStatusAndUrl). */
  async accountHost(): Promise<string> {
    const { o } = this;
    const answer = await o.post(o.firstHost, '/api/v2/account/getAccountStatusAndUrl', { appType: o.appType, cloudUserName: o.username });
    const result = unwrapEnvelope(o.cloud, answer, 'getAccountStatusAndUrl');
    return parseResult(o.cloud, accountStatusSchema, result, 'getAccountStatusAndUrl').appServerUrl;
  }

  /**
   * Redeems a code the user gave (`login --code`) against the process saved
   * when the code was sent; undefined when there is none or it is gone.
   */
  async redeemPending(options: LoginOptions): Promise<IssuedTokens | undefined> {
    const pending = this.o.store.getPendingMfa(this.o.cloud, this.o.username);
    if (!options.mfaCode || !pending) return undefined;
    try {
      return await this.#checkMfa(pending.appServerUrl, pending.processId, pending.mfaType, options.mfaCode);
    } catch (error) {
      // The saved process is gone (expired, used): the caller starts a new one and checks the code there.
      if (!isCloudError(error) || error.code !== PROCESS_NOT_FOUND) throw error;
      this.o.store.setPendingMfa(this.o.cloud, undefined);
      return undefined;
    }
  }

  async login(options: LoginOptions): Promise<IssuedTokens> {
    const { o } = this;
    const host = await this.accountHost();
    try {
      const answer = await o.post(host, '/api/v2/account/login', {
        appType: o.appType,
        appVersion: o.appVersion,
        cloudPassword: o.password,
        cloudUserName: o.username,
        platform: 'Android',
        refreshTokenNeeded: true,
        supportBindAccount: false,
        terminalUUID: o.terminalUUID(),
        terminalName: 'tplink-cloud-mqtt',
        terminalMeta: 'tplink-cloud-mqtt',
      });
      return this.#tokensFrom(host, unwrapEnvelope(o.cloud, answer, 'V2 login'));
    } catch (error) {
      if (!(error instanceof CloudAnswerError) || error.kind !== 'mfa_required') throw error;
      return this.secondFactor(host, error, options);
    }
  }

  async refresh(tokens: CloudTokens, host: string): Promise<IssuedTokens> {
    const { o } = this;
    if (!tokens.refreshToken) throw new CloudError(o.cloud, 'token_expired', `${o.cloud}: no refresh token`);
    const answer = await o.post(host, '/api/v2/account/refreshToken', {
      appType: o.appType,
      refreshToken: tokens.refreshToken,
      terminalUUID: o.terminalUUID(),
    });
    const result = parseResult(o.cloud, loginResultSchema, unwrapEnvelope(o.cloud, answer, 'refreshToken'), 'refreshToken');
    return { ...tokens, token: result.token, refreshToken: result.refreshToken ?? tokens.refreshToken };
  }

  /**
   * Second factor. A background login never sends a code (it would mail the
   * user every cool-down); a login a person asked for sends one and either
   * asks for it or leaves it for `login --code`. `host` is where the process
   * lives (a V1 refusal has none: the regional host is asked).
   */
  async secondFactor(host: string | undefined, refusal: CloudAnswerError, options: LoginOptions): Promise<IssuedTokens> {
    const { o } = this;
    const processId = refusal.details.MFAProcessId;
    if (!processId) throw refusal;
    const types = refusal.details.supportedMFATypes ?? [MFA_EMAIL];
    const mfaType = types.includes(MFA_EMAIL) ? MFA_EMAIL : (types[0] ?? MFA_EMAIL);
    if (options.mfaCode) return this.#checkMfa(host, processId, mfaType, options.mfaCode);
    if (!options.interactive && !options.askCode) throw refusal;

    const accountHost = host ?? (await this.accountHost());
    await this.#requestCode(accountHost, mfaType);
    o.store.setPendingMfa(o.cloud, { username: o.username, processId, mfaType, appServerUrl: accountHost });
    if (!options.askCode) {
      throw new CloudError(o.cloud, 'mfa_required', `${o.cloud}: a verification code was sent; run \`tplink-cloud-mqtt login --code <code>\``, {
        code: refusal.code,
      });
    }
    const code = (await options.askCode()).trim();
    return this.#checkMfa(accountHost, processId, mfaType, code);
  }

  async #requestCode(host: string, mfaType: number): Promise<void> {
    const { o } = this;
    const path = mfaType === MFA_PUSH ? '/api/v2/account/getPushVC4TerminalMFA' : '/api/v2/account/getEmailVC4TerminalMFA';
    const answer = await o.post(host, path, {
      appType: o.appType,
      cloudPassword: o.password,
      cloudUserName: o.username,
      terminalUUID: o.terminalUUID(),
    });
    unwrapEnvelope(o.cloud, answer, 'MFA code request');
    o.logger.info({ mfaType: mfaType === MFA_PUSH ? 'push' : 'email' }, 'two-factor verification code requested');
  }

  async #checkMfa(host: string | undefined, processId: string, mfaType: number, code: string): Promise<IssuedTokens> {
    const { o } = this;
    const accountHost = host ?? (await this.accountHost());
    const answer = await o.post(accountHost, '/api/v2/account/checkMFACodeAndLogin', {
      appType: o.appType,
      cloudUserName: o.username,
      code,
      MFAProcessId: processId,
      MFAType: mfaType,
      terminalBindEnabled: true,
    });
    const tokens = this.#tokensFrom(accountHost, unwrapEnvelope(o.cloud, answer, 'MFA check'));
    o.store.setPendingMfa(o.cloud, undefined);
    return tokens;
  }

  #tokensFrom(host: string, result: unknown): IssuedTokens {
    const login = parseResult(this.o.cloud, loginResultSchema, result, 'V2 login');
    return { token: login.token, refreshToken: login.refreshToken, v2: true, appServerUrl: host };
  }
}
