/**
 * Tapo cloud client: the account (tapo/account.ts) and the app server's
 * things / shadows / services-sync / usage API, with the headers the
 * current app sends (tapo-cloud.md §7).
 */
import type { AppConfig } from '../../config/load.js';
import { CloudClientBase, type ClientOptionsBase, type LoginOptions } from '../common/client-base.js';
import type { IssuedTokens } from '../common/session.js';
import { CloudError, isCloudError, kindOfCode } from '../common/errors.js';
import { parseResult } from '../common/envelope.js';
import { parseEntries, type ListAnswer } from '../common/list.js';
import type { HttpRequest } from '../common/http.js';
import { joinUrl } from '../common/http.js';
import { ERROR_CODES } from '../../protocol/error-codes.js';
import type { CloudTokens } from '../common/token-store.js';
import { TAPO_APP_TYPE, TapoAccount } from './account.js';
import {
  patchAnswerSchema,
  servicesSyncAnswerSchema,
  smartAnswerSchema,
  shadowsAnswerSchema,
  tapoErrorBodySchema,
  tapoShadowSchema,
  tapoThingSchema,
  tapoUsageSchema,
  thingsPageSchema,
  type SmartResponse,
  type TapoShadow,
  type TapoThing,
  type TapoUsage,
} from './schemas.js';

export type { SmartResponse, TapoShadow, TapoThing, TapoUsage } from './schemas.js';
import type { ServicesCall } from './module.js';
export { TAPO_APP_TYPE } from './account.js';

export interface TapoClientOptions extends ClientOptionsBase {
  config: AppConfig['tapo'];
}

export interface TapoThingAddress {
  thingName: string;
  appServerUrl?: string;
}

export interface ShadowFailure {
  thingName: string;
  code?: number;
  message?: string;
}

const VERSION_CONFLICT = 11000;
/** "method does not exist", "no route" (-1 in an NBU 404 body), HTTP 404/405 without a body. */
const NO_SUCH_SERVICE = new Set<number>([ERROR_CODES.methodNotFound, -1, 404, 405]);
/** A guard against a server whose `total` never gets covered (`total: 1e9` once cost 1,000 requests a list). */
export const MAX_PAGES = 100;

/** Runs one request in a rate-limit slot (the cloud queue); a direct call by default (CLI). */
export type RequestSlot = <T>(request: () => Promise<T>) => Promise<T>;
const direct: RequestSlot = (request) => request();

/** A stale shadow version (code 11000), with the server's current version. */
class VersionConflict extends CloudError {
  constructor(
    message: string,
    readonly curVersion: number | undefined,
  ) {
    super('tapo', 'protocol', message, { code: VERSION_CONFLICT });
  }
}

interface AppRequest {
  method: HttpRequest['method'];
  host?: string | undefined;
  path: string;
  query?: HttpRequest['query'];
  json?: unknown;
  /** A POST that only reads (services-sync): retried like a GET when its answer does not parse. */
  read?: boolean;
  /** A write that must not run twice: retried only when the cloud refused it unseen (rate limit). */
  once?: boolean;
}

export class TapoClient extends CloudClientBase {
  readonly #config: AppConfig['tapo'];
  readonly #account: TapoAccount;
  /** The app server discovery named (or the setting, when refused); undefined: not asked yet. */
  #discovered: string | undefined;
  /** `/v2/things` was refused: this cloud lists on `/v1/things`. */
  #thingsV1 = false;

  constructor(options: TapoClientOptions) {
    super('tapo', options.config, options);
    this.#config = options.config;
    this.#account = new TapoAccount({ http: this.http, config: options.config, store: this.store, logger: this.logger });
  }

