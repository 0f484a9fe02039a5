/**
 * What a Tapo model can do, before any shadow says more. Sources: the Tapo
 * product pages and python-kasa's smart-device fixtures; where a model is
 * not listed, the shadow's reported fields decide (see tapo.ts).
 */
import type { NodeKind } from '../../model/node.js';

/**
 * Models whose cloud usage carries a live power reading. P110/P110M/P115 are
 * the metering plugs; P304M and P316M meter per socket. P306 and P300 do not
 * meter (no energy component in their fixtures/spec), nor does P125M (its
 * "M" is Matter, unlike P110M).
 */
const ENERGY_MODELS = /^(P110|P110M|P115|P304M|P316M|KP125M)$/i;
/** Models whose get_emeter_data gives voltage and current (per the fixtures' README). */
const EMETER_DATA_MODELS = /^(P110M|P304M|P316M|KP125M)$/i;

export function hasEmeterData(model: string): boolean {
  return EMETER_DATA_MODELS.test(model);
}

/** Tapo power strips: one sub-thing per socket. */
const STRIP_MODELS = /^(P300|P304|P304M|P306|P316|P316M)$/i;
/** Dimmable white bulbs (no colour, no tunable white). */
const DIMMABLE_BULBS = /^(L510|L520|L610)/i;
/** Colour bulbs with tunable white. */
const COLOUR_BULBS = /^(L530|L535|L630)/i;
/** Light strips: L900 is colour only, L920/L930 add tunable white. */
const LIGHT_STRIPS = /^(L900|L920|L930)/i;
const TUNABLE_STRIPS = /^(L920|L930)/i;
const DIMMER_SWITCHES = /^(S500D|S505D)/i;

export interface TapoModelTraits {
  kind: NodeKind;
  energy: boolean;
  /** get_emeter_data: voltage and current besides power and energy. */
  emeterData: boolean;
  brightness: boolean;
  color: boolean;
  colorTemp: boolean;
}

/** undefined: not a relay or a light (hubs, cameras, sensors) — not published. */
export function tapoTraits(model: string, deviceType: string, category: string): TapoModelTraits | undefined {
  const type = deviceType.toUpperCase();
  const base = { energy: ENERGY_MODELS.test(model), emeterData: hasEmeterData(model), brightness: false, color: false, colorTemp: false };
  if (type.includes('BULB') || LIGHT_STRIPS.test(model) || DIMMABLE_BULBS.test(model) || COLOUR_BULBS.test(model)) {
    const strip = LIGHT_STRIPS.test(model);
    return {
      ...base,
      kind: strip ? 'lightstrip' : 'bulb',
      brightness: true,
      color: strip || COLOUR_BULBS.test(model),
      colorTemp: TUNABLE_STRIPS.test(model) || COLOUR_BULBS.test(model),
    };
  }
  if (type.includes('SWITCH')) {
    const dimmer = DIMMER_SWITCHES.test(model);
    return { ...base, kind: dimmer ? 'dimmer' : 'switch', brightness: dimmer };
  }
  if (type.includes('PLUG') || category.startsWith('plug')) {
    if (category.includes('sub-plug')) return { ...base, kind: 'outlet' };
    return { ...base, kind: STRIP_MODELS.test(model) ? 'strip' : 'plug' };
  }
  return undefined;
}
