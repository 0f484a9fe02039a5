/**
 * zod schemas for the Kasa device answers carried by passthrough, and the
 * module/method lookup that tells "answered", "not supported" and "broken"
 * apart. Objects are loose: firmware adds fields all the time and only the
 * fields read here are checked.
 */
import { z } from 'zod';
import { isRecord } from '../../model/util.js';

const flag = z.number(); // 0/1 integers on the wire

export const kasaChildSchema = z.looseObject({
  id: z.string(),
  alias: z.string().optional(),
  state: flag.optional(),
  on_time: z.number().optional(),
});

const hsvState = {
  brightness: z.number().optional(),
  color_temp: z.number().optional(),
  hue: z.number().optional(),
  saturation: z.number().optional(),
};

/** A bulb's light state; when off the last "on" values sit in dft_on_state. */
export const kasaLightStateSchema = z.looseObject({
  on_off: flag,
  ...hsvState,
  dft_on_state: z.looseObject(hsvState).optional(),
});

export const kasaSysinfoSchema = z.looseObject({
  alias: z.string().optional(),
  model: z.string().optional(),
  type: z.string().optional(),
  mic_type: z.string().optional(),
  dev_name: z.string().optional(),
  description: z.string().optional(),
  feature: z.string().optional(),
  mac: z.string().optional(),
  mic_mac: z.string().optional(),
  sw_ver: z.string().optional(),
  hw_ver: z.string().optional(),
  relay_state: flag.optional(),
  led_off: flag.optional(),
  on_time: z.number().optional(),
  rssi: z.number().optional(),
  brightness: z.number().optional(),
  children: z.array(kasaChildSchema).optional(),
  child_num: z.number().optional(),
  light_state: kasaLightStateSchema.optional(),
  is_dimmable: flag.optional(),
  is_color: flag.optional(),
  is_variable_color_temp: flag.optional(),
  length: z.number().optional(),
});

/** Older firmware: floats in A, V, W, kWh. */
const emeterOldSchema = z.looseObject({
  current: z.number().optional(),
  voltage: z.number().optional(),
  power: z.number(),
  total: z.number().optional(),
});

/** Newer firmware (and bulbs): integers in mA, mV, mW, Wh. */
const emeterNewSchema = z.looseObject({
  current_ma: z.number().optional(),
  voltage_mv: z.number().optional(),
  power_mw: z.number(),
  total_wh: z.number().optional(),
});

/** Either shape, tagged so callers never guess the units. */
export const kasaEmeterSchema = z.union([
  emeterNewSchema.transform((v) => ({
    shape: 'milli' as const,
    power_mw: v.power_mw,
    voltage_mv: v.voltage_mv,
    current_ma: v.current_ma,
    total_wh: v.total_wh,
  })),
  emeterOldSchema.transform((v) => ({
    shape: 'si' as const,
    power: v.power,
    voltage: v.voltage,
    current: v.current,
    total: v.total,
  })),
]);

export type KasaSysinfo = z.infer<typeof kasaSysinfoSchema>;
export type KasaChild = z.infer<typeof kasaChildSchema>;
export type KasaLightState = z.infer<typeof kasaLightStateSchema>;
export type KasaEmeter = z.output<typeof kasaEmeterSchema>;

export type ModuleAnswer =
  | { kind: 'ok'; value: Record<string, unknown> }
  | { kind: 'absent' } // not asked, or not in this answer
  | { kind: 'unsupported'; code: number } // err_code at module or method level
  | { kind: 'invalid'; reason: string };

function errCode(value: Record<string, unknown>): number | undefined {
  const code = value.err_code;
  return typeof code === 'number' && code !== 0 ? code : undefined;
}

/**
 * `response[module][method]`, checking err_code at both levels: devices
 * answer `{"err_code":-1,...}` in place of a whole module or of one method.
 */
export function moduleAnswer(response: unknown, module: string, method: string): ModuleAnswer {
  if (!isRecord(response)) return { kind: 'absent' };
  const mod = response[module];
  if (mod === undefined) return { kind: 'absent' };
  if (!isRecord(mod)) return { kind: 'invalid', reason: `${module} is not an object` };
  const moduleCode = errCode(mod);
  if (moduleCode !== undefined && !(method in mod)) return { kind: 'unsupported', code: moduleCode };
  const answer = mod[method];
  if (answer === undefined) return { kind: 'absent' };
  if (!isRecord(answer)) return { kind: 'invalid', reason: `${module}.${method} is not an object` };
  const methodCode = errCode(answer);
  if (methodCode !== undefined) return { kind: 'unsupported', code: methodCode };
  return { kind: 'ok', value: answer };
}

/** Parses one module answer with a schema; problems are short, loggable strings. */
export function parseModule<T>(
  response: unknown,
  module: string,
  method: string,
  schema: z.ZodType<T>,
): { value?: T; problem?: string } {
  const answer = moduleAnswer(response, module, method);
  if (answer.kind === 'invalid') return { problem: answer.reason };
  if (answer.kind !== 'ok') return {};
  const parsed = schema.safeParse(answer.value);
  if (parsed.success) return { value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'answer';
  return { problem: `${module}.${method}: ${where}: ${issue?.message ?? 'invalid'}` };
}
