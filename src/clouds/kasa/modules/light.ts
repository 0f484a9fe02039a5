/**
 * Bulbs and light strips: on/off, brightness, colour temperature and
 * colour, read from sysinfo's light_state (or the light module's own
 * get_light_state) and written in one transition_light_state (bulbs) or
 * set_light_state (light strips) with the transition in ms.
 */
import { parseModule, kasaLightStateSchema, type KasaLightState } from '../device-schema.js';
import { kasaKelvinRange } from '../family.js';
import { BRIGHTNESS, COLOR, COLOR_TEMP, STATE } from '../../../model/features.js';
import { withRange, type Feature } from '../../../model/feature.js';
import { desiredOn } from '../../../model/node.js';
import { colorModeFor, lookFields, lookValues } from '../../../model/util.js';
import type { KasaAnswer, KasaModule, KasaTarget } from '../module.js';

const BULB_MODULE = 'smartlife.iot.smartbulb.lightingservice';
const LIGHTSTRIP_MODULE = 'smartlife.iot.lightStrip';

const isLight = (target: KasaTarget) => target.family === 'bulb' || target.family === 'lightstrip';
const lightModule = (target: KasaTarget) => (target.family === 'bulb' ? BULB_MODULE : LIGHTSTRIP_MODULE);

function lightOf(answer: KasaAnswer): KasaLightState | undefined {
  for (const module of [BULB_MODULE, LIGHTSTRIP_MODULE]) {
    const parsed = parseModule(answer.response, module, 'get_light_state', kasaLightStateSchema);
    if (parsed.problem) answer.problems.push(parsed.problem);
    if (parsed.value) return parsed.value;
  }
  return answer.sysinfo?.light_state;
}

export const module: KasaModule = {
  name: 'light',
  order: 0,
  features: [STATE, BRIGHTNESS, COLOR_TEMP, COLOR],
  detect(target, answer) {
    if (!isLight(target) || !answer.sysinfo) return [];
    const sysinfo = answer.sysinfo;
    const light = lightOf(answer);
    const features: Feature[] = [STATE];
    const dimmable = sysinfo.is_dimmable !== undefined ? sysinfo.is_dimmable === 1 : light?.brightness !== undefined || light?.dft_on_state?.brightness !== undefined;
    if (dimmable) features.push(BRIGHTNESS);
    if (sysinfo.is_variable_color_temp === 1) {
      const range = kasaKelvinRange(target.node.modelFull ?? target.node.model);
      features.push(withRange(COLOR_TEMP, range.min, range.max));
    }
    if (sysinfo.is_color === 1) features.push(COLOR);
    return features;
  },
  parse(target, answer, features) {
    if (!isLight(target)) return {};
    const light = lightOf(answer);
    if (!light) return {};
    const on = light.on_off === 1;
    // Off lights keep their last "on" values in dft_on_state.
    const look = on ? light : (light.dft_on_state ?? {});
    return { state: on ? 'ON' : 'OFF', ...lookValues(features, look), color_mode: colorModeFor(features, look.color_temp) };
  },
  write(target, desired) {
    if (!isLight(target)) return undefined;
    const on = desiredOn(desired);
    const light: Record<string, number> = { ...(on === undefined ? {} : { on_off: on ? 1 : 0 }), ...lookFields(desired) };
    if (desired.transition !== undefined) light.transition_period = Math.round(desired.transition * 1000);
    if (Object.keys(light).length === 0) return undefined;
    return { [lightModule(target)]: { [target.family === 'bulb' ? 'transition_light_state' : 'set_light_state']: light } };
  },
};
