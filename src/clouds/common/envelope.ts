/**
 * The `{error_code, msg, result}` envelope used by the Kasa cloud and the
 * Tapo account endpoint. Errors are checked at both levels: `error_code`,
 * and `result.errorCode` (V2 and Tapo logins fail with error_code 0).
 * The login and refresh results both clouds' accounts answer with live here too.
 */
import { z } from 'zod';
import { CloudError, kindOfCode, type CloudErrorKind } from './errors.js';
import type { CloudName } from '../../model/node.js';
import type { HttpResponse } from './http.js';

/** Codes arrive as numbers, and in V2 `result.errorCode` also as strings ("0"). */
const codeSchema = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform((value) => Number(value));

/** `{error_code, msg?, result?}`: every V1 answer and V2 account answers. */
const envelopeSchema = z.looseObject({
  error_code: codeSchema,
  msg: z.string().optional(),
  result: z.unknown().optional(),
});

/** Fields of `result` that may carry a second-level error (V2, Tapo account). */
const resultErrorSchema = z.looseObject({
  errorCode: codeSchema.optional(),
  errorMsg: z.string().optional(),
  lockedMinutes: z.number().optional(),
  MFAProcessId: z.string().optional(),
  supportedMFATypes: z.array(z.number()).optional(),
  appServerUrl: z.string().optional(),
});

export const loginResultSchema = z.looseObject({
  token: z.string().min(1),
  refreshToken: z.string().optional(),
  accountId: z.union([z.string(), z.number()]).optional(),
  email: z.string().optional(),
});

export const refreshResultSchema = z.looseObject({
  token: z.string().min(1),
  refreshToken: z.string().optional(),
});

/** A refusal with the fields of the answer a caller may need (MFA process id, right region). */
export class CloudAnswerError extends CloudError {
  readonly details: z.infer<typeof resultErrorSchema>;

  constructor(
    cloud: CloudName,
    kind: CloudErrorKind,
    message: string,
    options: { code?: number; retryAfterS?: number; details?: z.infer<typeof resultErrorSchema> },
  ) {
    super(cloud, kind, message, options);
    this.details = options.details ?? {};
  }
}

/** V1 login refused for this account: use V2. */
export const APP_VERSION_TOO_OLD = -23003;

function refusal(cloud: CloudName, what: string, code: number, message: string | undefined, raw: unknown): CloudAnswerError {
  const parsed = resultErrorSchema.safeParse(raw);
  const details = parsed.success ? parsed.data : {};
  const retryAfterS = details.lockedMinutes !== undefined && details.lockedMinutes > 0 ? details.lockedMinutes * 60 : undefined;
  const text = message ? `: ${message}` : '';
  return new CloudAnswerError(cloud, kindOfCode(code), `${cloud}: ${what} refused (${code}${text})`, {
    code,
    details,
    ...(retryAfterS === undefined ? {} : { retryAfterS }),
  });
}

/** Returns `result` of a successful answer, or throws the CloudError it means. */
export function unwrapEnvelope(cloud: CloudName, response: HttpResponse, what: string): unknown {
  const parsed = envelopeSchema.safeParse(response.body);
  if (!parsed.success) {
    if (response.status === 401) throw new CloudError(cloud, 'token_expired', `${cloud}: ${what} answered 401`, { code: 401 });
    throw new CloudError(cloud, 'protocol', `${cloud}: ${what}: unexpected answer (HTTP ${response.status})`, {
      code: response.status,
    });
  }
  const { error_code: code, msg, result } = parsed.data;
  if (code !== 0) throw refusal(cloud, what, code, msg, result);
  const second = resultErrorSchema.safeParse(result);
  if (second.success && second.data.errorCode !== undefined && second.data.errorCode !== 0) {
    throw refusal(cloud, what, second.data.errorCode, second.data.errorMsg, result);
  }
  return result;
}

/** Parses a result with a schema; a mismatch is a `protocol` error, never a crash. */
export function parseResult<S extends z.ZodType>(cloud: CloudName, schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
    throw new CloudError(cloud, 'protocol', `${cloud}: ${what}: unexpected answer (${where})`);
  }
  return parsed.data;
}
