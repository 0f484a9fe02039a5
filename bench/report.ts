/** Targets, the printed table and the JSON written to bench/results/latest.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import type { CoalescingResult } from './coalescing.js';
import type { LatencyResult } from './latency.js';
import type { FastResult, RealisticResult } from './scale.js';
import type { MemoryResult } from './memory.js';
import type { FloodResult } from './flood.js';
import { round } from './stats.js';
import { loadConfig } from '../src/config/load.js';

export interface BenchResults {
  latency: LatencyResult;
  coalescing: CoalescingResult[];
  fast: FastResult;
  tunedMemory: MemoryResult & { nodeFlags: string[] };
  realistic: RealisticResult;
  flood: FloodResult;
}

export interface Check {
  name: string;
  value: string;
  target: string;
  pass: boolean | null;
}

export const LATENCY_RATIO_MAX = 1.5;
export const OVERHEAD_P99_MAX_MS = 5;
export const PEAK_RSS_MAX_MB = 150;
/** Post-GC heap growth between the checkpoints still counted as "no growth". */
export const LEAK_TOLERANCE_MB = 2;
export const COALESCED_CALLS_MAX = 3;
/** Issue 16: RSS under a 10 s flood stays within this of idle. */
export const FLOOD_GROWTH_MAX_MB = 50;

/**
 * A cycle's request count is judged against its minimum: equal, and a
 * minimum of 0 is a broken measurement (a cycle that asked nothing), not a pass.
 */
export function atMinimum(cycle: { requests: number; minimum: number }): boolean {
  return cycle.minimum > 0 && cycle.requests === cycle.minimum;
}

const ms = (value: number, digits = 2) => `${round(value, digits)} ms`;
const s = (value: number) => `${round(value / 1000, 1)} s`;
const apis = (byApi: Record<string, number>) =>
  Object.entries(byApi)
    .map(([api, count]) => `${count} ${api}`)
    .join(' + ');

/** The settings the per-hour figure is worked out at: the defaults. */
const DEFAULTS = loadConfig({ args: [], env: {} });

/** A cycle's measured requests at its default pace, per device of the fleet, per hour. */
export function perHour(fast: BenchResults['fast']): { perDevice: number; state: number; energy: number; settings: number; firmware: number } {
  const devices = fast.mix.kasa + fast.mix.tapo;
  const each = (requests: number, everyS: number) => (requests * 3600) / everyS / devices;
  const state = each(fast.cycles.state.requests, DEFAULTS.poll.intervalS);
  const energy = each(fast.cycles.energy.requests, DEFAULTS.poll.energyIntervalS);
  const settings = each(fast.cycles.settings.requests, DEFAULTS.poll.settingsIntervalS);
  const firmware = 1 / DEFAULTS.firmware.checkIntervalH;
  return { perDevice: state + energy + settings + firmware, state, energy, settings, firmware };
}

