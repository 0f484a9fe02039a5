/**
 * Shapes of Kasa cloud answers (kasa-cloud.md). Loose objects everywhere:
 * TP-Link adds fields freely and the bridge may want them.
 */
import { z } from 'zod';

/** Codes arrive as numbers, and in V2 `result.errorCode` also as strings ("0"). */
export const codeSchema = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform((value) => Number(value));

/** `{error_code, msg?, result?}`: every V1 answer and V2 account answers. */
export const envelopeSchema = z.looseObject({
  error_code: codeSchema,
  msg: z.string().optional(),
  result: z.unknown().optional(),
});
export type KasaEnvelope = z.infer<typeof envelopeSchema>;

/** Fields of `result` that may carry a second-level error (V2, Tapo account). */
export const resultErrorSchema = z.looseObject({
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

export const accountStatusSchema = z.looseObject({
  appServerUrl: z.string().min(1),
  accountStatus: z.number().optional(),
});

export const kasaDeviceListEntrySchema = z.looseObject({
  deviceId: z.string().min(1),
  alias: z.string().default(''),
  deviceName: z.string().optional(),
  deviceModel: z.string().default(''),
  deviceType: z.string().default(''),
  appServerUrl: z.string().min(1),
  status: z.number().default(0),
  fwVer: z.string().optional(),
  deviceHwVer: z.string().optional(),
  deviceMac: z.string().optional(),
  deviceRegion: z.string().optional(),
  role: z.number().optional(),
  oemId: z.string().optional(),
  hwId: z.string().optional(),
  fwId: z.string().optional(),
  isSameRegion: z.boolean().optional(),
});
export type KasaDeviceListEntry = z.infer<typeof kasaDeviceListEntrySchema>;

export const deviceListResultSchema = z.looseObject({
  deviceList: z.array(z.unknown()),
});

export const passthroughResultSchema = z.looseObject({
  responseData: z.union([z.string(), z.record(z.string(), z.unknown())]),
});

/** A module's or a method's answer inside responseData: `err_code` 0 is success. */
export const moduleAnswerSchema = z.looseObject({
  err_code: z.number().optional(),
  err_msg: z.string().optional(),
});
