/**
 * Account calls of the Kasa cloud (V1 login/refresh, V2 login/refresh and
 * the second-factor flow), plus what the Tapo account hosts share with it:
 * the credential decision, the V1 envelope, V2 signing and V2 call names.
 */
import { z } from 'zod';
import { ERROR_CODES, verifySignature, type KeyPair } from 'tplink-cloud-mqtt/protocol';
import type { AuthFailure } from './accounts.js';
import { header, json, recordedBody, type Described, type Reply, type SimContext, type SimRequest } from './context.js';
import type { Json } from './model.js';

export const V2_ACCOUNT = '/api/v2/account/';

/** A V1 JSON-RPC call: `{method, params}`. */
export const AccountEnvelope = z.object({ method: z.string(), params: z.record(z.string(), z.unknown()).optional() });

/** A V2 account call is recorded by its name (`v2.login`), another by its envelope's method. */
export function describeAccountCall(req: SimRequest): Described {
  const body = recordedBody(req);
  if (req.path.startsWith(V2_ACCOUNT)) return { api: `v2.${req.path.slice(V2_ACCOUNT.length)}`, body };
  const envelope = AccountEnvelope.safeParse(body);
  return { api: envelope.success ? envelope.data.method : 'unknown', body };
}

/** A V2 request whose signature does not verify (with one of `keyPairs`, else either app's): 401, as the cloud answers. */
export function signatureRefusal(req: SimRequest, keyPairs?: readonly KeyPair[]): Reply | undefined {
  const verdict = verifySignature(req.rawBody, req.path, { contentMd5: header(req, 'content-md5'), authorization: header(req, 'x-authorization') }, keyPairs);
  return verdict.ok ? undefined : json(401, { error_code: ERROR_CODES.signatureInvalid, msg: `Signature verification failed: ${verdict.reason}` });
}

export function kasaOk(result: Json): Reply {
  return json(200, { error_code: 0, result });
}

export function kasaError(code: number, msg: string, result?: Json): Reply {
  return json(200, result ? { error_code: code, msg, result } : { error_code: code, msg });
}

export const MISSING_PARAMS = kasaError(ERROR_CODES.parameterMissing, 'Parameter does not exist');

export type LoginMode = 'kasa-v1' | 'kasa-v2' | 'tapo-v1' | 'tapo-v2';

export type LoginOutcome =
  | { ok: true; result: Json }
  | { ok: false; failure: AuthFailure }
  | { ok: false; mfaProcessId: string }
  | { ok: false; tooOld: true };

/** One decision for every login flavour so lock, MFA and faults behave the same everywhere. */
export function authenticate(
  ctx: SimContext,
  mode: LoginMode,
  login: { cloudUserName: string; cloudPassword: string; terminalUUID?: string | undefined },
  withRefresh: boolean,
): LoginOutcome {
  const failure = ctx.accounts.checkCredentials(login.cloudUserName, login.cloudPassword);
  if (failure) return { ok: false, failure };
  const { v2Only, mfaRequired, tapoV2Only } = ctx.faults;
  // Accounts with a second factor (and V2-only accounts) get "app version too old" on Kasa V1.
  if (mode === 'kasa-v1' && (v2Only || mfaRequired)) return { ok: false, tooOld: true };
  if (mode === 'tapo-v1' && tapoV2Only) return { ok: false, tooOld: true };
  if (mfaRequired && !ctx.accounts.isTrusted(login.terminalUUID)) {
    return { ok: false, mfaProcessId: ctx.accounts.startMfa(login.terminalUUID ?? '') };
  }
  return { ok: true, result: ctx.accounts.loginResult(withRefresh, login.terminalUUID ?? '') };
}

/** A refusal; the Tapo account hosts add the attempt counters and lock time in `result` (tapo-cloud.md §1). */
function failureReply(failure: AuthFailure, counters = false): Reply {
  if (!counters) return kasaError(failure.code, failure.msg);
  const result: Json = {};
  for (const key of ['failedAttempts', 'remainAttempts', 'lockedMinutes'] as const) {
    if (failure[key] !== undefined) result[key] = failure[key];
  }
  return kasaError(failure.code, failure.msg, Object.keys(result).length > 0 ? result : undefined);
}

