/**
 * Shapes of Tapo app-server answers (tapo-cloud.md §2-5). Loose objects:
 * unknown fields survive for the bridge.
 */
import { z } from 'zod';

export const tapoThingSchema = z.looseObject({
  thingName: z.string().min(1),
  nickname: z.string().optional(),
  model: z.string().optional(),
  deviceType: z.string().optional(),
  deviceName: z.string().optional(),
  category: z.string().optional(),
  status: z.number().default(0),
  appServerUrl: z.string().optional(),
  /** `/v2/things`: the thing's app server for the current app. */
  appServerUrlV2: z.string().optional(),
  isSubThing: z.boolean().optional(),
  edgeThingName: z.string().optional(),
  mac: z.string().optional(),
  hwVer: z.string().optional(),
  fwVer: z.string().optional(),
  position: z.number().optional(),
  slotNumber: z.number().optional(),
});
export type TapoThing = z.infer<typeof tapoThingSchema>;

export const thingsPageSchema = z.looseObject({
  page: z.number().optional(),
  pageSize: z.number().optional(),
  total: z.number().optional(),
  data: z.array(z.unknown()),
});

/** Versions are numbers, but some clients and servers use strings. */
const versionSchema = z.union([z.number(), z.string().regex(/^\d+$/)]).transform((value) => Number(value));

export const tapoShadowSchema = z.looseObject({
  thingName: z.string().min(1),
  state: z
    .looseObject({
      reported: z.record(z.string(), z.unknown()).optional(),
      desired: z.record(z.string(), z.unknown()).optional(),
    })
    .default({}),
  version: versionSchema.default(0),
});
export type TapoShadow = z.infer<typeof tapoShadowSchema>;

export const shadowsAnswerSchema = z.looseObject({
  shadows: z.array(z.unknown()),
  failThingList: z
    .array(
      z.looseObject({
        thingName: z.string(),
        code: z.number().optional(),
        message: z.string().optional(),
      }),
    )
    .default([]),
});

export const patchAnswerSchema = z.looseObject({
  version: versionSchema,
  requestId: z.string().optional(),
});

/** Non-2xx bodies: `{code, message, data}`. */
export const tapoErrorBodySchema = z.looseObject({
  code: z.number(),
  message: z.string().optional(),
  data: z.looseObject({ curVersion: versionSchema.optional() }).nullish(),
});

export const tapoUsageSchema = z.looseObject({
  energy_usage: z
    .looseObject({
      current_power: z.number().optional(),
      today_energy: z.number().optional(),
      month_energy: z.number().optional(),
      today_runtime: z.number().optional(),
      month_runtime: z.number().optional(),
      local_time: z.string().optional(),
    })
    .optional(),
  power_usage: z.unknown().optional(),
  time_usage: z.unknown().optional(),
});
export type TapoUsage = z.infer<typeof tapoUsageSchema>;


/** services-sync answer: `outputParams.responseData`, an object or a JSON string. */
export const servicesSyncAnswerSchema = z.looseObject({
  outputParams: z.looseObject({ responseData: z.union([z.string(), z.record(z.string(), z.unknown())]) }),
});

const smartResponseSchema = z.looseObject({
  method: z.string(),
  error_code: z.number(),
  /** Some methods answer no result at all (null). */
  result: z.record(z.string(), z.unknown()).nullish(),
});
export type SmartResponse = z.infer<typeof smartResponseSchema>;

/** The device's own answer to `multipleRequest`. */
export const smartAnswerSchema = z.looseObject({
  error_code: z.number(),
  result: z.looseObject({ responses: z.array(smartResponseSchema).default([]) }).optional(),
});
