/**
 * Kasa cloud client: device list and passthrough, V1 or signed V2, with
 * sessions, expiry handling and retries from CloudClientBase.
 */
import type { AppConfig } from '../../config/load.js';
import { CloudClientBase, type ClientOptionsBase, type LoginOptions } from '../common/client-base.js';
import type { IssuedTokens } from '../common/session.js';
import { CloudError } from '../common/errors.js';
import { parseResult, unwrapEnvelope } from '../common/envelope.js';
import { parseEntries, type ListAnswer } from '../common/list.js';
import type { HttpResponse } from '../common/http.js';
import type { CloudTokens } from '../common/token-store.js';
import { KasaAccount } from './account.js';
import {
  deviceListResultSchema,
  kasaDeviceListEntrySchema,
  moduleAnswerSchema,
  passthroughResultSchema,
  type KasaDeviceListEntry,
} from './schemas.js';
import { KasaTransport } from './transport.js';
import { isRecord } from '../../model/util.js';

export type { KasaDeviceListEntry } from './schemas.js';

export interface KasaClientOptions extends ClientOptionsBase {
  config: AppConfig['kasa'];
}

export interface KasaDeviceAddress {
  deviceId: string;
  appServerUrl: string;
}

export type ModuleResult = { ok: true; value: Record<string, unknown> } | { ok: false; code: number; message: string };

/** "Account logged in elsewhere": re-login once (then a refusal stops it). */
const LOGGED_IN_ELSEWHERE = -20675;

function answerError(value: unknown): { code: number; message: string } | undefined {
  const parsed = moduleAnswerSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { err_code: code, err_msg: message } = parsed.data;
  return code !== undefined && code !== 0 ? { code, message: message ?? 'error' } : undefined;
}

/**
 * One module/method answer of a passthrough response, with `err_code`
 * checked at the module and at the method level ("module not support"
 * arrives at either), so a caller can treat a missing meter as no meter.
 */
export function moduleResult(response: Record<string, unknown>, module: string, method: string): ModuleResult {
  const moduleAnswer = response[module];
  if (!isRecord(moduleAnswer)) return { ok: false, code: -1, message: `no ${module} in the answer` };
  const moduleError = answerError(moduleAnswer);
  if (moduleError) return { ok: false, ...moduleError };
  const value = moduleAnswer[method];
  if (!isRecord(value)) return { ok: false, code: -1, message: `no ${module}.${method} in the answer` };
  const methodError = answerError(value);
  if (methodError) return { ok: false, ...methodError };
  return { ok: true, value };
}

/** Every module/method asked in `request` that failed in `response`. */
export function failedModules(request: Record<string, unknown>, response: Record<string, unknown>): string[] {
  const failed: string[] = [];
  for (const [module, methods] of Object.entries(request)) {
    if (module === 'context' || !isRecord(methods)) continue;
    for (const method of Object.keys(methods)) {
      const result = moduleResult(response, module, method);
      if (!result.ok) failed.push(`${module}.${method}: ${result.message} (${result.code})`);
    }
  }
  return failed;
}

export class KasaClient extends CloudClientBase {
  readonly #config: AppConfig['kasa'];
  readonly #transport: KasaTransport;
  readonly #account: KasaAccount;

  constructor(options: KasaClientOptions) {
    super('kasa', options.config, options);
    this.#config = options.config;
    this.#transport = new KasaTransport({ http: this.http, config: options.config, terminalUUID: () => this.store.terminalUUID });
    this.#account = new KasaAccount({ transport: this.#transport, store: this.store, logger: this.logger });
  }

  protected doLogin(options: LoginOptions, previous: CloudTokens | undefined): Promise<IssuedTokens> {
    return this.#account.login(options, previous);
  }

  protected doRefresh(tokens: CloudTokens): Promise<IssuedTokens> {
    return this.#account.refresh(tokens);
  }

