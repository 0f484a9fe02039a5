/**
 * `npm run bench -- --memory-runs N [--cycles C] [--flags "--max-semi-space-size=4 ..."]`:
 * only the 1,000-device memory figure, N times, to iterate on it in a few
 * minutes instead of a full bench. Each run starts a bridge child with its
 * memory sampled every 10 ms, and runs what the full bench's "Peak RSS
 * after 10 cycles" row runs before reading it: start-up checked from
 * outside, the five poll-cost cycles (state+energy, state, energy,
 * state+energy, settings), then C state+energy cycles (10 by default;
 * the row with flags runs only these). It prints the peak RSS (getrusage), RSS and
 * heap after a forced GC, and the phase (start-up or which cycle) where the
 * largest sample was taken with what it was made of (`--phases`: the
 * largest sample of every phase; `--timeline`: a sample every 100 ms on
 * stderr; `--heap-snapshot`: a heap snapshot of
 * the bridge after the cycles, in bench/results/bridge.heapsnapshot;
 * `--alloc-profile`: V8's sampling heap profile from boot on, collected
 * objects included, in bench/results/bridge.heapprofile).
 */
import { fileURLToPath } from 'node:url';
import { benchConfig, endpointsOf } from './config.js';
import { BridgeChild } from './child.js';
import type { MemorySample, PhasePeak } from './mem-sampler.js';
import { DEVICES } from './scale.js';
import { BenchSimulator } from './sim.js';
import { observeStartup } from './startup.js';
import { round } from './stats.js';

const SNAPSHOT = fileURLToPath(new URL('./results/bridge.heapsnapshot', import.meta.url));
const ALLOCATIONS = fileURLToPath(new URL('./results/bridge.heapprofile', import.meta.url));
const POLL_COST_CYCLES = ['both', 'state', 'energy', 'both', 'settings'] as const;
const START_TIMEOUT_MS = 120_000;
const CYCLE_TIMEOUT_MS = 60_000;

const made = (s: MemorySample) =>
  `rss ${s.rssMb} = heap ${s.heapUsedMb}/${s.heapTotalMb} used/total, external ${s.externalMb} (array buffers ${s.arrayBuffersMb})`;

function largest(phases: PhasePeak[], which: (phase: PhasePeak) => boolean): PhasePeak | undefined {
  return phases.filter(which).reduce<PhasePeak | undefined>((best, phase) => (!best || phase.peak.rssMb > best.peak.rssMb ? phase : best), undefined);
}

async function memoryRun(nodeFlags: string[], cycles: number): Promise<string[]> {
  const bench = await BenchSimulator.start({ devices: DEVICES, builtin: false });
  let child: BridgeChild | undefined;
  try {
    const config = benchConfig(endpointsOf(bench.sim), { perSecond: 0 });
    const sampling = ['--sample-memory', ...['--timeline', '--alloc-profile'].filter((flag) => process.argv.includes(flag)).map((flag) => (flag === '--timeline' ? '--memory-timeline' : flag))];
    const started = await BridgeChild.start(config, START_TIMEOUT_MS, nodeFlags, sampling);
    child = started.child;
    const startup = await observeStartup(started.ready, child.spawnedAt, config.homeassistant.prefix);
    // As the full bench's plain row (measureFast): the poll-cost cycles first, a settings read among them.
    bench.clock.freeze();
    for (const what of POLL_COST_CYCLES) await child.cycle(what, CYCLE_TIMEOUT_MS);
    bench.clock.resume();
    for (let cycle = 1; cycle <= cycles; cycle++) {
      bench.sim.clearRequests();
      await child.cycle('both', CYCLE_TIMEOUT_MS);
    }
    const phases = await child.phases();
    if (process.argv.includes('--heap-snapshot')) await child.heapSnapshot(SNAPSHOT);
    if (process.argv.includes('--alloc-profile')) await child.allocationProfile(ALLOCATIONS);
    const memory = await child.memory();
    const peak = largest(phases, () => true);
    const startPhase = largest(phases, (phase) => phase.phase === 'start-up');
    const cyclePhase = largest(phases, (phase) => phase.phase.startsWith('cycle'));
    const lines = [
      `peak RSS ${memory.maxRssMb} MB; after GC: RSS ${memory.rssAfterGcMb} MB, heap ${memory.heapUsedAfterGcMb}/${memory.heapTotalAfterGcMb} MB used/total, ` +
        `external ${memory.externalAfterGcMb} MB; ` +
        `start-up ${round(startup.totalMs / 1000, 1)} s (${startup.complete ? 'complete' : 'INCOMPLETE'}), ${startup.nodes} nodes`,
    ];
    if (peak) lines.push(`  largest sample in "${peak.phase}" at +${peak.peak.atMs} of ${peak.durationMs} ms: ${made(peak.peak)}`);
    if (startPhase && startPhase !== peak) lines.push(`  start-up (${startPhase.durationMs} ms) largest at +${startPhase.peak.atMs} ms: ${made(startPhase.peak)}`);
    if (cyclePhase && cyclePhase !== peak) lines.push(`  cycles: largest in "${cyclePhase.phase}" at +${cyclePhase.peak.atMs} ms: ${made(cyclePhase.peak)}`);
    if (process.argv.includes('--phases')) {
      for (const phase of phases) lines.push(`  ${phase.phase} (${phase.durationMs} ms, ${phase.samples} samples) largest at +${phase.peak.atMs} ms: ${made(phase.peak)}`);
    }
    return lines;
  } finally {
    await child?.close();
    await bench.close();
  }
}

export async function memoryRuns(runs: number, nodeFlags: string[], cycles: number): Promise<void> {
  for (let run = 1; run <= runs; run++) {
    const lines = await memoryRun(nodeFlags, cycles);
    process.stdout.write(`run ${run}${nodeFlags.length > 0 ? ` (node ${nodeFlags.join(' ')})` : ''}: ${lines.join('\n')}\n`);
  }
}
