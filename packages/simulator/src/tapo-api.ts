/**
 * The Tapo cloud hosts: the account endpoint (`POST /api/v1/account`) and
 * the NBU app server (`/v1/things...`) with its header checks.
 */
import { z } from 'zod';
import type { AuthFailure } from './accounts.js';
import {
  header,
  json,
  parseJson,
  type Described,
  type HostApi,
  type Reply,
  type SimContext,
  type SimRequest,
  type SpecialReply,
} from './context.js';
import { authenticate } from './kasa-account.js';
import type { Json } from './model.js';
import { patchShadow, settle, shadowOf, thingEntry, usageOf } from './tapo-things.js';

const APP_CID = /^app:TP-Link_Tapo_(Android|Ios|iOS):app$/;
const SHADOW_PATH = /^\/v1\/things\/([^/]+)\/shadows$/;
const USAGE_PATH = /^\/v1\/things\/([^/]+)\/usage$/;
const MAX_PAGE_SIZE = 100;

const AccountEnvelope = z.object({ method: z.string(), params: z.record(z.string(), z.unknown()).optional() });
const LoginParams = z
  .object({ cloudUserName: z.string(), cloudPassword: z.string(), terminalUUID: z.string().optional() })
  .loose();
const ShadowPatch = z.object({
  version: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
  state: z.object({ desired: z.record(z.string(), z.unknown()) }),
});

function special(kind: SpecialReply): Reply {
  if (kind === 'busy') return json(503, { code: -20003, message: 'Server busy, please try again later' });
  if (kind === 'rateLimited') return json(429, { code: -20004, message: 'Too many requests' });
  return json(200, { unexpected: true, items: 'not-a-list' });
}

/** Tapo reports account failures inside `result`, as strings, with attempt counters. */
function tapoFailure(failure: AuthFailure): Reply {
  const result: Json = {
    errorCode: String(failure.kind === 'locked' ? -20675 : failure.code),
    errorMsg: failure.msg,
  };
  for (const key of ['failedAttempts', 'remainAttempts', 'lockedMinutes'] as const) {
    if (failure[key] !== undefined) result[key] = failure[key];
  }
  return json(200, { error_code: 0, result });
}

export function tapoAccountApi(ctx: SimContext): HostApi {
  return {
    cloud: 'tapo',
    special,
    describe(req: SimRequest): Described {
      const parsed = parseJson(req.rawBody);
      const body = parsed.ok ? parsed.value : req.rawBody;
      const envelope = AccountEnvelope.safeParse(body);
      return { api: envelope.success ? envelope.data.method : 'unknown', body };
    },
    answer(req: SimRequest): Reply {
      if (req.path !== '/api/v1/account' || req.httpMethod !== 'POST') return json(404, { code: -1, message: 'Not found' });
      const parsed = parseJson(req.rawBody);
      const envelope = parsed.ok ? AccountEnvelope.safeParse(parsed.value) : undefined;
      if (!envelope?.success) return json(200, { error_code: -10100, msg: 'JSON format error' });
      // Real endpoint: refreshToken here is "method not supported"; refresh goes to the Kasa wap host.
      if (envelope.data.method !== 'login') return json(200, { error_code: -20103, msg: 'Method not supported' });
      const login = LoginParams.safeParse(envelope.data.params ?? {});
      if (!login.success) return json(200, { error_code: -20104, msg: 'Parameter does not exist' });
      const outcome = authenticate(ctx, 'tapo', login.data, true);
      if (outcome.ok) {
        return json(200, {
          error_code: 0,
          result: { ...outcome.result, riskDetected: 0, nickname: 'Demo', errorCode: '0' },
        });
      }
      if ('failure' in outcome) return tapoFailure(outcome.failure);
      if ('mfaProcessId' in outcome) {
        return json(200, {
          error_code: 0,
          result: {
            errorCode: '-20677',
            errorMsg: 'Two-factor authentication required',
            MFAProcessId: outcome.mfaProcessId,
            supportedMFATypes: [1, 2],
          },
        });
      }
      return json(200, { error_code: -23003, msg: 'App version is too old' });
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
  return json(404, { code: -20501, message: `Thing ${name} not found` });
}

function listThings(ctx: SimContext, query: URLSearchParams): Reply {
  const page = Math.max(0, Number.parseInt(query.get('page') ?? '0', 10) || 0);
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Number.parseInt(query.get('pageSize') ?? '20', 10) || 20));
  const all = ctx.registry.things();
  const slice = all.slice(page * size, page * size + size);
  return json(200, {
    page,
    pageSize: size,
    total: all.length,
    data: slice.map((thing) => thingEntry(ctx.registry, thing, ctx.urls.tapo.appServerUrl)),
  });
}

function readShadows(ctx: SimContext, names: string[]): Reply {
  const shadows: Json[] = [];
  const failThingList: Json[] = [];
  const now = ctx.clock();
  for (const name of names) {
    const thing = ctx.registry.tapo.get(name);
    if (!thing) {
      failThingList.push({ thingName: name, code: -20501, message: 'Thing does not exist' });
      continue;
    }
    settle(ctx.registry, thing, now);
    shadows.push(shadowOf(thing));
  }
  return json(200, { shadows, failThingList });
}

function writeShadow(ctx: SimContext, name: string, rawBody: string): Reply {
  const thing = ctx.registry.tapo.get(name);
  if (!thing) return notFound(name);
  const parsed = parseJson(rawBody);
  const patch = parsed.ok ? ShadowPatch.safeParse(parsed.value) : undefined;
  if (!patch?.success) return json(400, { code: -10100, message: 'Invalid request body' });
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

function authReply(ctx: SimContext, req: SimRequest): Reply | undefined {
  // A bad app-cid is refused by the gateway before the token is looked at: bare 403.
  if (!APP_CID.test(header(req, 'app-cid') ?? '')) return { status: 403, body: undefined };
  const auth = header(req, 'authorization') ?? '';
  const check = auth.startsWith('ut|') ? ctx.accounts.checkToken(auth.slice(3)) : 'invalid';
  if (check === 'expired') return json(401, { code: -20651, message: 'Token expired' });
  if (check === 'invalid') return json(401, { code: -20652, message: 'Token incorrect' });
  return undefined;
}

export function tapoAppApi(ctx: SimContext): HostApi {
  return {
    cloud: 'tapo',
    special,
    describe(req: SimRequest): Described {
      const parsed = parseJson(req.rawBody);
      const body = req.rawBody === '' ? undefined : parsed.ok ? parsed.value : req.rawBody;
      if (req.path === '/v1/things') return { api: 'things', body };
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
          return listThings(ctx, req.query);
        case 'GET shadows.get':
          return readShadows(ctx, described.thingNames ?? []);
        case 'GET shadow.get': {
          const thing = ctx.registry.tapo.get(id);
          if (!thing) return notFound(id);
          settle(ctx.registry, thing, ctx.clock());
          return json(200, shadowOf(thing));
        }
        case 'PATCH shadows.patch':
          return writeShadow(ctx, id, req.rawBody);
        case 'GET usage': {
          const thing = ctx.registry.tapo.get(id);
          if (!thing) return notFound(id);
          const usage = usageOf(thing, ctx.clock());
          if (!usage) return json(400, { code: -20103, message: `Energy usage is not supported by ${thing.model}` });
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
