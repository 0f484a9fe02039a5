/**
 * Kasa meter statistics and the device clock (synthesised: no fixture has
 * them; shapes as python-kasa's captures show): `get_daystat {year,
 * month}` -> `day_list`, `get_monthstat {year}` -> `month_list`, each entry
 * `energy_wh` (Wh, new firmware) or `energy` (kWh, old floats, as the
 * device's realtime answer); `time.get_time` in UTC.
 */
import { dayList, monthList, periodFigures } from './energy-periods.js';
import { kasaOutletOn, type Json, type KasaDevice, type KasaOutlet } from './model.js';

type Method = (device: KasaDevice, params: Json, targets: KasaOutlet[] | undefined, now: number) => Json;

const INVALID_ARGUMENT = { err_code: -3, err_msg: 'invalid argument' };

const amount = (device: KasaDevice, wh: number): Json =>
  device.meterShape === 'old' ? { energy: Math.round(wh) / 1000 } : { energy_wh: Math.round(wh) };

function meterOf(device: KasaDevice, targets: KasaOutlet[] | undefined): { meter: KasaDevice['meter']; on: boolean } {
  const outlet = targets?.[0];
  if (outlet) return { meter: outlet.meter, on: outlet.state === 1 };
  return { meter: device.meter, on: kasaOutletOn(device) };
}

const isYear = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 2000 && value <= 2100;

export const STATS: Record<string, Method> = {
  get_daystat: (device, params, targets, now) => {
    if (!isYear(params.year) || typeof params.month !== 'number') return INVALID_ARGUMENT;
    const { meter, on } = meterOf(device, targets);
    if (!meter) return { day_list: [], err_code: 0 };
    const list = dayList(periodFigures(meter, on, now), params.year, params.month);
    return { day_list: list.map(({ wh, ...day }) => ({ ...day, ...amount(device, wh) })), err_code: 0 };
  },
  get_monthstat: (device, params, targets, now) => {
    if (!isYear(params.year)) return INVALID_ARGUMENT;
    const { meter, on } = meterOf(device, targets);
    if (!meter) return { month_list: [], err_code: 0 };
    const list = monthList(periodFigures(meter, on, now), params.year);
    return { month_list: list.map(({ wh, ...month }) => ({ ...month, ...amount(device, wh) })), err_code: 0 };
  },
};

export const TIME: Record<string, Method> = {
  get_time: (_device, _params, _targets, now) => {
    const d = new Date(now);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      mday: d.getUTCDate(),
      hour: d.getUTCHours(),
      min: d.getUTCMinutes(),
      sec: d.getUTCSeconds(),
      err_code: 0,
    };
  },
};
