/**
 * Tapo account calls (tapo-cloud.md §1, §7): the signed V2 login with the
 * Tapo key pair first, the unsigned V1 login as the fallback, switching
 * between them on the codes that say the other one is needed, two-factor,
 * refresh on the host that issued the tokens, and app-server discovery.
 */
import { z } from 'zod';
import type { AppConfig } from '../../config/load.js';
import { CloudError, isCloudError } from '../common/errors.js';
import { CloudAnswerError, parseResult, unwrapEnvelope } from '../common/envelope.js';
import { ERROR_CODES } from '../../protocol/error-codes.js';
import type { HttpClient } from '../common/http.js';
import type { IssuedTokens, LoginOptions } from '../common/session.js';
import { SignedAccount, postSigned } from '../common/signed-account.js';
import type { CloudTokens, TokenStore } from '../common/token-store.js';
import { TAPO_KEYS } from '../../protocol/kasa-signing.js';
import type { Logger } from '../../logger.js';
import { loginResultSchema, refreshResultSchema } from '../common/envelope.js';
import { joinUrl } from '../common/http.js';
import { v2TerminalQuery } from '../common/terminal.js';

export const TAPO_APP_TYPE = 'TP-Link_Tapo_Android';

/**
 * V2 refusals that mean "this cloud has no signed V2 API for you": the
 * method does not exist (-20103), the signature or key pair is refused
 * (-10008), or there is no such endpoint (HTTP 404/405). V1 is tried then.
 */
const USE_V1 = new Set<number>([ERROR_CODES.methodNotFound, ERROR_CODES.signatureInvalid, 404, 405]);
/**
 * V1 refusals that only V2 can get past: "app version too old" (-23003, how
 * TP-Link cut V1 for Kasa) and a second factor (-20677: the code can only be
 * redeemed through V2's checkMFACodeAndLogin).
 */
const USE_V2 = new Set<number>([ERROR_CODES.appVersionTooOld, ERROR_CODES.mfaRequired]);

const SERVICE_IDS = ['nbu.iot-app-server.app-v2', 'nbu.iot-cloud-gateway.app-v2', 'nbu.iot-security.appdevice-v2'];
const serviceListSchema = z.looseObject({
  serviceList: z.array(z.looseObject({ serviceId: z.string(), serviceUrl: z.string() })).default([]),
});

type Protocol = 'v1' | 'v2';

export interface TapoAccountOptions {
  http: HttpClient;
  config: AppConfig['tapo'];
  store: TokenStore;
  logger: Logger;
}

export class TapoAccount {
  readonly #signed: SignedAccount;
  /** What worked last in this process; the tokens remember it across restarts (`v2`). */
  #protocol: Protocol | undefined;

