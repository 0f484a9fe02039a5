/**
 * The Tapo cloud hosts: the account hosts (V1 `POST /api/v1/account`, the
 * signed V2 `/api/v2/account/*` with the Tapo key pair, app-server discovery)
 * and the NBU app server (`/v1/things...`, `/v2/things`, services-sync) with
 * its header checks: app-cid must name the terminal the token was issued to.
 */
import { z } from 'zod';
import { ERROR_CODES, TAPO_KEYS } from 'tplink-cloud-mqtt/protocol';
import type { AuthFailure } from './accounts.js';
import { header, json, parseJson, recordedBody, type Described, type HostApi, type Reply, type SimContext, type SimRequest, type SpecialReply } from './context.js';
import { AccountEnvelope, V2_ACCOUNT, authenticate, describeAccountCall, kasaError, kasaOk, signatureRefusal, v2AccountCall } from './kasa-account.js';
import { isJson, type Json } from './model.js';
import { smartRequest, usageOf } from './tapo-smart.js';
import { patchShadow, settle, shadowOf, thingEntry, thingOnline } from './tapo-things.js';

export const TAPO_APP_TYPE = 'TP-Link_Tapo_Android';
/** `app:<appName>:<terminalUUID>`; the older `app:TP-Link_Tapo_Android:app` names no terminal and is refused. */
const APP_CID = /^app:(TP-Link_Tapo_(?:Android|Ios|iOS)):([0-9a-fA-F-]{36})$/;
const SHADOW_PATH = /^\/v1\/things\/([^/]+)\/shadows$/;
const USAGE_PATH = /^\/v1\/things\/([^/]+)\/usage$/;
const SYNC_PATH = /^\/v1\/things\/([^/]+)\/services-sync$/;
const DISCOVERY = '/api/v2/common/getAppServiceUrlByCloudUserName';
const MAX_PAGE_SIZE = 100;

const LoginParams = z
  .object({ cloudUserName: z.string(), cloudPassword: z.string(), terminalUUID: z.string().optional() })
  .loose();
const ShadowPatch = z.object({
  version: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
  state: z.object({ desired: z.record(z.string(), z.unknown()) }),
});

function special(kind: SpecialReply): Reply {
  if (kind === 'busy') return json(503, { code: ERROR_CODES.serverBusy, message: 'Server busy, please try again later' });
  if (kind === 'rateLimited') return json(429, { code: ERROR_CODES.apiRateLimited, message: 'Too many requests' });
  return json(200, { unexpected: true, items: 'not-a-list' });
}

/** Tapo reports account failures inside `result`, as strings, with attempt counters. */
function tapoFailure(failure: AuthFailure): Reply {
  const result: Json = {
    errorCode: String(failure.kind === 'locked' ? ERROR_CODES.loggedInElsewhere : failure.code),
    errorMsg: failure.msg,
  };
  for (const key of ['failedAttempts', 'remainAttempts', 'lockedMinutes'] as const) {
    if (failure[key] !== undefined) result[key] = failure[key];
  }
  return json(200, { error_code: 0, result });
}

const V2Body = z.object({ appType: z.string().optional() }).loose();
const DiscoveryBody = z.object({ cloudUserName: z.string(), serviceIds: z.array(z.string()) }).loose();

/** What getAppServiceUrlByCloudUserName knows, by service id. */
function serviceUrl(ctx: SimContext, serviceId: string): string | undefined {
  const app = ctx.urls.tapo.appServerUrl;
  if (serviceId === 'nbu.iot-app-server.app-v2' || serviceId === 'nbu.iot-security.appdevice-v2') return app;
  if (serviceId === 'nbu.iot-cloud-gateway.app-v2') return app.replace(/^http/, 'ws');
  return undefined;
}