function loginReply(outcome: LoginOutcome, counters = false): Reply {
  if (outcome.ok) return kasaOk(outcome.result);
  if ('failure' in outcome) return failureReply(outcome.failure, counters);
  if ('tooOld' in outcome) return kasaError(ERROR_CODES.appVersionTooOld, 'App version is too old');
  return kasaError(ERROR_CODES.mfaRequired, 'Two-factor authentication required', {
    MFAProcessId: outcome.mfaProcessId,
    supportedMFATypes: [1, 2],
  });
}

const credentials = {
  cloudUserName: z.string(),
  cloudPassword: z.string(),
  terminalUUID: z.string().optional(),
  refreshTokenNeeded: z.boolean().optional(),
};
const LoginParams = z.object(credentials).loose();
const RefreshParams = z.object({ refreshToken: z.string(), terminalUUID: z.string().optional() }).loose();
const StatusParams = z.object({ cloudUserName: z.string() }).loose();
const CodeRequest = z.object(credentials).loose();
const CodeCheck = z
  .object({
    cloudUserName: z.string(),
    code: z.union([z.string(), z.number()]),
    MFAProcessId: z.string(),
    terminalBindEnabled: z.boolean().optional(),
  })
  .loose();

function refreshReply(ctx: SimContext, params: Json, v2: boolean): Reply {
  const parsed = RefreshParams.safeParse(params);
  if (!parsed.success) return MISSING_PARAMS;
  const outcome = ctx.accounts.refresh(parsed.data.refreshToken);
  if ('kind' in outcome) return failureReply(outcome);
  return kasaOk(v2 ? { token: outcome.token, refreshToken: outcome.refreshToken } : { token: outcome.token });
}

/** V1 `login` and `refreshToken` (the latter also serves Tapo refresh tokens). */
export function v1AccountCall(ctx: SimContext, method: string, params: Json): Reply | undefined {
  if (method === 'login') {
    const parsed = LoginParams.safeParse(params);
    if (!parsed.success) return MISSING_PARAMS;
    return loginReply(authenticate(ctx, 'kasa-v1', parsed.data, parsed.data.refreshTokenNeeded === true));
  }
  if (method === 'refreshToken') return refreshReply(ctx, params, false);
  return undefined;
}

/** `/api/v2/account/<name>` calls (flat bodies, signed) of the Kasa or the Tapo app. */
export function v2AccountCall(ctx: SimContext, name: string, body: Json, homeUrl: string, mode: 'kasa-v2' | 'tapo-v2' = 'kasa-v2'): Reply {
  switch (name) {
    case 'getAccountStatusAndUrl': {
      const parsed = StatusParams.safeParse(body);
      if (!parsed.success) return MISSING_PARAMS;
      if (parsed.data.cloudUserName.toLowerCase() !== ctx.accounts.username.toLowerCase()) {
        return kasaError(ERROR_CODES.accountNotFound, 'Account not found');
      }
      return kasaOk({ accountStatus: 0, appServerUrl: homeUrl });
    }
    case 'login': {
      const parsed = LoginParams.safeParse(body);
      if (!parsed.success) return MISSING_PARAMS;
      return loginReply(authenticate(ctx, mode, parsed.data, true), mode === 'tapo-v2');
    }
    case 'refreshToken':
      return refreshReply(ctx, body, true);
    case 'getEmailVC4TerminalMFA':
    case 'getPushVC4TerminalMFA': {
      const parsed = CodeRequest.safeParse(body);
      if (!parsed.success || parsed.data.terminalUUID === undefined) return MISSING_PARAMS;
      const failure = ctx.accounts.checkCredentials(parsed.data.cloudUserName, parsed.data.cloudPassword);
      if (failure) return failureReply(failure);
      ctx.accounts.sendMfaCode(parsed.data.terminalUUID);
      return kasaOk({});
    }
    case 'checkMFACodeAndLogin': {
      const parsed = CodeCheck.safeParse(body);
      if (!parsed.success) return MISSING_PARAMS;
      const { MFAProcessId, code, terminalBindEnabled } = parsed.data;
      const checked = ctx.accounts.checkMfaCode(MFAProcessId, String(code), terminalBindEnabled === true);
      if ('kind' in checked) return failureReply(checked);
      return kasaOk(ctx.accounts.loginResult(true, checked.terminalUUID));
    }
    default:
      return kasaError(ERROR_CODES.methodNotFound, 'Method does not exist');
  }
}