  constructor(private readonly o: TapoAccountOptions) {
    this.#signed = new SignedAccount({
      cloud: 'tapo',
      appType: TAPO_APP_TYPE,
      appVersion: o.config.appVersion,
      username: o.config.username,
      password: o.config.password,
      firstHost: this.#firstHost,
      post: (host, path, body, token) => this.#post(host, path, body, token),
      terminalUUID: () => o.store.terminalUUID,
      store: o.store,
      logger: o.logger,
    });
  }

  /** The V2 login starts on the host of the account URL (n-wap-gw answers both). */
  get #firstHost(): string {
    return new URL(this.o.config.accountUrl).origin;
  }

  #post(host: string, path: string, body: Record<string, unknown>, token?: string) {
    const terminal = this.o.store.terminalUUID;
    return postSigned(this.o.http, TAPO_KEYS, joinUrl(host, path), body, v2TerminalQuery({ name: TAPO_APP_TYPE, version: this.o.config.appVersion }, terminal, token));
  }

  async login(options: LoginOptions, previous: CloudTokens | undefined): Promise<IssuedTokens> {
    const redeemed = await this.#signed.redeemPending(options);
    if (redeemed) return this.#worked('v2', redeemed);
    const first: Protocol = this.#protocol ?? (previous?.v2 === false ? 'v1' : 'v2');
    const second: Protocol = first === 'v1' ? 'v2' : 'v1';
    try {
      return this.#worked(first, await this.#loginWith(first, options));
    } catch (error) {
      const switchCodes = first === 'v1' ? USE_V2 : USE_V1;
      if (!isCloudError(error) || error.code === undefined || !switchCodes.has(error.code)) throw error;
      this.o.logger.info({ code: error.code }, `tapo ${first.toUpperCase()} login refused, switching to ${second.toUpperCase()}`);
      return this.#worked(second, await this.#loginWith(second, options));
    }
  }

  async refresh(tokens: CloudTokens): Promise<IssuedTokens> {
    if (tokens.v2) return this.#signed.refresh(tokens, tokens.appServerUrl ?? (await this.#signed.accountHost()));
    if (!tokens.refreshToken) throw new CloudError('tapo', 'token_expired', 'tapo: no refresh token');
    // The V1 account endpoint does not refresh; the Kasa-style global host does.
    const answer = await this.o.http.request({
      method: 'POST',
      url: joinUrl(this.o.config.refreshUrl, '/'),
      json: {
        method: 'refreshToken',
        params: { appType: TAPO_APP_TYPE, refreshToken: tokens.refreshToken, terminalUUID: this.o.store.terminalUUID },
      },
    });
    const result = parseResult('tapo', refreshResultSchema, unwrapEnvelope('tapo', answer, 'refreshToken'), 'refreshToken');
    return { ...tokens, token: result.token, refreshToken: result.refreshToken ?? tokens.refreshToken };
  }

  /**
   * The app server for this account (getAppServiceUrlByCloudUserName on the
   * host that issued the tokens); undefined when the cloud does not say.
   */
  async discoverAppServer(tokens: CloudTokens): Promise<string | undefined> {
    const host = tokens.v2 && tokens.appServerUrl ? tokens.appServerUrl : this.#firstHost;
    const answer = await this.#post(
      host,
      '/api/v2/common/getAppServiceUrlByCloudUserName',
      { cloudUserName: this.o.config.username, serviceIds: SERVICE_IDS },
      tokens.token,
    );
    const result = parseResult('tapo', serviceListSchema, unwrapEnvelope('tapo', answer, 'getAppServiceUrlByCloudUserName'), 'getAppServiceUrlByCloudUserName');
    return result.serviceList.find((service) => service.serviceId === SERVICE_IDS[0])?.serviceUrl || undefined;
  }

  #worked(protocol: Protocol, tokens: IssuedTokens): IssuedTokens {
    this.#protocol = protocol;
    return tokens;
  }

  #loginWith(protocol: Protocol, options: LoginOptions): Promise<IssuedTokens> {
    return protocol === 'v2' ? this.#signed.login(options) : this.#v1Login();
  }

  async #v1Login(): Promise<IssuedTokens> {
    try {
      return await this.#v1LoginAt(this.o.config.accountUrl);
    } catch (error) {
      // Wrong region: the answer names the right server; one retry there.
      const host = error instanceof CloudAnswerError && error.code === ERROR_CODES.wrongRegion ? error.details.appServerUrl : undefined;
      if (!host) throw error;
      return this.#v1LoginAt(joinUrl(host, '/api/v1/account'));
    }
  }

  async #v1LoginAt(accountUrl: string): Promise<IssuedTokens> {
    const answer = await this.o.http.request({
      method: 'POST',
      url: accountUrl,
      json: {
        method: 'login',
        params: {
          appType: TAPO_APP_TYPE,
          cloudUserName: this.o.config.username,
          cloudPassword: this.o.config.password,
          platform: '',
          refreshTokenNeeded: true,
          terminalUUID: this.o.store.terminalUUID,
        },
      },
    });
    const result = parseResult('tapo', loginResultSchema, unwrapEnvelope('tapo', answer, 'login'), 'login');
    return { token: result.token, refreshToken: result.refreshToken, v2: false };
  }
}
