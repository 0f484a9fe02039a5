/**
 * Consumption today and this month for the Energy dashboard, from the
 * meter's own statistics (`get_daystat {year, month}`, `get_monthstat
 * {year}`), read at the energy cadence in one passthrough per metered node
 * (a strip outlet with context.child_ids; the strip itself has none: its
 * outlets' figures would be counted twice). The device keys its statistics
 * by its own local date, which the cloud does not tell: the request asks
 * for the bridge's date and, beside it, the device's clock (`get_time`,
 * not on outlets); a day or month that is not the device's current one is
 * not published (never a stale figure). Both answer shapes: `energy_wh`
 * (Wh, new firmware) and `energy` (kWh, old).
 */
import { z } from 'zod';
import { parseModule } from '../device-schema.js';
import { ENERGY_TODAY, kwh } from '../../../model/features.js';
import type { Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import { round } from '../../../model/util.js';
import type { KasaAnswer, KasaModule, KasaRequest, KasaTarget } from '../module.js';

export const ENERGY_MONTH: Feature = kwh(
  'energy_month',
  "This month's consumption",
  "energy meters (Kasa): since the first of the device's month (kWh; Tapo's is `energy`)",
  'energy',
);

const isLight = (target: KasaTarget) => target.family === 'bulb' || target.family === 'lightstrip';
const meterModule = (target: KasaTarget) => (isLight(target) ? 'smartlife.iot.common.emeter' : 'emeter');
const timeModule = (target: KasaTarget) => (isLight(target) ? 'smartlife.iot.common.timesetting' : 'time');

const entrySchema = z.looseObject({
  year: z.number(),
  month: z.number(),
  day: z.number().optional(),
  energy_wh: z.number().optional(),
  energy: z.number().optional(),
});
const dayStatSchema = z.looseObject({ day_list: z.array(entrySchema) });
const monthStatSchema = z.looseObject({ month_list: z.array(entrySchema) });
const timeSchema = z.looseObject({ year: z.number(), month: z.number(), mday: z.number() });

type Entry = z.infer<typeof entrySchema>;
interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const kwhOf = (entry: Entry): number | undefined =>
  entry.energy_wh !== undefined ? round(entry.energy_wh / 1000, 3) : entry.energy !== undefined ? round(entry.energy, 3) : undefined;

/** The bridge's local date: what the request asks for before the device says its own. */
function bridgeDate(now = new Date()): LocalDate {
  return { year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() };
}

const metered = (target: KasaTarget) => target.features !== undefined && ('power' in target.features || 'energy' in target.features);

function parseStats(target: KasaTarget, answer: KasaAnswer): { today?: number; month?: number; answered: boolean } {
  const module = meterModule(target);
  const days = parseModule(answer.response, module, 'get_daystat', dayStatSchema);
  const months = parseModule(answer.response, module, 'get_monthstat', monthStatSchema);
  for (const problem of [days.problem, months.problem]) if (problem) answer.problems.push(problem);
  const clock = target.outlet ? {} : parseModule(answer.response, timeModule(target), 'get_time', timeSchema);
  const date: LocalDate = clock.value ? { year: clock.value.year, month: clock.value.month, day: clock.value.mday } : bridgeDate();
  const out: { today?: number; month?: number; answered: boolean } = { answered: days.value !== undefined || months.value !== undefined };
  // Asked for the bridge's month: a device already in another one has no figure here yet.
  const asked = bridgeDate();
  if (days.value && date.year === asked.year && date.month === asked.month) {
    const entry = days.value.day_list.find((e) => e.year === date.year && e.month === date.month && e.day === date.day);
    // The list leaves out days without consumption.
    out.today = entry ? kwhOf(entry) : 0;
  }
  if (months.value && date.year === asked.year) {
    const entry = months.value.month_list.find((e) => e.year === date.year && e.month === date.month);
    out.month = entry ? kwhOf(entry) : 0;
  }
  return out;
}

export const module: KasaModule = {
  name: 'energy-stats',
  order: 11,
  features: [ENERGY_TODAY, ENERGY_MONTH],
  energyQuery(target): KasaRequest | undefined {
    if (!metered(target) || (target.family === 'strip' && !target.outlet)) return undefined;
    const { year, month } = bridgeDate();
    const request: KasaRequest = { [meterModule(target)]: { get_daystat: { year, month }, get_monthstat: { year } } };
    if (!target.outlet) request[timeModule(target)] = { get_time: null };
    return request;
  },
  detect: () => [],
  detectMore(target, answer) {
    return parseStats(target, answer).answered ? [ENERGY_TODAY, ENERGY_MONTH] : [];
  },
  parse(target, answer, features) {
    const stats = parseStats(target, answer);
    const out: NodeState = {};
    if ('energy_today' in features && stats.today !== undefined) out.energy_today = stats.today;
    if ('energy_month' in features && stats.month !== undefined) out.energy_month = stats.month;
    return out;
  },
};
