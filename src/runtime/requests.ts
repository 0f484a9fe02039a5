/**
 * `<base>/bridge/request/<key>` -> `<base>/bridge/response/<key>`, the
 * zigbee2mqtt way: `{status, data, error?, transaction?}` with the
 * request's `transaction` echoed back.
 */
import { clip } from '../mqtt/echo.js';
import { RequestBody, type BridgeResponse, type RequestKey, type ResponseData } from './api.js';

/** Longest request key answered on its own response topic; longer (unknown) ones answer on `response/invalid_key`. */
const MAX_KEY_LENGTH = 64;

/** The response topic's key for a request key: the key itself, unless it is too long to echo. */
export function responseKey(key: string): string {
  return key.length <= MAX_KEY_LENGTH ? key : 'invalid_key';
}

export type { BridgeResponse };

/** Gets the request's JSON object body ({} when it has none or is no object); answers with its key's `data` (runtime/api.ts). */
export type RequestHandler<K extends RequestKey = RequestKey> = (body: Record<string, unknown>) => ResponseData<K> | Promise<ResponseData<K>>;

export class BridgeRequests {
  readonly #handlers = new Map<string, RequestHandler>();

  on<K extends RequestKey>(key: K, handler: RequestHandler<K>): this {
    this.#handlers.set(key, handler);
    return this;
  }

  get keys(): string[] {
    return [...this.#handlers.keys()];
  }

  /** Answers one request; never throws. */
  async handle(key: string, payload: Buffer): Promise<BridgeResponse> {
    const transaction = transactionOf(payload);
    const withTransaction = (response: BridgeResponse): BridgeResponse =>
      transaction === undefined ? response : { ...response, transaction };
    const handler = this.#handlers.get(key);
    if (!handler) {
      return withTransaction({ status: 'error', data: {}, error: `unknown request "${clip(key)}" (known: ${this.keys.join(', ')})` });
    }
    try {
      return withTransaction({ status: 'ok', data: await handler(bodyOf(payload)) });
    } catch (error) {
      return withTransaction({ status: 'error', data: {}, error: clip(error instanceof Error ? error.message : String(error)) });
    }
  }
}

function transactionOf(payload: Buffer): string | number | undefined {
  if (payload.length === 0 || payload.length > 10_000) return undefined;
  try {
    const parsed = RequestBody.safeParse(JSON.parse(payload.toString('utf8')));
    return parsed.success ? parsed.data.transaction : undefined;
  } catch {
    return undefined;
  }
}

function bodyOf(payload: Buffer): Record<string, unknown> {
  if (payload.length === 0 || payload.length > 10_000) return {};
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
