/** The relay or light switch: shadow `on`. */
import { STATE } from '../../../model/features.js';
import { desiredOn } from '../../../model/node.js';
import type { TapoModule } from '../module.js';

export const module: TapoModule = {
  name: 'relay',
  order: 0,
  features: [STATE],
  // A strip parent's state is its sockets' (devices.ts); it has no `on` of its own.
  detect: (target, reported) => (target.node.kind !== 'strip' || typeof reported.on === 'boolean' ? [STATE] : []),
  parse: (_target, reported) => (typeof reported.on === 'boolean' ? { state: reported.on ? 'ON' : 'OFF' } : {}),
  write(_target, desired) {
    const on = desiredOn(desired);
    return on === undefined ? undefined : { on };
  },
};
