/**
 * Shapes of Kasa cloud answers (kasa-cloud.md). Loose objects everywhere:
 * TP-Link adds fields freely and the bridge may want them.
 */
import { z } from 'zod';

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