/** `POST /api/v2/common/getAppServiceUrlByCloudUserName` (signed, token in the query). */
function discovery(ctx: SimContext, req: SimRequest, body: Json): Reply {
  const check = ctx.accounts.checkToken(req.query.get('token') ?? undefined);
  if (check === 'expired') return kasaError(ERROR_CODES.tokenExpired, 'Token expired');
  if (check === 'invalid') return kasaError(ERROR_CODES.tokenIncorrect, 'Token incorrect');
  const parsed = DiscoveryBody.safeParse(body);
  if (!parsed.success) return kasaError(ERROR_CODES.parameterMissing, 'Parameter does not exist');
  const serviceList = parsed.data.serviceIds.flatMap((serviceId) => {
    const url = serviceUrl(ctx, serviceId);
    return url ? [{ serviceId, serviceUrl: url }] : [];
  });
  return kasaOk({ serviceList });
}

/** The unsigned V1 login (`{method: "login", params}`), failures in `result` as strings. */
function v1Login(ctx: SimContext, rawBody: string): Reply {
  const parsed = parseJson(rawBody);
  const envelope = parsed.ok ? AccountEnvelope.safeParse(parsed.value) : undefined;
  if (!envelope?.success) return json(200, { error_code: ERROR_CODES.jsonFormatError, msg: 'JSON format error' });
  // Real endpoint: refreshToken here is "method not supported"; refresh goes to the Kasa wap host.
  if (envelope.data.method !== 'login') return json(200, { error_code: ERROR_CODES.methodNotFound, msg: 'Method not supported' });
  const login = LoginParams.safeParse(envelope.data.params ?? {});
  if (!login.success) return json(200, { error_code: ERROR_CODES.parameterMissing, msg: 'Parameter does not exist' });
  const outcome = authenticate(ctx, 'tapo-v1', login.data, true);
  if (outcome.ok) return json(200, { error_code: 0, result: { ...outcome.result, riskDetected: 0, nickname: 'Demo', errorCode: '0' } });
  if ('failure' in outcome) return tapoFailure(outcome.failure);
  if ('mfaProcessId' in outcome) {
    return json(200, {
      error_code: 0,
      result: {
        errorCode: String(ERROR_CODES.mfaRequired),
        errorMsg: 'Two-factor authentication required',
        MFAProcessId: outcome.mfaProcessId,
        supportedMFATypes: [1, 2],
      },
    });
  }
  return json(200, { error_code: ERROR_CODES.appVersionTooOld, msg: 'App version is too old' });
}

/**
 * A Tapo account host. `first` is where clients start (V1 login, and
 * getAccountStatusAndUrl, which names the regional host); the regional host
 * logs in, refreshes, runs the second factor and names the app server.
 */
export function tapoAccountApi(ctx: SimContext, role: 'first' | 'regional'): HostApi {
  const regional = (): string => ctx.urls.tapo.v2RegionalUrl;
  return {
    cloud: 'tapo',
    special,
    describe(req: SimRequest): Described {
      return req.path === DISCOVERY ? { api: 'getAppServiceUrlByCloudUserName', body: recordedBody(req) } : describeAccountCall(req);
    },
    answer(req: SimRequest): Reply {
      if (req.httpMethod !== 'POST') return json(404, { code: -1, message: 'Not found' });
      if (req.path === '/api/v1/account' && role === 'first') return v1Login(ctx, req.rawBody);
      const isV2 = req.path.startsWith(V2_ACCOUNT) || req.path === DISCOVERY;
      if (!isV2) return json(404, { code: -1, message: 'Not found' });
      if (ctx.faults.tapoV1Only) return kasaError(ERROR_CODES.methodNotFound, 'Method does not exist');
      const refused = signatureRefusal(req, [TAPO_KEYS]);
      if (refused) return refused;
      const parsed = parseJson(req.rawBody);
      if (!parsed.ok || !isJson(parsed.value)) return kasaError(ERROR_CODES.jsonFormatError, 'JSON format error');
      const body = parsed.value;
      if (req.path === DISCOVERY) return role === 'regional' ? discovery(ctx, req, body) : kasaError(ERROR_CODES.methodNotFound, 'Method does not exist');
      const name = req.path.slice(V2_ACCOUNT.length);
      const appType = V2Body.safeParse(body).data?.appType;
      if (appType !== TAPO_APP_TYPE) return kasaError(ERROR_CODES.parameterMissing, `appType ${appType ?? '(none)'} is not a Tapo app`);
      // The first host only says where the account lives; everything else is the regional host's.
      if (role === 'first' && name !== 'getAccountStatusAndUrl') {
        return kasaError(ERROR_CODES.wrongRegion, 'Please log in on the server of your region', { appServerUrl: regional() });
      }
      return v2AccountCall(ctx, name, body, regional(), 'tapo-v2');
    },
  };
}

