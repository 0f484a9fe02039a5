/**
 * A wall dimmer's fade when switched on and off by a plain switch, in ms
 * (`smartlife.iot.dimmer.get_dimmer_parameters` fadeOnTime / fadeOffTime,
 * written with set_fade_on_time / set_fade_off_time {fadeTime}); read in
 * the same settings ask as the other dimmer parameters. Up to 10 s, the
 * app's limit.
 */
import { dimmerDuration, dimmerParametersModule } from '../dimmer-parameters.js';

export const FADE_ON_TIME = dimmerDuration('fade_on_time', 'Fade on time', 10_000, 'mdi:clock-out', 'Kasa dimmers: fade when switched on');
export const FADE_OFF_TIME = dimmerDuration('fade_off_time', 'Fade off time', 10_000, 'mdi:clock-in', 'Kasa dimmers: fade when switched off');

export const module = dimmerParametersModule('dimmer-fade', 50, [
  { feature: FADE_ON_TIME, key: 'fadeOnTime', method: 'set_fade_on_time', param: 'fadeTime' },
  { feature: FADE_OFF_TIME, key: 'fadeOffTime', method: 'set_fade_off_time', param: 'fadeTime' },
]);
