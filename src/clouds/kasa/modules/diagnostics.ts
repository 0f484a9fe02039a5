/** Wi-Fi signal (sysinfo `rssi`) and time on (sysinfo `on_time`, or the outlet's own). */
import { ON_TIME, RSSI } from '../../../model/features.js';
import type { Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import type { KasaAnswer, KasaModule, KasaTarget } from '../module.js';

function onTimeOf(target: KasaTarget, answer: KasaAnswer): number | undefined {
  return target.outlet ? answer.child?.on_time : answer.sysinfo?.on_time;
}

export const module: KasaModule = {
  name: 'diagnostics',
  order: 40,
  features: [RSSI, ON_TIME],
  detect(target, answer) {
    const features: Feature[] = [];
    if (!target.outlet && answer.sysinfo?.rssi !== undefined) features.push(RSSI);
    if (onTimeOf(target, answer) !== undefined) features.push(ON_TIME);
    return features;
  },
  parse(target, answer, features) {
    const out: NodeState = {};
    if ('rssi' in features && !target.outlet && answer.sysinfo?.rssi !== undefined) out.rssi = answer.sysinfo.rssi;
    const onTime = onTimeOf(target, answer);
    // A negative on_time (seen on HS300 firmware) is a device bug, not a duration.
    if ('on_time' in features && onTime !== undefined && onTime >= 0) out.on_time = onTime;
    return out;
  },
};