  /** True once the account uses the signed V2 API. */
  get usesV2(): boolean {
    return this.session.tokens?.v2 === true;
  }

  /** Every device of the account; entries that do not parse are skipped and logged. */
  async getDeviceList(): Promise<KasaDeviceListEntry[]> {
    return (await this.getDeviceListAnswer()).entries;
  }

  /** The device list with the count of entries that did not parse (see parseEntries). */
  async getDeviceListAnswer(): Promise<ListAnswer<KasaDeviceListEntry>> {
    return this.callRead(async (tokens) => {
      const result = await this.#deviceCall(tokens.v2 ? (tokens.appServerUrl ?? this.#config.url) : this.#config.url, 'getDeviceList', {}, tokens);
      const list = parseResult('kasa', deviceListResultSchema, result, 'getDeviceList').deviceList;
      return parseEntries('kasa', 'device list', list, kasaDeviceListEntrySchema, 'deviceId', this.logger);
    });
  }

  /**
   * Sends `request` (the device's own JSON) through the device's regional
   * host. Returns responseData as an object, whether the cloud answered a
   * string or an object. Envelope errors throw (-20571 device_offline,
   * -20580/-20501 device_not_bound); module err_codes are left to the caller
   * unless `strict` (set commands), which throws on any of them.
   */
  passthrough(device: KasaDeviceAddress, request: Record<string, unknown>, options: { strict?: boolean } = {}): Promise<Record<string, unknown>> {
    // No async wrapper here nor in #passthrough: each layer is a promise and a microtask more on every command's way.
    if (options.strict) return this.passthroughStrict(device, request);
    return this.#passthrough(device, request, 'read');
  }

  #passthrough(device: KasaDeviceAddress, request: Record<string, unknown>, purpose: 'read' | 'write'): Promise<Record<string, unknown>> {
    const send = async (tokens: CloudTokens): Promise<Record<string, unknown>> => {
      const result = await this.#deviceCall(device.appServerUrl, 'passthrough', { deviceId: device.deviceId, requestData: request }, tokens);
      return responseDataOf(result);
    };
    return purpose === 'read' ? this.callRead(send) : this.call(send);
  }

  /** passthrough for set commands: throws `protocol` when any module or method answered err_code != 0. */
  async passthroughStrict(device: KasaDeviceAddress, request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const response = await this.#passthrough(device, request, 'write');
    const failed = failedModules(request, response);
    if (failed.length > 0) {
      throw new CloudError('kasa', 'protocol', `kasa: device ${device.deviceId} refused ${failed.join('; ')}`);
    }
    return response;
  }

  async #deviceCall(host: string, method: string, params: Record<string, unknown>, tokens: CloudTokens): Promise<unknown> {
    const answer: HttpResponse = tokens.v2
      ? await this.#transport.v2(host, '/', { method, params }, tokens.token)
      : await this.#transport.v1(host, method, params, tokens.token);
    try {
      return unwrapEnvelope('kasa', answer, method);
    } catch (error) {
      // Logged in elsewhere: the token is gone; renewing re-logs in once.
      if (error instanceof CloudError && error.code === LOGGED_IN_ELSEWHERE) {
        throw new CloudError('kasa', 'token_expired', error.message, { code: error.code });
      }
      throw error;
    }
  }
}

/** passthrough's responseData as an object, whether the cloud answered a string or an object. */
function responseDataOf(result: unknown): Record<string, unknown> {
  const { responseData } = parseResult('kasa', passthroughResultSchema, result, 'passthrough');
  if (isRecord(responseData)) return responseData;
  let parsed: unknown;
  try {
    parsed = JSON.parse(responseData);
  } catch {
    throw new CloudError('kasa', 'protocol', 'kasa: passthrough: responseData is not JSON');
  }
  if (!isRecord(parsed)) throw new CloudError('kasa', 'protocol', 'kasa: passthrough: responseData is not an object');
  return parsed;
}
