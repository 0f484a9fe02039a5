/**
 * Kasa meter statistics as the devices answer them: both shapes
 * (`energy_wh` Wh on new firmware, `energy` kWh floats on old), the
 * device's own date from its clock, a missing day meaning no consumption,
 * and nothing published for a period the request did not ask for.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { kasaCadenceQuery, kasaCadenceReading } from '../../src/clouds/kasa/devices.js';
import { featureSet } from '../../src/model/feature.js';
import { ENERGY, POWER, STATE } from '../../src/model/features.js';
import type { DeviceNode } from '../../src/model/node.js';

const plug: DeviceNode = {
  id: 'kasa_P',
  cloud: 'kasa',
  kind: 'plug',
  name: 'Plug',
  model: 'KP115',
  address: { cloud: 'kasa', deviceId: 'P', appServerUrl: '' },
  online: true,
  features: featureSet([STATE, POWER, ENERGY]),
  state: {},
};
const outlet: DeviceNode = { ...plug, id: 'kasa_P01', kind: 'outlet', parentId: 'kasa_S', address: { cloud: 'kasa', deviceId: 'S', appServerUrl: '', childId: 'S01' } };

const stats = (days: unknown[], months: unknown[], clock?: unknown) => ({
  emeter: { get_daystat: { day_list: days, err_code: 0 }, get_monthstat: { month_list: months, err_code: 0 } },
  ...(clock ? { time: { get_time: { ...clock, err_code: 0 } } } : {}),
});

describe('Kasa energy statistics', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(2026, 5, 15, 12, 0, 0));
  });
  afterEach(() => vi.useRealTimers());

  it('asks the day and month statistics and the clock of a metered plug in one passthrough; an outlet with context, no clock', () => {
    expect(kasaCadenceQuery(plug, 'energy')).toEqual({
      emeter: { get_daystat: { year: 2026, month: 6 }, get_monthstat: { year: 2026 } },
      time: { get_time: null },
    });
    expect(kasaCadenceQuery(outlet, 'energy')).toEqual({
      context: { child_ids: ['S01'] },
      emeter: { get_realtime: null, get_daystat: { year: 2026, month: 6 }, get_monthstat: { year: 2026 } },
    });
    // Parts the device said it lacks are left out.
    expect(kasaCadenceQuery(plug, 'energy', new Set(['time']))).toEqual({ emeter: { get_daystat: { year: 2026, month: 6 }, get_monthstat: { year: 2026 } } });
  });

  it('reads both shapes in kWh, picking the device date from its clock', () => {
    const wh = stats(
      [{ year: 2026, month: 6, day: 14, energy_wh: 900 }, { year: 2026, month: 6, day: 15, energy_wh: 1234 }],
      [{ year: 2026, month: 5, energy_wh: 40000 }, { year: 2026, month: 6, energy_wh: 15678 }],
      { year: 2026, month: 6, mday: 15 },
    );
    const reading = kasaCadenceReading(plug, wh, 1).reading;
    expect(reading?.values).toEqual({ energy_today: 1.234, energy_month: 15.678 });
    expect(Object.keys(reading?.features ?? {})).toEqual(['energy_today', 'energy_month']);
    const kwh = stats([{ year: 2026, month: 6, day: 14, energy: 0.8125 }], [{ year: 2026, month: 6, energy: 12.5 }], { year: 2026, month: 6, mday: 14 });
    expect(kasaCadenceReading(plug, kwh, 1).reading?.values).toEqual({ energy_today: 0.813, energy_month: 12.5 });
  });

  it('a day missing from the list used nothing; a device already in another month says nothing yet', () => {
    const quiet = stats([{ year: 2026, month: 6, day: 1, energy_wh: 5 }], [{ year: 2026, month: 6, energy_wh: 5 }], { year: 2026, month: 6, mday: 15 });
    expect(kasaCadenceReading(plug, quiet, 1).reading?.values).toEqual({ energy_today: 0, energy_month: 0.005 });
    // Asked for June; the device's clock is past midnight of July 1st.
    const ahead = stats([], [{ year: 2026, month: 6, energy_wh: 5 }], { year: 2026, month: 7, mday: 1 });
    expect(kasaCadenceReading(plug, ahead, 1).reading?.values).toEqual({ energy_month: 0 });
  });

  it('a meter without statistics (module or method not supported) gives no feature', () => {
    const lacks = { emeter: { get_daystat: { err_code: -2, err_msg: 'member not support' }, get_monthstat: { err_code: -2 } } };
    expect(kasaCadenceReading(plug, lacks, 1).reading).toBeUndefined();
    expect(kasaCadenceReading(plug, { emeter: { err_code: -1, err_msg: 'module not support' } }, 1).reading).toBeUndefined();
  });
});
