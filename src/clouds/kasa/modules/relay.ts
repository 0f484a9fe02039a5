/**
 * The relay of plugs, wall switches, dimmers and strip outlets
 * (`system.set_relay_state`). A strip parent has no relay of its own:
 * its state is ON while any outlet is on, and ON/OFF without context
 * switches every outlet, which is what the device does with that request.
 */
import { STATE } from '../../../model/features.js';
import { desiredOn, type NodeState } from '../../../model/node.js';
import type { KasaModule } from '../module.js';

const isLightFamily = (family: string) => family === 'bulb' || family === 'lightstrip';
const onOff = (flag: number | undefined): 'ON' | 'OFF' | undefined => (flag === undefined ? undefined : flag ? 'ON' : 'OFF');

export const module: KasaModule = {
  name: 'relay',
  order: 0,
  features: [STATE],
  detect: (target) => (isLightFamily(target.family) ? [] : [STATE]),
  parse(target, answer) {
    const out: NodeState = {};
    if (target.outlet) {
      const state = onOff(answer.child?.state);
      if (state) out.state = state;
    } else if (target.family === 'strip') {
      const children = answer.sysinfo?.children;
      if (children && children.length > 0) out.state = children.some((child) => child.state === 1) ? 'ON' : 'OFF';
    } else {
      const state = onOff(answer.sysinfo?.relay_state);
      if (state) out.state = state;
    }
    return out;
  },
  write(target, desired) {
    const on = desiredOn(desired);
    if (on === undefined || isLightFamily(target.family)) return undefined;
    return { system: { set_relay_state: { state: on ? 1 : 0 } } };
  },
};
