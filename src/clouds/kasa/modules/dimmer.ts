/** A wall dimmer's brightness (`smartlife.iot.dimmer` set_brightness; read from sysinfo). */
import { BRIGHTNESS } from '../../../model/features.js';
import type { NodeState } from '../../../model/node.js';
import type { KasaModule } from '../module.js';

export const module: KasaModule = {
  name: 'dimmer',
  order: 1,
  features: [BRIGHTNESS],
  detect: (target) => (target.family === 'dimmer' && !target.outlet ? [BRIGHTNESS] : []),
  parse(target, answer) {
    const brightness = answer.sysinfo?.brightness;
    if (target.family !== 'dimmer' || target.outlet || brightness === undefined) return {};
    const out: NodeState = { brightness, color_mode: 'brightness' };
    return out;
  },
  write(target, desired) {
    // brightness 0 is "off", sent as the relay state instead.
    if (target.family !== 'dimmer' || desired.brightness === undefined || desired.brightness <= 0) return undefined;
    return { 'smartlife.iot.dimmer': { set_brightness: { brightness: desired.brightness } } };
  },
};