function thingNamesOf(query: URLSearchParams): string[] {
  return query
    .getAll('thingNames')
    .flatMap((value) => value.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

function notFound(name: string): Reply {
  return json(404, { code: ERROR_CODES.deviceIdNotFound, message: `Thing ${name} not found` });
}

function listThings(ctx: SimContext, query: URLSearchParams, v2: boolean): Reply {
  const page = Math.max(0, Number.parseInt(query.get('page') ?? '0', 10) || 0);
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Number.parseInt(query.get('pageSize') ?? '20', 10) || 20));
  const all = ctx.registry.things();
  const slice = all.slice(page * size, page * size + size);
  return json(200, {
    page,
    pageSize: size,
    total: all.length,
    data: slice.map((thing) => thingEntry(ctx.registry, thing, ctx.urls.tapo.thingsUrl, v2, ctx.clock())),
  });
}

function readShadows(ctx: SimContext, names: string[]): Reply {
  const shadows: Json[] = [];
  const failThingList: Json[] = [];
  const now = ctx.clock();
  for (const name of names) {
    const thing = ctx.registry.tapo.get(name);
    if (!thing) {
      failThingList.push({ thingName: name, code: ERROR_CODES.deviceIdNotFound, message: 'Thing does not exist' });
      continue;
    }
    settle(ctx.registry, thing, now);
    shadows.push(shadowOf(thing, now));
  }
  return json(200, { shadows, failThingList });
}

function writeShadow(ctx: SimContext, name: string, rawBody: string): Reply {
  const thing = ctx.registry.tapo.get(name);
  if (!thing) return notFound(name);
  const parsed = parseJson(rawBody);
  const patch = parsed.ok ? ShadowPatch.safeParse(parsed.value) : undefined;
  if (!patch?.success) return json(400, { code: ERROR_CODES.jsonFormatError, message: 'Invalid request body' });
  const outcome = patchShadow(
    ctx.registry,
    thing,
    patch.data.version,
    patch.data.state.desired,
    ctx.clock(),
    ctx.faults.shadowApplyDelayMs,
  );
  if (outcome.ok) return json(200, { version: outcome.version, requestId: outcome.requestId });
  return json(409, {
    code: 11000,
    message: `[${outcome.requestId}] Update version is smaller than present version.`,
    data: { curVersion: outcome.curVersion },
  });
}

const BARE_403: Reply = { status: 403, body: undefined };

/**
 * The gateway's checks: app-cid names the app and a terminal, the x-* headers
 * agree with it, the token is valid (401 otherwise) and was issued to that
 * very terminal. Any header problem is a bare 403, as the real cloud answers.
 */
function authReply(ctx: SimContext, req: SimRequest): Reply | undefined {
  const cid = APP_CID.exec(header(req, 'app-cid') ?? '');
  if (!cid) return BARE_403;
  const [, appName, terminal] = cid;
  if (header(req, 'x-app-name') !== appName || header(req, 'x-term-id') !== terminal || !header(req, 'x-app-version')) return BARE_403;
  const auth = header(req, 'authorization') ?? '';
  const token = auth.startsWith('ut|') ? auth.slice(3) : '';
  const check = ctx.accounts.checkToken(token);
  if (check === 'expired') return json(401, { code: ERROR_CODES.tokenExpired, message: 'Token expired' });
  if (check === 'invalid') return json(401, { code: ERROR_CODES.tokenIncorrect, message: 'Token incorrect' });
  if (ctx.accounts.terminalOf(token) !== terminal) return BARE_403;
  return undefined;
}

const SyncBody = z.object({
  serviceId: z.literal('passthrough'),
  inputParams: z.object({ requestData: z.union([z.string(), z.record(z.string(), z.unknown())]) }),
});

