/**
 * The motion sensor (`smartlife.iot.PIR`) and ambient-light sensor
 * (`smartlife.iot.LAS`) of KS220M-class dimmers: on/off of each and the
 * motion range. Found by the device answering `get_config` (not by model
 * name: other dimmers answer "module not support"). The LAS config is a
 * list of sensors, `devs[0]` being the device's own. Motion events are
 * not read: over a 30 s cloud poll they would be stale and costly.
 */
import { z } from 'zod';
import { parseModule } from '../device-schema.js';
import type { Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import type { KasaAnswer, KasaModule, KasaRequest, KasaTarget } from '../module.js';

const PIR = 'smartlife.iot.PIR';
const LAS = 'smartlife.iot.LAS';
/** The app's names of the motion ranges, by `trigger_index`. */
export const PIR_RANGES = ['Far', 'Mid', 'Near', 'Custom'] as const;

const pirSchema = z.looseObject({ enable: z.number(), trigger_index: z.number().optional(), array: z.array(z.number()).optional() });
const lasSchema = z.looseObject({ devs: z.array(z.looseObject({ enable: z.number() })).min(1) });

const toggle = (id: string, name: string, icon: string, doc: string): Feature => ({
  id,
  type: { kind: 'onoff' },
  readable: true,
  writable: true,
  entity: { component: 'switch', name, entity_category: 'config', icon },
  doc,
  cadence: 'settings',
});

export const PIR_ENABLED = toggle('pir_enabled', 'Motion sensor', 'mdi:motion-sensor', 'Kasa KS220M-class dimmers: motion sensor on/off');
export const AMBIENT_LIGHT_ENABLED = toggle('ambient_light_enabled', 'Ambient light sensor', 'mdi:brightness-auto', 'Kasa KS220M-class dimmers: ambient-light sensor on/off');
export const PIR_RANGE: Feature = {
  id: 'pir_range',
  type: { kind: 'enum', options: [...PIR_RANGES] },
  readable: true,
  writable: true,
  entity: { component: 'select', name: 'Motion sensor range', entity_category: 'config', icon: 'mdi:motion-sensor' },
  doc: 'Kasa KS220M-class dimmers: motion range (the ranges the device lists)',
  cadence: 'settings',
};

const isDimmer = (target: KasaTarget) => target.family === 'dimmer' && !target.outlet;

function configOf<T>(answer: KasaAnswer, module: string, schema: z.ZodType<T>): T | undefined {
  const parsed = parseModule(answer.response, module, 'get_config', schema);
  if (parsed.problem) answer.problems.push(parsed.problem);
  return parsed.value;
}

/** The ranges a device offers: one per threshold in its `array` (python-kasa does the same). */
export function pirRanges(array: readonly number[] | undefined): string[] {
  return PIR_RANGES.slice(0, Math.min(array?.length ?? PIR_RANGES.length, PIR_RANGES.length));
}

const onOff = (flag: number): 'ON' | 'OFF' => (flag ? 'ON' : 'OFF');

export const module: KasaModule = {
  name: 'motion',
  order: 51,
  features: [PIR_ENABLED, PIR_RANGE, AMBIENT_LIGHT_ENABLED],
  settingsQuery: (target): KasaRequest | undefined => (isDimmer(target) ? { [PIR]: { get_config: null }, [LAS]: { get_config: null } } : undefined),
  detect: () => [],
  detectMore(target, answer) {
    if (!isDimmer(target)) return [];
    const features: Feature[] = [];
    const pir = configOf(answer, PIR, pirSchema);
    if (pir) features.push(PIR_ENABLED);
    if (pir?.trigger_index !== undefined) features.push({ ...PIR_RANGE, type: { kind: 'enum', options: pirRanges(pir.array) } });
    if (configOf(answer, LAS, lasSchema)) features.push(AMBIENT_LIGHT_ENABLED);
    return features;
  },
  parse(target, answer, features) {
    if (!isDimmer(target)) return {};
    const out: NodeState = {};
    const pir = configOf(answer, PIR, pirSchema);
    if (pir && 'pir_enabled' in features) out.pir_enabled = onOff(pir.enable);
    const range = pir?.trigger_index !== undefined ? PIR_RANGES[pir.trigger_index] : undefined;
    if (range && 'pir_range' in features) out.pir_range = range;
    const las = configOf(answer, LAS, lasSchema);
    if (las?.devs[0] && 'ambient_light_enabled' in features) out.ambient_light_enabled = onOff(las.devs[0].enable);
    return out;
  },
  write(target, desired, features) {
    if (!isDimmer(target)) return undefined;
    const request: KasaRequest = {};
    const pir: Record<string, unknown> = {};
    if (desired.pir_enabled !== undefined && 'pir_enabled' in features) pir.set_enable = { enable: desired.pir_enabled === 'ON' ? 1 : 0 };
    const index = typeof desired.pir_range === 'string' ? PIR_RANGES.indexOf(desired.pir_range as (typeof PIR_RANGES)[number]) : -1;
    // Custom keeps the device's own custom distance: only the index changes.
    if (index >= 0 && 'pir_range' in features) pir.set_trigger_sens = { index };
    if (Object.keys(pir).length > 0) request[PIR] = pir;
    if (desired.ambient_light_enabled !== undefined && 'ambient_light_enabled' in features) {
      request[LAS] = { set_enable: { enable: desired.ambient_light_enabled === 'ON' ? 1 : 0 } };
    }
    return Object.keys(request).length > 0 ? request : undefined;
  },
};
