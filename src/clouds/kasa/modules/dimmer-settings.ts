/**
 * A wall dimmer's gentle on/off (the app's "gentle" off and on, e.g. a
 * long press) in ms, and the ramp rate of its buttons, from
 * `get_dimmer_parameters` (../dimmer-parameters.ts). The ranges are what
 * the dimmers accept (ramp rate 10-50 as checked on a KS220 by
 * python-kasa; the time limits are the app's).
 */
import type { Feature } from '../../../model/feature.js';
import { dimmerDuration, dimmerParametersModule } from '../dimmer-parameters.js';

export const GENTLE_ON_TIME = dimmerDuration('gentle_on_time', 'Gentle on time', 120_000, 'mdi:clock-out', 'Kasa dimmers: gentle on (a long press, a scene)');
export const GENTLE_OFF_TIME = dimmerDuration('gentle_off_time', 'Gentle off time', 120_000, 'mdi:clock-in', 'Kasa dimmers: gentle off');
export const RAMP_RATE: Feature = {
  id: 'ramp_rate',
  type: { kind: 'number', min: 10, max: 50, step: 1 },
  readable: true,
  writable: true,
  entity: { component: 'number', name: 'Ramp rate', entity_category: 'config', mode: 'box', icon: 'mdi:clock-fast' },
  doc: 'Kasa dimmers: how fast the buttons dim',
  cadence: 'settings',
};

export const module = dimmerParametersModule('dimmer-settings', 50, [
  { feature: GENTLE_ON_TIME, key: 'gentleOnTime', method: 'set_gentle_on_time', param: 'duration' },
  { feature: GENTLE_OFF_TIME, key: 'gentleOffTime', method: 'set_gentle_off_time', param: 'duration' },
  { feature: RAMP_RATE, key: 'rampRate', method: 'set_button_ramp_rate', param: 'rampRate' },
]);
