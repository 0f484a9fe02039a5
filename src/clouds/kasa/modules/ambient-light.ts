/**
 * The ambient light level of wall switches with a light sensor (KS220M):
 * `smartlife.iot.LAS.get_current_brt` -> `value`, in % (Home Assistant's
 * illuminance class takes lux only, so the sensor has no device class).
 * Asked in the state read of wall switches and dimmers until the interview
 * shows whether the device answers it; a device without the sensor answers
 * "module not support" beside its sysinfo, at no extra request.
 */
import { z } from 'zod';
import { parseModule } from '../device-schema.js';
import type { Feature } from '../../../model/feature.js';
import type { KasaAnswer, KasaModule, KasaTarget } from '../module.js';

export const AMBIENT_LIGHT: Feature = {
  id: 'ambient_light',
  type: { kind: 'number', min: 0, max: 100, unit: '%' },
  readable: true,
  writable: false,
  entity: { component: 'sensor', name: 'Ambient light', unit_of_measurement: '%', state_class: 'measurement', icon: 'mdi:brightness-percent', entity_category: 'diagnostic' },
  doc: 'wall switches with a light sensor (KS220M): ambient light level, %',
};

const LAS = 'smartlife.iot.LAS';
const brightnessSchema = z.looseObject({ value: z.number() });

const candidate = (target: KasaTarget) =>
  !target.outlet && (target.family === 'dimmer' || target.family === 'switch') && (target.features === undefined || 'ambient_light' in target.features);

function levelOf(answer: KasaAnswer): number | undefined {
  const parsed = parseModule(answer.response, LAS, 'get_current_brt', brightnessSchema);
  if (parsed.problem) answer.problems.push(parsed.problem);
  return parsed.value?.value;
}

export const module: KasaModule = {
  name: 'ambient-light',
  order: 42,
  features: [AMBIENT_LIGHT],
  query: (target) => (candidate(target) ? { [LAS]: { get_current_brt: null } } : undefined),
  detect: (_target, answer) => (levelOf(answer) === undefined ? [] : [AMBIENT_LIGHT]),
  parse(_target, answer, features) {
    const level = levelOf(answer);
    return 'ambient_light' in features && level !== undefined ? { ambient_light: level } : {};
  },
};