/** `POST /v1/things/{id}/services-sync`: the device's own protocol, answered in the shape asked (string or object). */
function servicesSync(ctx: SimContext, name: string, rawBody: string): Reply {
  if (ctx.faults.tapoV1Only) return json(404, { code: ERROR_CODES.methodNotFound, message: 'Service not supported' });
  const thing = ctx.registry.tapo.get(name);
  if (!thing) return notFound(name);
  const parsed = parseJson(rawBody);
  const body = parsed.ok ? SyncBody.safeParse(parsed.value) : undefined;
  if (!body?.success) return json(400, { code: ERROR_CODES.jsonFormatError, message: 'Invalid request body' });
  if (!thingOnline(ctx.registry, thing, ctx.clock())) return json(400, { code: ERROR_CODES.deviceOffline, message: 'Device is offline' });
  const { requestData } = body.data.inputParams;
  const inner = typeof requestData === 'string' ? parseJson(requestData) : { ok: true as const, value: requestData };
  if (!inner.ok || !isJson(inner.value)) return json(400, { code: ERROR_CODES.jsonFormatError, message: 'Invalid requestData' });
  const answer = smartRequest(ctx.registry, thing, inner.value, ctx.clock());
  return json(200, { outputParams: { responseData: typeof requestData === 'string' ? JSON.stringify(answer) : answer } });
}

export function tapoAppApi(ctx: SimContext): HostApi {
  return {
    cloud: 'tapo',
    special,
    describe(req: SimRequest): Described {
      const body = req.rawBody === '' ? undefined : recordedBody(req);
      if (req.path === '/v1/things') return { api: 'things', body };
      if (req.path === '/v2/things') return { api: 'things.v2', body };
      const sync = SYNC_PATH.exec(req.path);
      if (sync?.[1]) return { api: 'services-sync', deviceId: decodeURIComponent(sync[1]), body };
      if (req.path === '/v1/things/shadows') return { api: 'shadows.get', thingNames: thingNamesOf(req.query), body };
      const shadow = SHADOW_PATH.exec(req.path);
      if (shadow?.[1]) {
        const api = req.httpMethod === 'PATCH' ? 'shadows.patch' : 'shadow.get';
        return { api, deviceId: decodeURIComponent(shadow[1]), body };
      }
      const usage = USAGE_PATH.exec(req.path);
      if (usage?.[1]) return { api: 'usage', deviceId: decodeURIComponent(usage[1]), body };
      return { api: 'unknown', body };
    },
    answer(req: SimRequest, described: Described): Reply {
      const denied = authReply(ctx, req);
      if (denied) return denied;
      const id = described.deviceId ?? '';
      const key = `${req.httpMethod} ${described.api}`;
      switch (key) {
        case 'GET things':
          return listThings(ctx, req.query, false);
        case 'GET things.v2':
          return ctx.faults.tapoV1Only ? json(404, { code: -1, message: 'Not found' }) : listThings(ctx, req.query, true);
        case 'POST services-sync':
          return servicesSync(ctx, id, req.rawBody);
        case 'GET shadows.get':
          return readShadows(ctx, described.thingNames ?? []);
        case 'GET shadow.get': {
          const thing = ctx.registry.tapo.get(id);
          if (!thing) return notFound(id);
          settle(ctx.registry, thing, ctx.clock());
          return json(200, shadowOf(thing, ctx.clock()));
        }
        case 'PATCH shadows.patch':
          return writeShadow(ctx, id, req.rawBody);
        case 'GET usage': {
          const thing = ctx.registry.tapo.get(id);
          if (!thing) return notFound(id);
          const usage = usageOf(ctx.registry, thing, ctx.clock());
          if (!usage) return json(400, { code: ERROR_CODES.methodNotFound, message: `Energy usage is not supported by ${thing.model}` });
          return json(200, usage);
        }
        default:
          if (req.path.startsWith('/v1/requests/')) {
            return json(200, { requestId: req.path.slice('/v1/requests/'.length), code: 0, message: 'success', data: {} });
          }
          return json(404, { code: -1, message: `No route for ${req.httpMethod} ${req.path}` });
      }
    },
  };
}
