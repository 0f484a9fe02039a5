/**
 * Wi-Fi signal (sysinfo `rssi`), time on (sysinfo `on_time`, or the
 * outlet's own) and, from it, since when it is on. No SSID: Kasa devices
 * tell it only through netif.get_stainfo, which no capture confirms.
 */
import { ON_SINCE, ON_TIME, RSSI } from '../../../model/features.js';
import { onSince } from '../../../model/time.js';
import type { Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import type { KasaAnswer, KasaModule, KasaTarget } from '../module.js';

function onTimeOf(target: KasaTarget, answer: KasaAnswer): number | undefined {
  return target.outlet ? answer.child?.on_time : answer.sysinfo?.on_time;
}

export const module: KasaModule = {
  name: 'diagnostics',
  order: 40,
  features: [RSSI, ON_TIME, ON_SINCE],
  detect(target, answer) {
    const features: Feature[] = [];
    if (!target.outlet && answer.sysinfo?.rssi !== undefined) features.push(RSSI);
    if (onTimeOf(target, answer) !== undefined) features.push(ON_TIME, ON_SINCE);
    return features;
  },
  parse(target, answer, features) {
    const out: NodeState = {};
    if ('rssi' in features && !target.outlet && answer.sysinfo?.rssi !== undefined) out.rssi = answer.sysinfo.rssi;
    const onTime = onTimeOf(target, answer);
    // A negative on_time (seen on HS300 firmware) is a device bug, not a duration.
    if ('on_time' in features && onTime !== undefined && onTime >= 0) out.on_time = onTime;
    const relay = target.outlet ? answer.child?.state : answer.sysinfo?.relay_state;
    const since = answer.readAt === undefined ? undefined : onSince(answer.readAt, onTime, relay === undefined ? undefined : relay === 1);
    if ('on_since' in features && since !== undefined) out.on_since = since;
    return out;
  },
};
