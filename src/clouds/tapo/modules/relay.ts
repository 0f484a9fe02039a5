/**
 * The relay or light switch: shadow `on`. A strip parent has none of its
 * own: its state is its sockets' (devices.ts, ON while any is on) and the
 * source switches it socket by socket.
 */
import { STATE } from '../../../model/features.js';
import { desiredOn } from '../../../model/node.js';
import type { TapoModule } from '../module.js';

export const module: TapoModule = {
  name: 'relay',
  order: 0,
  features: [STATE],
  detect: () => [STATE],
  parse: (_target, reported) => (typeof reported.on === 'boolean' ? { state: reported.on ? 'ON' : 'OFF' } : {}),
  write(_target, desired) {
    const on = desiredOn(desired);
    return on === undefined ? undefined : { on };
  },
};
