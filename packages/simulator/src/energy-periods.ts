/**
 * Consumption per day and per month, as a Kasa meter's statistics answer
 * it (`get_daystat`, `get_monthstat`). No fixture carries them: they are
 * made from the meter the simulator integrates, consistent with its total
 * (today <= this month <= total) and growing with simulated time. The
 * device's clock is UTC. At start, today's and this month's figures are
 * what the meter would have counted at half its power since midnight and
 * since the first; after that, what it counts.
 */
import type { EnergyMeter } from './model.js';

interface Marks {
  day: string;
  dayStartWh: number;
  month: string;
  monthStartWh: number;
}

const marks = new WeakMap<EnergyMeter, Marks>();

export interface PeriodFigures {
  totalWh: number;
  todayWh: number;
  monthWh: number;
  date: { year: number; month: number; day: number };
}

const dayKey = (d: Date) => d.toISOString().slice(0, 10);
const monthKey = (d: Date) => d.toISOString().slice(0, 7);

/** Today's and this month's Wh of a meter at `now` (its total advanced). */
export function periodFigures(meter: EnergyMeter, on: boolean, now: number): PeriodFigures {
  const totalWh = meter.totalWh(now, on);
  const date = new Date(now);
  const sinceMidnightH = (now - Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())) / 3_600_000;
  const sinceFirstH = (now - Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)) / 3_600_000;
  let mark = marks.get(meter);
  if (!mark) {
    const today = Math.min(totalWh, (meter.powerW * sinceMidnightH) / 2);
    const month = Math.min(totalWh, Math.max(today, (meter.powerW * sinceFirstH) / 2));
    mark = { day: dayKey(date), dayStartWh: totalWh - today, month: monthKey(date), monthStartWh: totalWh - month };
    marks.set(meter, mark);
  }
  // A new day (month): what it counted since its start, at most what it could at full power.
  if (mark.day !== dayKey(date)) {
    mark.day = dayKey(date);
    mark.dayStartWh = Math.max(mark.dayStartWh, totalWh - (on ? meter.powerW * sinceMidnightH : 0));
  }
  if (mark.month !== monthKey(date)) {
    mark.month = monthKey(date);
    mark.monthStartWh = Math.max(mark.monthStartWh, totalWh - (on ? meter.powerW * sinceFirstH : 0));
  }
  mark.monthStartWh = Math.min(mark.monthStartWh, mark.dayStartWh);
  return {
    totalWh,
    todayWh: totalWh - mark.dayStartWh,
    monthWh: totalWh - mark.monthStartWh,
    date: { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() },
  };
}

/** The statistics lists: earlier days (months) share what today (this month) leaves, evenly. */
export function dayList(figures: PeriodFigures, year: number, month: number): Array<{ year: number; month: number; day: number; wh: number }> {
  const { date } = figures;
  if (year !== date.year || month !== date.month) return [];
  const earlier = date.day - 1;
  const each = earlier > 0 ? (figures.monthWh - figures.todayWh) / earlier : 0;
  const list = [];
  for (let day = 1; day < date.day; day++) if (each > 0) list.push({ year, month, day, wh: each });
  list.push({ year, month, day: date.day, wh: figures.todayWh });
  return list;
}

export function monthList(figures: PeriodFigures, year: number): Array<{ year: number; month: number; wh: number }> {
  const { date } = figures;
  if (year !== date.year) return [];
  const earlier = date.month - 1;
  const each = earlier > 0 ? (figures.totalWh - figures.monthWh) / earlier : 0;
  const list = [];
  for (let month = 1; month < date.month; month++) if (each > 0) list.push({ year, month, wh: each });
  list.push({ year, month: date.month, wh: figures.monthWh });
  return list;
}
