/**
 * What every simulated host shares, and the request/reply shapes the HTTP
 * plumbing hands to the cloud APIs.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Accounts } from './accounts.js';
import type { Registry } from './registry.js';
import type { FaultOptions, SimulatorUrls } from './types.js';
import { isJson } from './model.js';

export interface SimContext {
  faults: FaultOptions;
  /** Simulated time (ms) for energy, token TTL and shadow application. */
  clock: () => number;
  rng: () => number;
  registry: Registry;
  accounts: Accounts;
  /** Filled once every server listens; APIs read it at request time. */
  urls: SimulatorUrls;
  log: (line: string) => void;
}

export interface SimRequest {
  host: string;
  httpMethod: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

/** What the recorder stores about a request, worked out before any fault or answer. */
export interface Described {
  api: string;
  deviceId?: string;
  thingNames?: string[];
  body: unknown;
}

export interface Reply {
  status: number;
  /** Objects are sent as JSON, strings as they are, undefined as an empty body. */
  body: unknown;
  contentType?: string;
}

export type SpecialReply = 'busy' | 'rateLimited' | 'schema';

export interface HostApi {
  cloud: 'kasa' | 'tapo';
  describe(req: SimRequest): Described;
  answer(req: SimRequest, described: Described): Reply;
  /** Fault answers whose shape differs per cloud. */
  special(kind: SpecialReply): Reply;
}

export function header(req: SimRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

/** The body as the recorder keeps it: parsed JSON, else the text as sent. */
export function recordedBody(req: SimRequest): unknown {
  const parsed = parseJson(req.rawBody);
  return parsed.ok ? parsed.value : req.rawBody;
}

/** The error code of an answer at any of the levels the clouds use, for the recorder. */
export function errorCodeOf(body: unknown): number | undefined {
  if (!isJson(body)) return undefined;
  if (typeof body.error_code === 'number' && body.error_code !== 0) return body.error_code;
  if (isJson(body.result) && body.result.errorCode !== undefined) {
    const code = Number(body.result.errorCode);
    if (Number.isFinite(code) && code !== 0) return code;
  }
  if (typeof body.code === 'number' && body.code !== 0) return body.code;
  return undefined;
}

export const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export function json(status: number, body: unknown): Reply {
  return { status, body };
}
