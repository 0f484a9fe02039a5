/**
 * The restart button of every Kasa device but strip outlets (they restart
 * with their strip): `system.reboot {delay: 1}`, as python-kasa sends it
 * (delay 0 would reboot before the answer leaves the device). The device
 * is then out of reach for some seconds, which reads show as they find it.
 */
import { REBOOT } from '../../../model/features.js';
import type { KasaModule } from '../module.js';

export const module: KasaModule = {
  name: 'reboot',
  order: 90,
  features: [REBOOT],
  detect: (target, answer) => (target.outlet || !answer.sysinfo ? [] : [REBOOT]),
  parse: () => ({}),
  write: (target, desired) => (desired.reboot === undefined || target.outlet ? undefined : { system: { reboot: { delay: 1 } } }),
};