export function checks(r: BenchResults): Check[] {
  const { latency, fast, realistic, tunedMemory, flood } = r;
  const { state, energy, both, settings } = fast.cycles;
  const hourly = perHour(fast);
  const mem = fast.memory;
  const peak10 = mem.checkpoints[mem.first]?.maxRssMb ?? Number.NaN;
  const out: Check[] = [
    { name: `Command latency, bridge p50 / p95 / p99 (${latency.commands} cmds)`, value: `${ms(latency.bridge.p50)} / ${ms(latency.bridge.p95)} / ${ms(latency.bridge.p99)}`, target: '', pass: null },
    { name: 'Command latency, minimal relay p50 / p95 / p99', value: `${ms(latency.baseline.p50)} / ${ms(latency.baseline.p95)} / ${ms(latency.baseline.p99)}`, target: '', pass: null },
    { name: 'Bridge / relay ratio, p50 (p99)', value: `${latency.ratioP50} (${latency.ratioP99})`, target: `<= ${LATENCY_RATIO_MAX}`, pass: latency.ratioP50 <= LATENCY_RATIO_MAX },
    { name: 'Bridge overhead p50 / p95 / p99', value: `${ms(latency.overheadMs.p50)} / ${ms(latency.overheadMs.p95)} / ${ms(latency.overheadMs.p99)}`, target: `p99 < ${OVERHEAD_P99_MAX_MS} ms`, pass: latency.overheadMs.p99 < OVERHEAD_P99_MAX_MS },
    { name: 'State cycle: cloud requests', value: `${state.requests} (${apis(state.byApi)})`, target: `= ${state.minimum} (minimum)`, pass: atMinimum(state) },
    { name: 'Energy cycle: cloud requests', value: `${energy.requests} (${apis(energy.byApi)})`, target: `= ${energy.minimum} (minimum)`, pass: atMinimum(energy) },
    { name: 'State + energy cycle: cloud requests', value: `${both.requests}`, target: `= ${both.minimum} (minimum)`, pass: atMinimum(both) },
    { name: 'Settings cycle: cloud requests', value: `${settings.requests} (${apis(settings.byApi)})`, target: `= ${settings.minimum} (minimum)`, pass: atMinimum(settings) },
    { name: 'Requests per device per hour at default settings (fleet average; firmware at 1 per 12 h)', value: `${round(hourly.perDevice, 1)} (state ${round(hourly.state, 1)}, energy ${round(hourly.energy, 1)}, settings ${round(hourly.settings, 2)}, firmware ${round(hourly.firmware, 2)})`, target: '', pass: null },
    { name: 'MQTT messages per cycle, nothing changed (state / other)', value: `${state.published.state + energy.published.state} / ${state.published.other + state.published.availability + state.published.discovery + energy.published.other + energy.published.availability + energy.published.discovery}`, target: '0 state', pass: state.published.state + energy.published.state === 0 },
    { name: 'CPU per cycle: state / energy / both', value: `${ms(state.cpuMs, 0)} / ${ms(energy.cpuMs, 0)} / ${ms(both.cpuMs, 0)}`, target: '', pass: null },
    { name: 'Wall per cycle, no latency, no rate limit: state / energy / both', value: `${ms(state.wallMs, 0)} / ${ms(energy.wallMs, 0)} / ${ms(both.wallMs, 0)}`, target: '', pass: null },
    { name: `Wall per cycle, ${realistic.latencyMs} ms latency, ${realistic.perSecond.kasa}/s: state / energy`, value: `${s(realistic.cycles.state.wallMs)} / ${s(realistic.cycles.energy.wallMs)}`, target: '', pass: null },
    { name: 'Start-up to all discovery + state, no latency, no rate limit', value: `${s(fast.startup.totalMs)} (boot ${s(fast.startup.bootMs)}, ${fast.startup.retainedStateTopics}/${fast.startup.nodes} states, ${fast.startup.retainedDiscoveryTopics}/${fast.startup.expectedDiscoveryTopics} discovery)`, target: '', pass: fast.startup.complete },
    { name: `Start-up, ${realistic.latencyMs} ms latency, ${realistic.perSecond.kasa}/s`, value: s(realistic.startupMs), target: '', pass: null },
    { name: `Peak RSS after ${mem.first} cycles`, value: `${peak10} MB (heap after GC ${mem.checkpoints[mem.first]?.heapUsedAfterGcMb} MB)`, target: `< ${PEAK_RSS_MAX_MB} MB`, pass: peak10 < PEAK_RSS_MAX_MB },
    { name: `Peak RSS after ${tunedMemory.first} cycles, node ${tunedMemory.nodeFlags.join(' ')} (Docker image)`, value: `${tunedMemory.checkpoints[tunedMemory.first]?.maxRssMb} MB`, target: `< ${PEAK_RSS_MAX_MB} MB`, pass: (tunedMemory.checkpoints[tunedMemory.first]?.maxRssMb ?? Infinity) < PEAK_RSS_MAX_MB },
    { name: `Growth cycle ${mem.first} -> ${mem.last}: heap after GC / RSS after GC / RSS raw`, value: `${mem.heapGrowthAfterGcMb} / ${mem.rssGrowthAfterGcMb} / ${mem.rssGrowthRawMb} MB`, target: `heap < ${LEAK_TOLERANCE_MB} MB`, pass: mem.heapGrowthAfterGcMb < LEAK_TOLERANCE_MB },
  ];
  out.push(
    {
      name: `Flood, 10 s of 9 message kinds at ${flood.askedPerSecond}/s asked: offered (on the wire), RSS growth over idle`,
      value: `${flood.offeredPerSecond}/s, ${flood.growthMb} MB (idle ${flood.idleRssMb} MB)`,
      target: `< ${FLOOD_GROWTH_MAX_MB} MB`,
      pass: flood.growthMb < FLOOD_GROWTH_MAX_MB,
    },
    {
      name: 'Flood: answered / to answer, dropped as overloaded, list reads, exit after SIGTERM',
      value: `${flood.answered} / ${flood.expectedAnswers}, ${flood.droppedOverloaded}, ${flood.listReads}, ${ms(flood.exitMs, 0)}`,
      target: '<= 2 list reads, exit < 10 s',
      pass: flood.listReads <= 2 && flood.exitMs < 10_000,
    },
  );
  for (const c of r.coalescing) {
    out.push({
      name: `Coalescing, ${c.commands} ON/OFF in ${c.spanMs} ms (${c.label}): cloud calls, final`,
      value: `${c.cloudCalls}, ${c.finalState} (last sent ${c.lastCommand})`,
      target: c.judged ? `<= ${COALESCED_CALLS_MAX}, = last` : `(info) = last`,
      pass: c.judged ? c.cloudCalls <= COALESCED_CALLS_MAX && c.finalMatches : c.finalMatches,
    });
  }
  return out;
}

export function table(rows: Check[]): string {
  const mark = (pass: boolean | null) => (pass === null ? '' : pass ? 'pass' : '**miss**');
  const lines = ['| Measure | Result | Target | |', '|---|---|---|---|'];
  for (const row of rows) lines.push(`| ${row.name} | ${row.value} | ${row.target} | ${mark(row.pass)} |`);
  return lines.join('\n');
}

export function machine(): Record<string, unknown> {
  const list = cpus();
  return { node: process.version, platform: `${process.platform} ${process.arch}`, cpus: list.length, cpuModel: list[0]?.model ?? 'unknown' };
}

export function writeJson(path: string, results: BenchResults, rows: Check[], durationS: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const json = { date: new Date().toISOString(), machine: machine(), durationS, checks: rows, results };
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
}
