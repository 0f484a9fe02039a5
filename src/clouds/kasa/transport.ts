/**
 * How a Kasa request goes over the wire. V1: `POST <host>/` with the token
 * in the body (never in the URL: URLs end up in logs). V2: the same bodies,
 * signed (Content-MD5 + X-Authorization), with the app's query parameters
 * and the token in the query, which the HTTP layer never logs.
 */
import type { AppConfig } from '../../config/load.js';
import { joinUrl, type HttpClient, type HttpResponse } from '../common/http.js';
import { KASA_KEYS } from '../../protocol/kasa-signing.js';
import { postSigned } from '../common/signed-account.js';
import { v2TerminalQuery } from '../common/terminal.js';

export const V1_APP_TYPE = 'Kasa_Android';
export const V2_APP_TYPE = 'Kasa_Android_Mix';

export interface KasaTransportOptions {
  http: HttpClient;
  config: AppConfig['kasa'];
  terminalUUID: () => string;
}

export class KasaTransport {
  constructor(private readonly options: KasaTransportOptions) {}

  get config(): AppConfig['kasa'] {
    return this.options.config;
  }

  get terminalUUID(): string {
    return this.options.terminalUUID();
  }

  /** The query the Android app sends with V1 calls: no token here. */
  #v1Query(): Record<string, string> {
    return {
      appName: V1_APP_TYPE,
      termID: this.terminalUUID,
      appVer: '1.4.4.607',
      ospf: 'Android+12',
      netType: 'wifi',
      locale: 'en_US',
    };
  }

  #v2Query(token: string | undefined): Record<string, string> {
    return v2TerminalQuery({ name: V2_APP_TYPE, version: this.config.appVersion }, this.terminalUUID, token);
  }

  /** V1 `{method, params}` call; the token, when given, travels in params. */
  v1(host: string, method: string, params: Record<string, unknown>, token?: string): Promise<HttpResponse> {
    return this.options.http.request({
      method: 'POST',
      url: joinUrl(host, '/'),
      query: this.#v1Query(),
      json: { method, params: token === undefined ? params : { ...params, token } },
    });
  }

  /** Signed V2 call of `path` on `host` with `body` as is. */
  v2(host: string, path: string, body: Record<string, unknown>, token?: string): Promise<HttpResponse> {
    return postSigned(this.options.http, KASA_KEYS, joinUrl(host, path), body, this.#v2Query(token));
  }
}
