/** Wi-Fi signal (`rssi`) and time on (`on_time`) from the shadow. */
import { ON_TIME, RSSI } from '../../../model/features.js';
import type { Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import { finiteNumber } from '../../../model/util.js';
import type { TapoModule } from '../module.js';

export const module: TapoModule = {
  name: 'diagnostics',
  order: 40,
  features: [RSSI, ON_TIME],
  detect(_target, reported) {
    const features: Feature[] = [];
    if (finiteNumber(reported.rssi) !== undefined) features.push(RSSI);
    if (finiteNumber(reported.on_time) !== undefined) features.push(ON_TIME);
    return features;
  },
  parse(_target, reported, features) {
    const out: NodeState = {};
    const rssi = finiteNumber(reported.rssi);
    if ('rssi' in features && rssi !== undefined) out.rssi = rssi;
    const onTime = finiteNumber(reported.on_time);
    if ('on_time' in features && onTime !== undefined && onTime >= 0) out.on_time = onTime;
    return out;
  },
};
