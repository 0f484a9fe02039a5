/**
 * What a Kasa device is, from its sysinfo (kasa-cloud.md §4) or, before the
 * first sysinfo, from its list entry; and the colour temperature range of
 * each bulb model.
 */
import type { KelvinRange, NodeKind } from '../../model/node.js';
import type { KasaSysinfo } from './device-schema.js';
import { stripRegion } from '../../model/util.js';

export type KasaFamily = 'strip' | 'dimmer' | 'plug' | 'switch' | 'bulb' | 'lightstrip';

// Wall switches report like plugs; only the model or the device name tells
// them apart (HS200 "Smart Wi-Fi Light Switch", HS210 3-way, KS200/KS205).
const WALL_SWITCH_MODELS = /^(HS200|HS210|KS200|KS205)/i;
const STRIP_MODELS = /^(HS300|HS107|KP303|KP400|KP200|EP40)/i;
const DIMMER_MODELS = /^(HS220|KS220|KS225|KS230|ES20M|KP405)/i;
const LIGHTSTRIP_MODELS = /^(KL400|KL420|KL430)/i;

function deviceType(sysinfo: KasaSysinfo): string {
  return (sysinfo.type ?? sysinfo.mic_type ?? '').toUpperCase();
}

/** The family per kasa-cloud.md §4; undefined for what is neither plug nor bulb (cameras...). */
export function kasaFamily(sysinfo: KasaSysinfo): KasaFamily | undefined {
  const type = deviceType(sysinfo);
  const model = stripRegion(sysinfo.model ?? '');
  if (type.includes('SMARTBULB')) {
    return sysinfo.length !== undefined || LIGHTSTRIP_MODELS.test(model) ? 'lightstrip' : 'bulb';
  }
  if (!type.includes('SMARTPLUGSWITCH')) return undefined;
  if ((sysinfo.children?.length ?? 0) > 0 || (sysinfo.child_num ?? 0) > 0) return 'strip';
  if (sysinfo.brightness !== undefined || /dimmer/i.test(sysinfo.dev_name ?? '')) return 'dimmer';
  if (WALL_SWITCH_MODELS.test(model) || /light switch/i.test(sysinfo.dev_name ?? '')) return 'switch';
  return 'plug';
}

/** The kind before any sysinfo: from the list entry's deviceType and model. */
export function kindFromListEntry(deviceTypeRaw: string, modelRaw: string): NodeKind | undefined {
  const type = deviceTypeRaw.toUpperCase();
  const model = stripRegion(modelRaw);
  if (type.includes('BULB')) return LIGHTSTRIP_MODELS.test(model) ? 'lightstrip' : 'bulb';
  if (!type.includes('PLUG') && !type.includes('SWITCH')) return undefined;
  if (STRIP_MODELS.test(model)) return 'strip';
  if (DIMMER_MODELS.test(model)) return 'dimmer';
  if (WALL_SWITCH_MODELS.test(model)) return 'switch';
  return 'plug';
}

/**
 * Kelvin ranges: kasa-cloud.md §4 for KL130/KL120/LB120/KL125, the rest from
 * python-kasa's TPLINK_KELVIN table (KL120(EU) goes to 6500 there, the US
 * model to 5000). Light strips are assumed 2500-9000 like KL430 in
 * python-kasa. Unknown tunable-white models get a conservative 2700-6500.
 */
const KELVIN_BY_MODEL: Array<[RegExp, KelvinRange]> = [
  [/^KL120\(EU\)/i, { min: 2700, max: 6500 }],
  [/^KL120/i, { min: 2700, max: 5000 }],
  [/^(KL130|LB130|LB230|KB130)/i, { min: 2500, max: 9000 }],
  [/^(KL125|KL135)/i, { min: 2500, max: 6500 }],
  [/^LB120/i, { min: 2700, max: 6500 }],
  [/^(KL400|KL420|KL430)/i, { min: 2500, max: 9000 }],
];

export const DEFAULT_KELVIN: KelvinRange = { min: 2700, max: 6500 };

export function kasaKelvinRange(modelFull: string): KelvinRange {
  const hit = KELVIN_BY_MODEL.find(([pattern]) => pattern.test(modelFull.trim()));
  return hit ? { ...hit[1] } : { ...DEFAULT_KELVIN };
}
