/**
 * Kasa account calls: V1 login, automatic switch to the signed V2 login when
 * V1 is refused (-23003), the V2 two-factor flow, and token refresh.
 */
import { isCloudError } from '../common/errors.js';
import { APP_VERSION_TOO_OLD, parseResult, unwrapEnvelope } from '../common/envelope.js';
import type { IssuedTokens, LoginOptions } from '../common/session.js';
import { SignedAccount } from '../common/signed-account.js';
import type { CloudTokens, TokenStore } from '../common/token-store.js';
import type { Logger } from '../../logger.js';
import { loginResultSchema, refreshResultSchema } from '../common/envelope.js';
import { V1_APP_TYPE, V2_APP_TYPE, type KasaTransport } from './transport.js';

export interface KasaAccountOptions {
  transport: KasaTransport;
  store: TokenStore;
  logger: Logger;
}

export class KasaAccount {
  /** Learned in this process: V1 login was refused. Persisted with the tokens. */
  #v2 = false;
  readonly #signed: SignedAccount;

  constructor(private readonly o: KasaAccountOptions) {
    const { transport } = o;
    this.#signed = new SignedAccount({
      cloud: 'kasa',
      appType: V2_APP_TYPE,
      appVersion: transport.config.appVersion,
      username: transport.config.username,
      password: transport.config.password,
      firstHost: transport.config.v2Url,
      post: (host, path, body, token) => transport.v2(host, path, body, token),
      terminalUUID: () => transport.terminalUUID,
      store: o.store,
      logger: o.logger,
    });
  }

  get #config() {
    return this.o.transport.config;
  }

  async login(options: LoginOptions, previous: CloudTokens | undefined): Promise<IssuedTokens> {
    const redeemed = await this.#signed.redeemPending(options);
    if (redeemed) return this.#usedV2(redeemed);
    if (!this.#v2 && !previous?.v2) {
      try {
        return await this.#v1Login();
      } catch (error) {
        if (!isCloudError(error) || error.code !== APP_VERSION_TOO_OLD) throw error;
        this.o.logger.info('V1 login refused (app version too old), switching to the V2 API');
        this.#v2 = true;
      }
    }
    return this.#usedV2(await this.#signed.login(options));
  }

  async refresh(tokens: CloudTokens): Promise<IssuedTokens> {
    if (tokens.v2 && tokens.appServerUrl) return this.#signed.refresh(tokens, tokens.appServerUrl);
    const { transport } = this.o;
    const params = { appType: V1_APP_TYPE, terminalUUID: transport.terminalUUID, refreshToken: tokens.refreshToken };
    const answer = await transport.v1(this.#config.url, 'refreshToken', params);
    const result = parseResult('kasa', refreshResultSchema, unwrapEnvelope('kasa', answer, 'refreshToken'), 'refreshToken');
    return { ...tokens, token: result.token, refreshToken: result.refreshToken ?? tokens.refreshToken };
  }

  #usedV2(tokens: IssuedTokens): IssuedTokens {
    this.#v2 = true;
    return tokens;
  }

  async #v1Login(): Promise<IssuedTokens> {
    const { transport } = this.o;
    const answer = await transport.v1(this.#config.url, 'login', {
      appType: V1_APP_TYPE,
      cloudUserName: this.#config.username,
      cloudPassword: this.#config.password,
      terminalUUID: transport.terminalUUID,
      refreshTokenNeeded: true,
    });
    const result = parseResult('kasa', loginResultSchema, unwrapEnvelope('kasa', answer, 'login'), 'login');
    return { token: result.token, refreshToken: result.refreshToken, v2: false };
  }
}
