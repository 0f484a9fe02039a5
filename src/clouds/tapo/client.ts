/**
 * Tapo cloud client: account login on the account endpoint, Kasa-style
 * token refresh, and the app server's things / shadows / usage API.
 */
import type { AppConfig } from '../../config/load.js';
import { CloudClientBase, type ClientOptionsBase, type LoginOptions } from '../common/client-base.js';
import type { IssuedTokens } from '../common/session.js';
import { CloudError, kindOfCode } from '../common/errors.js';
import { CloudAnswerError, parseResult, unwrapEnvelope } from '../common/envelope.js';
import { parseEntries, type ListAnswer } from '../common/list.js';
import type { HttpRequest } from '../common/http.js';
import { loginResultSchema, refreshResultSchema } from '../kasa/schemas.js';
import { joinUrl } from '../kasa/transport.js';
import type { CloudTokens } from '../common/token-store.js';
import {
  patchAnswerSchema,
  shadowsAnswerSchema,
  tapoErrorBodySchema,
  tapoShadowSchema,
  tapoThingSchema,
  tapoUsageSchema,
  thingsPageSchema,
  type TapoShadow,
  type TapoThing,
  type TapoUsage,
} from './schemas.js';

export type { TapoShadow, TapoThing, TapoUsage } from './schemas.js';

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

export const TAPO_APP_TYPE = 'TP-Link_Tapo_Android';
const APP_CID = 'app:TP-Link_Tapo_Android:app';
const VERSION_CONFLICT = 11000;
const WRONG_REGION = -20212;
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

export class TapoClient extends CloudClientBase {
  readonly #config: AppConfig['tapo'];

  constructor(options: TapoClientOptions) {
    super('tapo', options.config, options);
    this.#config = options.config;
  }

  /** Things per shadows request (the bridge batches its queue jobs the same way). */
  get shadowBatchSize(): number {
    return Math.max(1, Math.floor(this.#config.shadowBatchSize));
  }

  protected async doLogin(_options: LoginOptions, _previous: CloudTokens | undefined): Promise<IssuedTokens> {
    try {
      return await this.#login(this.#config.accountUrl);
    } catch (error) {
      // Wrong region: the answer names the right server; one retry there.
      const host = error instanceof CloudAnswerError && error.code === WRONG_REGION ? error.details.appServerUrl : undefined;
      if (!host) throw error;
      return this.#login(joinUrl(host, '/api/v1/account'));
    }
  }

  async #login(accountUrl: string): Promise<IssuedTokens> {
    const answer = await this.http.request({
      method: 'POST',
      url: accountUrl,
      json: {
        method: 'login',
        params: {
          appType: TAPO_APP_TYPE,
          cloudUserName: this.#config.username,
          cloudPassword: this.#config.password,
          platform: '',
          refreshTokenNeeded: true,
          terminalUUID: this.store.terminalUUID,
        },
      },
    });
    const result = parseResult('tapo', loginResultSchema, unwrapEnvelope('tapo', answer, 'login'), 'login');
    return { token: result.token, refreshToken: result.refreshToken };
  }

  /** The account endpoint does not refresh; the Kasa-style global host does. */
  protected async doRefresh(tokens: CloudTokens): Promise<IssuedTokens> {
    if (!tokens.refreshToken) throw new CloudError('tapo', 'token_expired', 'tapo: no refresh token');
    const answer = await this.http.request({
      method: 'POST',
      url: joinUrl(this.#config.refreshUrl, '/'),
      json: {
        method: 'refreshToken',
        params: { appType: TAPO_APP_TYPE, refreshToken: tokens.refreshToken, terminalUUID: this.store.terminalUUID },
      },
    });
    const result = parseResult('tapo', refreshResultSchema, unwrapEnvelope('tapo', answer, 'refreshToken'), 'refreshToken');
    return { token: result.token, refreshToken: result.refreshToken ?? tokens.refreshToken };
  }

  /** Every thing of the account, walking all pages; things that do not parse are skipped and logged. */
  async listThings(): Promise<TapoThing[]> {
    return (await this.listThingsAnswer()).entries;
  }

  /**
   * The thing list with the count of entries that did not parse. Paging
   * stops when pages × pageSize covers `total`, at a short or empty page, and
   * after MAX_PAGES whatever `total` says. Each page runs in `slot`, so each
   * costs one rate-limit slot.
   */
  async listThingsAnswer(slot: RequestSlot = direct): Promise<ListAnswer<TapoThing>> {
    const raw: unknown[] = [];
    const pageSize = this.#config.pageSize;
    for (let page = 0; ; page++) {
      const query = { page: String(page), pageSize: String(pageSize) };
      const answer = await slot(() => this.#app({ method: 'GET', path: '/v1/things', query }, (body) => parseResult('tapo', thingsPageSchema, body, 'things')));
      raw.push(...answer.data);
      const covered = (page + 1) * pageSize;
      const done = answer.total !== undefined ? covered >= answer.total : answer.data.length < pageSize;
      if (answer.data.length === 0 || done) break;
      if (page + 1 >= MAX_PAGES) {
        this.logger.warn({ total: answer.total, pages: MAX_PAGES }, `tapo: the thing list claims more than ${MAX_PAGES} pages; reading no further`);
        break;
      }
    }
    return parseEntries('tapo', 'thing list', raw, tapoThingSchema, 'thingName', this.logger);
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
    const shadows: TapoShadow[] = [];
    const failed: ShadowFailure[] = [];
    const size = this.shadowBatchSize;
    for (const [host, names] of byHost) {
      for (let at = 0; at < names.length; at += size) {
        const batch = names.slice(at, at + size);
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
      }
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

  /** Energy figures (not part of the shadow). */
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
   * An authenticated app-server call; `parse` turns the JSON body of a 2xx
   * answer into its result. A GET whose answer does not parse is retried
   * (callRead); a write is not.
   */
  #app<T>(
    req: { method: HttpRequest['method']; host?: string | undefined; path: string; query?: HttpRequest['query']; json?: unknown },
    parse: (body: unknown) => T,
  ): Promise<T> {
    const send = async (tokens: CloudTokens): Promise<T> => {
      const answer = await this.http.request({
        method: req.method,
        url: joinUrl(req.host || this.#config.appServerUrl, req.path),
        headers: { authorization: `ut|${tokens.token}`, 'app-cid': APP_CID },
        ...(req.query ? { query: req.query } : {}),
        ...(req.json === undefined ? {} : { json: req.json }),
      });
      return parse(checkAppAnswer(answer.status, answer.body, `${req.method} ${req.path}`));
    };
    return req.method === 'GET' ? this.callRead(send) : this.call(send);
  }
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