  /** Things per shadows request (tapo.shadowBatchSize). */
  get shadowBatchSize(): number {
    return Math.max(1, Math.floor(this.#config.shadowBatchSize));
  }

  /** True once the account logged in with the signed V2 API. */
  get usesV2(): boolean {
    return this.session.tokens?.v2 === true;
  }

  protected doLogin(options: LoginOptions, previous: CloudTokens | undefined): Promise<IssuedTokens> {
    return this.#account.login(options, previous);
  }

  protected doRefresh(tokens: CloudTokens): Promise<IssuedTokens> {
    return this.#account.refresh(tokens);
  }

  /**
   * The account's app server: asked once with getAppServiceUrlByCloudUserName
   * (it does not change with a refreshed token), else `tapo.appServerUrl`.
   */
  async #appServer(tokens: CloudTokens): Promise<string> {
    if (this.#discovered) return this.#discovered;
    let url = this.#config.appServerUrl;
    try {
      url = (await this.#account.discoverAppServer(tokens)) ?? url;
    } catch (error) {
      // Expired tokens and network trouble go the usual way; a refusal means "use the setting".
      if (!isCloudError(error) || error.kind === 'token_expired' || error.retryable || error.needsUser) throw error;
      this.logger.info({ code: error.code }, 'tapo: app-server discovery refused, using tapo.appServerUrl');
    }
    this.#discovered = url;
    return url;
  }

  /** Every thing of the account, walking all pages; things that do not parse are skipped and logged. */
  async listThings(): Promise<TapoThing[]> {
    return (await this.listThingsAnswer()).entries;
  }

  /**
   * The thing list with the count of entries that did not parse:
   * `/v2/things`, or `/v1/things` where that is refused. Paging stops when
   * pages × pageSize covers `total`, at a short or empty page, and after
   * MAX_PAGES whatever `total` says. Each page runs in `slot`, so each costs
   * one rate-limit slot. A thing's own app server (the V2 field first) is
   * kept as `appServerUrl`.
   */
  async listThingsAnswer(slot: RequestSlot = direct): Promise<ListAnswer<TapoThing>> {
    if (!this.#thingsV1) {
      try {
        return await this.#walkThings('/v2/things', slot);
      } catch (error) {
        if (!isNoSuchService(error)) throw error;
        this.logger.info({ code: error.code }, 'tapo: /v2/things refused, listing on /v1/things');
        this.#thingsV1 = true;
      }
    }
    return this.#walkThings('/v1/things', slot);
  }

  async #walkThings(path: string, slot: RequestSlot): Promise<ListAnswer<TapoThing>> {
    const raw: unknown[] = [];
    const pageSize = this.#config.pageSize;
    for (let page = 0; ; page++) {
      const query = { page: String(page), pageSize: String(pageSize) };
      const answer = await slot(() => this.#app({ method: 'GET', path, query }, (body) => parseResult('tapo', thingsPageSchema, body, 'things')));
      raw.push(...answer.data);
      const covered = (page + 1) * pageSize;
      const done = answer.total !== undefined ? covered >= answer.total : answer.data.length < pageSize;
      if (answer.data.length === 0 || done) break;
      if (page + 1 >= MAX_PAGES) {
        this.logger.warn({ total: answer.total, pages: MAX_PAGES }, `tapo: the thing list claims more than ${MAX_PAGES} pages; reading no further`);
        break;
      }
    }
    const list = parseEntries('tapo', 'thing list', raw, tapoThingSchema, 'thingName', this.logger);
    return { ...list, entries: list.entries.map((thing) => ({ ...thing, appServerUrl: thing.appServerUrlV2 || thing.appServerUrl })) };
  }

  /**
   * Shadows of many things, in batches of `shadowBatchSize` per app server.
   * A batch that fails as a whole puts its things into `failed` (with the
   * error) so one bad batch does not hide the others; auth problems throw.
   */
  async getShadows(things: TapoThingAddress[]): Promise<{ shadows: TapoShadow[]; failed: ShadowFailure[] }> {
    const byHost = new Map<string, string[]>();
    for (const thing of things) {
      const host = thing.appServerUrl || this.#config.appServerUrl;
      byHost.set(host, [...(byHost.get(host) ?? []), thing.thingName]);
    }
    const size = this.shadowBatchSize;
    const batches = [...byHost].flatMap(([host, names]) =>
      Array.from({ length: Math.ceil(names.length / size) }, (_, i) => ({ host, names: names.slice(i * size, (i + 1) * size) })),
    );
    // Side by side: the cloud's request rate limit spaces them.
    const results = await Promise.all(batches.map(({ host, names }) => this.#shadowBatch(host, names)));
    return { shadows: results.flatMap((result) => result.shadows), failed: results.flatMap((result) => result.failed) };
  }

  async #shadowBatch(host: string, batch: string[]): Promise<{ shadows: TapoShadow[]; failed: ShadowFailure[] }> {
    const shadows: TapoShadow[] = [];
    const failed: ShadowFailure[] = [];
    try {
      const answer = await this.#app({ method: 'GET', host, path: '/v1/things/shadows', query: { thingNames: batch } }, (body) =>
        parseResult('tapo', shadowsAnswerSchema, body, 'shadows'),
      );
      for (const raw of answer.shadows) {
        const shadow = tapoShadowSchema.safeParse(raw);
        if (shadow.success) shadows.push(shadow.data);
      }
      const seen = new Set(shadows.map((shadow) => shadow.thingName));
      failed.push(...answer.failThingList);
      const reported = new Set(answer.failThingList.map((entry) => entry.thingName));
      for (const name of batch) {
        if (!seen.has(name) && !reported.has(name)) failed.push({ thingName: name, message: 'missing from the answer' });
      }
    } catch (error) {
      if (!(error instanceof CloudError) || error.needsUser) throw error;
      for (const name of batch) failed.push({ thingName: name, code: error.code, message: error.message });
    }
    return { shadows, failed };
  }

  /**
   * Writes `desired` with version = known+1 (read first when unknown). On a
   * stale version (11000) retries exactly once with the server's
   * curVersion+1. Accepted is not applied: confirm via `reported`.
   */
  async patchShadow(thing: TapoThingAddress, desired: Record<string, unknown>, knownVersion?: number): Promise<{ version: number }> {
    const current = knownVersion ?? (await this.#readVersion(thing));
    try {
      return await this.#patch(thing, desired, current + 1);
    } catch (error) {
      if (!(error instanceof VersionConflict)) throw error;
      const latest = error.curVersion ?? (await this.#readVersion(thing));
      this.logger.debug({ thingName: thing.thingName, latest }, 'shadow version conflict, retrying once');
      return this.#patch(thing, desired, latest + 1);
    }
  }

  /**
   * The device's own protocol through services-sync: one `multipleRequest`
   * of read methods, answered per method (`error_code` 0 or the device's own
   * code). The cloud may answer `responseData` as an object or a JSON string.
   */
  /** The device's own methods in one multipleRequest; each answer carries its own error_code. */
  async servicesSync(thing: TapoThingAddress, calls: readonly ServicesCall[], options: { write?: boolean } = {}): Promise<SmartResponse[]> {
    const path = `/v1/things/${encodeURIComponent(thing.thingName)}/services-sync`;
    const requests = calls.map((call) => (typeof call === 'string' ? { method: call } : call.params === undefined ? { method: call.method } : { method: call.method, params: call.params }));
    const json = { serviceId: 'passthrough', inputParams: { requestData: { method: 'multipleRequest', params: { requests } } } };
    // A read, though a POST: a garbled answer is worth another try. A write is not repeated
    // on a garbled answer, and one that must not run twice (an install) not after a timeout either.
    const once = calls.some((call) => typeof call !== 'string' && call.once === true);
    return this.#app({ method: 'POST', host: thing.appServerUrl, path, json, read: !options.write, once }, (body) => smartResponses(thing, body));
  }

  /** Writes through services-sync: fails with the device's code when any call was refused. */
  async servicesWrite(thing: TapoThingAddress, calls: readonly ServicesCall[]): Promise<void> {
    const responses = await this.servicesSync(thing, calls, { write: true });
    const refused = responses.find((response) => response.error_code !== 0);
    if (refused) {
      throw new CloudError('tapo', 'protocol', `tapo: ${thing.thingName} refused ${refused.method} (${refused.error_code})`, { code: refused.error_code });
    }
  }

  /** Energy figures from the app's usage endpoint (the fallback where services-sync is refused). */
  async getUsage(thing: TapoThingAddress): Promise<TapoUsage> {
    const path = `/v1/things/${encodeURIComponent(thing.thingName)}/usage`;
    return this.#app({ method: 'GET', host: thing.appServerUrl, path }, (body) => parseResult('tapo', tapoUsageSchema, body, 'usage'));
  }

  async #readVersion(thing: TapoThingAddress): Promise<number> {
    const { shadows, failed } = await this.getShadows([thing]);
    const shadow = shadows.find((entry) => entry.thingName === thing.thingName);
    if (shadow) return shadow.version;
    const failure = failed[0];
    const code = failure?.code;
    throw new CloudError('tapo', code !== undefined ? kindOfCode(code) : 'transient', `tapo: cannot read the shadow of ${thing.thingName}`, {
      ...(code !== undefined ? { code } : {}),
    });
  }

  async #patch(thing: TapoThingAddress, desired: Record<string, unknown>, version: number): Promise<{ version: number }> {
    const request = { method: 'PATCH' as const, host: thing.appServerUrl, path: `/v1/things/${encodeURIComponent(thing.thingName)}/shadows`, json: { version, state: { desired } } };
    return this.#app(request, (body) => ({ version: parseResult('tapo', patchAnswerSchema, body, 'shadows.patch').version }));
  }

  /**
   * An authenticated app-server call with the app's headers; `parse` turns
   * the JSON body of a 2xx answer into its result. A read whose answer does
   * not parse is retried (callRead); a write is not. A bare 403 means
   * app-cid names another terminal than the token's (a state file from
   * another installation): one fresh login binds a token to this terminal.
   */
  async #app<T>(req: AppRequest, parse: (body: unknown) => T): Promise<T> {
    try {
      return await this.#appOnce(req, parse);
    } catch (error) {
      if (!isCloudError(error) || error.code !== 403) throw error;
      this.logger.warn('tapo: the app server refused app-cid for this token (403); logging in again');
      this.session.forget();
      return this.#appOnce(req, parse);
    }
  }

  #appOnce<T>(req: AppRequest, parse: (body: unknown) => T): Promise<T> {
    const send = async (tokens: CloudTokens): Promise<T> => {
      const host = req.host || (await this.#appServer(tokens));
      const answer = await this.http.request({
        method: req.method,
        url: joinUrl(host, req.path),
        headers: this.#headers(tokens),
        ...(req.query ? { query: req.query } : {}),
        ...(req.json === undefined ? {} : { json: req.json }),
      });
      return parse(checkAppAnswer(answer.status, answer.body, `${req.method} ${req.path}`));
    };
    if (req.method === 'GET' || req.read) return this.callRead(send);
    return req.once ? this.callOnce(send) : this.call(send);
  }

  /** NBU headers (tapo-cloud.md §7): app-cid names the terminal the token was issued to. */
  #headers(tokens: CloudTokens): Record<string, string> {
    const terminal = this.store.terminalUUID;
    return {
      authorization: `ut|${tokens.token}`,
      'app-cid': `app:${TAPO_APP_TYPE}:${terminal}`,
      'x-app-name': TAPO_APP_TYPE,
      'x-app-version': this.#config.nbuAppVersion,
      'x-term-id': terminal,
      'x-ospf': 'Android 12',
      'x-net-type': 'wifi',
      'x-locale': 'en_US',
      'x-strict': '0',
    };
  }
}

/** services-sync's `outputParams.responseData` (object or JSON string) -> the device's per-method answers. */
function smartResponses(thing: TapoThingAddress, body: unknown): SmartResponse[] {
  const { responseData } = parseResult('tapo', servicesSyncAnswerSchema, body, 'services-sync').outputParams;
  let data: unknown = responseData;
  if (typeof responseData === 'string') {
    try {
      data = JSON.parse(responseData);
    } catch {
      throw new CloudError('tapo', 'protocol', 'tapo: services-sync: responseData is not JSON');
    }
  }
  const answer = parseResult('tapo', smartAnswerSchema, data, 'services-sync');
  if (answer.error_code !== 0) {
    throw new CloudError('tapo', 'protocol', `tapo: services-sync refused by ${thing.thingName} (${answer.error_code})`, { code: answer.error_code });
  }
  return answer.result?.responses ?? [];
}

/**
 * The app server does not offer this call here (unknown route or method):
 * worth the older call instead. A missing thing or a broken answer is not.
 */
export function isNoSuchService(error: unknown): error is CloudError {
  return isCloudError(error) && error.code !== undefined && NO_SUCH_SERVICE.has(error.code);
}

function checkAppAnswer(status: number, body: unknown, what: string): unknown {
  if (status === 401) throw new CloudError('tapo', 'token_expired', `tapo: ${what} answered 401`, { code: 401 });
  if (status === 403) throw new CloudError('tapo', 'protocol', `tapo: ${what} answered 403 (app-cid refused)`, { code: 403 });
  const legacy = typeof body === 'object' && body !== null ? (body as { error_code?: unknown }).error_code : undefined;
  if (typeof legacy === 'number' && legacy !== 0) {
    throw new CloudError('tapo', kindOfCode(legacy), `tapo: ${what} refused (${legacy})`, { code: legacy });
  }
  if (status >= 200 && status < 300) return body;
  const parsed = tapoErrorBodySchema.safeParse(body);
  if (!parsed.success) throw new CloudError('tapo', 'protocol', `tapo: ${what} answered ${status}`, { code: status });
  const { code, message } = parsed.data;
  const text = `tapo: ${what} refused (${code}${message ? `: ${message}` : ''})`;
  if (code === VERSION_CONFLICT) throw new VersionConflict(text, parsed.data.data?.curVersion);
  throw new CloudError('tapo', status === 404 && kindOfCode(code) === 'protocol' ? 'device_not_bound' : kindOfCode(code), text, { code });
}
