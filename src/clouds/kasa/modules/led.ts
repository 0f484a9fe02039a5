/** The status LED of plugs, switches and strips (sysinfo `led_off`, `system.set_led_off`). */
import { LED } from '../../../model/features.js';
import type { KasaModule } from '../module.js';

export const module: KasaModule = {
  name: 'led',
  order: 20,
  features: [LED],
  detect(target, answer) {
    const lit = answer.sysinfo?.led_off !== undefined && target.family !== 'bulb' && target.family !== 'lightstrip';
    return lit && !target.outlet ? [LED] : [];
  },
  parse(target, answer) {
    const off = answer.sysinfo?.led_off;
    return off === undefined || target.outlet ? {} : { led: off === 0 ? 'ON' : 'OFF' };
  },
  write(_target, desired) {
    if (desired.led === undefined) return undefined;
    return { system: { set_led_off: { off: desired.led === 'OFF' ? 1 : 0 } } };
  },
};
