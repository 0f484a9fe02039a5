/**
 * Kasa account calls: V1 login, automatic switch to the signed V2 login when
 * V1 is refused (-23003), the V2 two-factor flow, and token refresh.
 */
import { CloudError, isCloudError } from '../common/errors.js';
import { APP_VERSION_TOO_OLD, CloudAnswerError, parseResult, unwrapEnvelope } from '../common/envelope.js';
import type { IssuedTokens, LoginOptions } from '../common/session.js';
import type { CloudTokens, TokenStore } from '../common/token-store.js';
import type { Logger } from '../../logger.js';
import { accountStatusSchema, loginResultSchema, refreshResultSchema } from './schemas.js';
import { V1_APP_TYPE, V2_APP_TYPE, V2_APP_VERSION, type KasaTransport } from './transport.js';

const MFA_PUSH = 1;
const MFA_EMAIL = 2;
/** checkMFACodeAndLogin with an unknown MFAProcessId. */
const PROCESS_NOT_FOUND = -20104;

export interface KasaAccountOptions {
  transport: KasaTransport;
  store: TokenStore;
  logger: Logger;
}

export class KasaAccount {
  /** Learned in this process: V1 login was refused. Persisted with the tokens. */
  #v2 = false;

  constructor(private readonly o: KasaAccountOptions) {}

  get #config() {
    return this.o.transport.config;
  }

  async login(options: LoginOptions, previous: CloudTokens | undefined): Promise<IssuedTokens> {
    const pending = this.o.store.getPendingMfa('kasa', this.#config.username);
    if (options.mfaCode && pending) {
      try {
        return await this.#checkMfa(pending.appServerUrl, pending.processId, pending.mfaType, options.mfaCode);
      } catch (error) {
        // The saved process is gone (expired, used): start a new one below and check the code there.
        if (!isCloudError(error) || error.code !== PROCESS_NOT_FOUND) throw error;
        this.o.store.setPendingMfa('kasa', undefined);
      }
    }
    if (!this.#v2 && !previous?.v2) {
      try {
        return await this.#v1Login();
      } catch (error) {
        if (!isCloudError(error) || error.code !== APP_VERSION_TOO_OLD) throw error;
        this.o.logger.info('V1 login refused (app version too old), switching to the V2 API');
        this.#v2 = true;
      }
    }
    return this.#v2Login(options);
  }

  async refresh(tokens: CloudTokens): Promise<IssuedTokens> {
    if (!tokens.refreshToken) throw new CloudError('kasa', 'token_expired', 'kasa: no refresh token');
    const { transport } = this.o;
    const params = { appType: tokens.v2 ? V2_APP_TYPE : V1_APP_TYPE, terminalUUID: transport.terminalUUID, refreshToken: tokens.refreshToken };
    const answer =
      tokens.v2 && tokens.appServerUrl
        ? await transport.v2(tokens.appServerUrl, '/api/v2/account/refreshToken', params)
        : await transport.v1(this.#config.url, 'refreshToken', params);
    const result = parseResult('kasa', refreshResultSchema, unwrapEnvelope('kasa', answer, 'refreshToken'), 'refreshToken');
    return { ...tokens, token: result.token, refreshToken: result.refreshToken ?? tokens.refreshToken };
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

  async #accountHost(): Promise<string> {
    const answer = await this.o.transport.v2(this.#config.v2Url, '/api/v2/account/getAccountStatusAndUrl', {
      appType: V2_APP_TYPE,
      cloudUserName: this.#config.username,
    });
    const result = unwrapEnvelope('kasa', answer, 'getAccountStatusAndUrl');
    return parseResult('kasa', accountStatusSchema, result, 'getAccountStatusAndUrl').appServerUrl;
  }

  async #v2Login(options: LoginOptions): Promise<IssuedTokens> {
    const { transport } = this.o;
    const host = await this.#accountHost();
    try {
      const answer = await transport.v2(host, '/api/v2/account/login', {
        appType: V2_APP_TYPE,
        appVersion: V2_APP_VERSION,
        cloudPassword: this.#config.password,
        cloudUserName: this.#config.username,
        platform: 'Android',
        refreshTokenNeeded: true,
        supportBindAccount: false,
        terminalUUID: transport.terminalUUID,
        terminalName: 'tplink-cloud-mqtt',
        terminalMeta: 'tplink-cloud-mqtt',
      });
      return this.#tokensFrom(host, unwrapEnvelope('kasa', answer, 'V2 login'));
    } catch (error) {
      if (!(error instanceof CloudAnswerError) || error.kind !== 'mfa_required') throw error;
      return this.#secondFactor(host, error, options);
    }
  }

  /**
   * Second factor. A background login never sends a code (it would mail the
   * user every cool-down); a login a person asked for sends one and either
   * asks for it or leaves it for `login --code`.
   */
  async #secondFactor(host: string, refusal: CloudAnswerError, options: LoginOptions): Promise<IssuedTokens> {
    const processId = refusal.details.MFAProcessId;
    if (!processId) throw refusal;
    const types = refusal.details.supportedMFATypes ?? [MFA_EMAIL];
    const mfaType = types.includes(MFA_EMAIL) ? MFA_EMAIL : (types[0] ?? MFA_EMAIL);
    if (options.mfaCode) return this.#checkMfa(host, processId, mfaType, options.mfaCode);
    if (!options.interactive && !options.askCode) throw refusal;

    await this.#requestCode(host, mfaType);
    this.o.store.setPendingMfa('kasa', { username: this.#config.username, processId, mfaType, appServerUrl: host });
    if (!options.askCode) {
      throw new CloudError('kasa', 'mfa_required', 'kasa: a verification code was sent; run `tplink-cloud-mqtt login --code <code>`', {
        code: refusal.code,
      });
    }
    const code = (await options.askCode()).trim();
    return this.#checkMfa(host, processId, mfaType, code);
  }

  async #requestCode(host: string, mfaType: number): Promise<void> {
    const path = mfaType === MFA_PUSH ? '/api/v2/account/getPushVC4TerminalMFA' : '/api/v2/account/getEmailVC4TerminalMFA';
    const answer = await this.o.transport.v2(host, path, {
      appType: V2_APP_TYPE,
      cloudPassword: this.#config.password,
      cloudUserName: this.#config.username,
      terminalUUID: this.o.transport.terminalUUID,
    });
    unwrapEnvelope('kasa', answer, 'MFA code request');
    this.o.logger.info({ mfaType: mfaType === MFA_PUSH ? 'push' : 'email' }, 'two-factor verification code requested');
  }

  async #checkMfa(host: string | undefined, processId: string, mfaType: number, code: string): Promise<IssuedTokens> {
    const accountHost = host ?? (await this.#accountHost());
    const answer = await this.o.transport.v2(accountHost, '/api/v2/account/checkMFACodeAndLogin', {
      appType: V2_APP_TYPE,
      cloudUserName: this.#config.username,
      code,
      MFAProcessId: processId,
      MFAType: mfaType,
      terminalBindEnabled: true,
    });
    const tokens = this.#tokensFrom(accountHost, unwrapEnvelope('kasa', answer, 'MFA check'));
    this.o.store.setPendingMfa('kasa', undefined);
    this.#v2 = true;
    return tokens;
  }

  #tokensFrom(host: string, result: unknown): IssuedTokens {
    const login = parseResult('kasa', loginResultSchema, result, 'V2 login');
    return { token: login.token, refreshToken: login.refreshToken, v2: true, appServerUrl: host };
  }
}
