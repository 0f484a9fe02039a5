/**
 * Wi-Fi signal (`rssi`, `signal_level` 0-3), network (`ssid`, base64) and
 * time on (`on_time`, and since when) from the shadow, or the device info
 * where the shadow lacks them.
 */
import { ON_SINCE, ON_TIME, RSSI } from '../../../model/features.js';
import type { Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import { decodeNickname } from '../../../model/names.js';
import { onSince } from '../../../model/time.js';
import { finiteNumber, nonEmptyString } from '../../../model/util.js';
import type { TapoModule } from '../module.js';

export const SIGNAL_LEVEL: Feature = {
  id: 'signal_level',
  type: { kind: 'number', min: 0, max: 3 },
  readable: true,
  writable: false,
  entity: { component: 'sensor', name: 'Signal level', state_class: 'measurement', icon: 'mdi:signal', entity_category: 'diagnostic' },
  doc: 'Tapo: Wi-Fi signal in bars, 0-3',
};

export const SSID: Feature = {
  id: 'ssid',
  type: { kind: 'text' },
  readable: true,
  writable: false,
  entity: { component: 'sensor', name: 'SSID', icon: 'mdi:wifi', entity_category: 'diagnostic', enabled_by_default: false },
  doc: 'Tapo: the Wi-Fi network it is on',
};

const ssidOf = (reported: Record<string, unknown>) => nonEmptyString(decodeNickname(reported.ssid));

export const module: TapoModule = {
  name: 'diagnostics',
  order: 40,
  features: [RSSI, SIGNAL_LEVEL, SSID, ON_TIME, ON_SINCE],
  detect(_target, reported) {
    const features: Feature[] = [];
    if (finiteNumber(reported.rssi) !== undefined) features.push(RSSI);
    if (finiteNumber(reported.signal_level) !== undefined) features.push(SIGNAL_LEVEL);
    if (ssidOf(reported) !== undefined) features.push(SSID);
    if (finiteNumber(reported.on_time) !== undefined) features.push(ON_TIME, ON_SINCE);
    return features;
  },
  parse(_target, reported, features, readAt) {
    const out: NodeState = {};
    const rssi = finiteNumber(reported.rssi);
    if ('rssi' in features && rssi !== undefined) out.rssi = rssi;
    const level = finiteNumber(reported.signal_level);
    if ('signal_level' in features && level !== undefined) out.signal_level = level;
    const ssid = ssidOf(reported);
    if ('ssid' in features && ssid !== undefined) out.ssid = ssid;
    const onTime = finiteNumber(reported.on_time);
    if ('on_time' in features && onTime !== undefined && onTime >= 0) out.on_time = onTime;
    const on = typeof reported.on === 'boolean' ? reported.on : typeof reported.device_on === 'boolean' ? reported.device_on : undefined;
    const since = onSince(readAt, onTime, on);
    if ('on_since' in features && since !== undefined) out.on_since = since;
    return out;
  },
};
