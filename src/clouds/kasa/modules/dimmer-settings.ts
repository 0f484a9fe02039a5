/**
 * A wall dimmer's transitions (`smartlife.iot.dimmer.get_dimmer_parameters`):
 * fade on/off (a plain switch), gentle on/off (the app's "gentle" off and
 * on, e.g. a long press) in ms, and the ramp rate of its buttons. Only on
 * dimmers that answer the method (HS220, KS220M); the ranges are what
 * the dimmers accept (ramp rate 10-50 as checked on a KS220 by python-kasa;
 * the time limits are the app's).
 */
import { z } from 'zod';
import { parseModule } from '../device-schema.js';
import type { Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import type { KasaAnswer, KasaModule, KasaRequest, KasaTarget } from '../module.js';

const MODULE = 'smartlife.iot.dimmer';

const paramsSchema = z.looseObject({
  fadeOnTime: z.number().optional(),
  fadeOffTime: z.number().optional(),
  gentleOnTime: z.number().optional(),
  gentleOffTime: z.number().optional(),
  rampRate: z.number().optional(),
});
type DimmerParams = z.infer<typeof paramsSchema>;

interface Setting {
  feature: Feature;
  /** The key of get_dimmer_parameters. */
  key: keyof DimmerParams;
  /** The setter and the name of its one parameter. */
  method: string;
  param: string;
}

function duration(id: string, name: string, max: number, icon: string, doc: string): Feature {
  return {
    id,
    type: { kind: 'number', min: 0, max, step: 100, unit: 'ms' },
    readable: true,
    writable: true,
    entity: { component: 'number', name, device_class: 'duration', unit_of_measurement: 'ms', entity_category: 'config', mode: 'box', icon },
    doc,
    cadence: 'settings',
  };
}

export const FADE_ON_TIME = duration('fade_on_time', 'Fade on time', 10_000, 'mdi:clock-out', 'Kasa dimmers: fade when switched on');
export const FADE_OFF_TIME = duration('fade_off_time', 'Fade off time', 10_000, 'mdi:clock-in', 'Kasa dimmers: fade when switched off');
export const GENTLE_ON_TIME = duration('gentle_on_time', 'Gentle on time', 120_000, 'mdi:clock-out', 'Kasa dimmers: gentle on (a long press, a scene)');
export const GENTLE_OFF_TIME = duration('gentle_off_time', 'Gentle off time', 120_000, 'mdi:clock-in', 'Kasa dimmers: gentle off');
export const RAMP_RATE: Feature = {
  id: 'ramp_rate',
  type: { kind: 'number', min: 10, max: 50, step: 1 },
  readable: true,
  writable: true,
  entity: { component: 'number', name: 'Ramp rate', entity_category: 'config', mode: 'box', icon: 'mdi:clock-fast' },
  doc: 'Kasa dimmers: how fast the buttons dim',
  cadence: 'settings',
};

const SETTINGS: Setting[] = [
  { feature: FADE_ON_TIME, key: 'fadeOnTime', method: 'set_fade_on_time', param: 'fadeTime' },
  { feature: FADE_OFF_TIME, key: 'fadeOffTime', method: 'set_fade_off_time', param: 'fadeTime' },
  { feature: GENTLE_ON_TIME, key: 'gentleOnTime', method: 'set_gentle_on_time', param: 'duration' },
  { feature: GENTLE_OFF_TIME, key: 'gentleOffTime', method: 'set_gentle_off_time', param: 'duration' },
  { feature: RAMP_RATE, key: 'rampRate', method: 'set_button_ramp_rate', param: 'rampRate' },
];

const isDimmer = (target: KasaTarget) => target.family === 'dimmer' && !target.outlet;

function paramsOf(answer: KasaAnswer): DimmerParams | undefined {
  const parsed = parseModule(answer.response, MODULE, 'get_dimmer_parameters', paramsSchema);
  if (parsed.problem) answer.problems.push(parsed.problem);
  return parsed.value;
}

/** The settings a get_dimmer_parameters answer reports, with their values. */
export function dimmerSettings(params: DimmerParams): Array<{ feature: Feature; value: number }> {
  return SETTINGS.flatMap(({ feature, key }) => (typeof params[key] === 'number' ? [{ feature, value: params[key] }] : []));
}

/** One setter per value asked for; the dimmer takes several in one passthrough. */
export function dimmerSettingsWrite(desired: Record<string, unknown>, features: Record<string, unknown>): KasaRequest | undefined {
  const methods: Record<string, unknown> = {};
  for (const { feature, method, param } of SETTINGS) {
    const value = desired[feature.id];
    if (typeof value === 'number' && feature.id in features) methods[method] = { [param]: value };
  }
  return Object.keys(methods).length > 0 ? { [MODULE]: methods } : undefined;
}

export const module: KasaModule = {
  name: 'dimmer-settings',
  order: 50,
  features: SETTINGS.map((setting) => setting.feature),
  settingsQuery: (target) => (isDimmer(target) ? { [MODULE]: { get_dimmer_parameters: null } } : undefined),
  detect: () => [],
  detectMore(target, answer) {
    const params = isDimmer(target) ? paramsOf(answer) : undefined;
    return params ? dimmerSettings(params).map((setting) => setting.feature) : [];
  },
  parse(target, answer, features) {
    const params = isDimmer(target) ? paramsOf(answer) : undefined;
    const out: NodeState = {};
    for (const { feature, value } of params ? dimmerSettings(params) : []) if (feature.id in features) out[feature.id] = value;
    return out;
  },
  write: (target, desired, features) => (isDimmer(target) ? dimmerSettingsWrite(desired, features) : undefined),
};
