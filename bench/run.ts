/**
 * `npm run bench`: every benchmark in one run against the simulated cloud
 * on loopback. Progress on stderr, the table on stdout, every figure in
 * bench/results/latest.json. See README.md "Performance".
 */
import { fileURLToPath } from 'node:url';
import { compileChild } from './child.js';
import { measureCoalescing } from './coalescing.js';
import { measureFlood } from './flood.js';
import { measureLatency } from './latency.js';
import { memoryRuns } from './memory-runs.js';
import { checks, machine, table, writeJson, type BenchResults } from './report.js';
import { DEVICES, measureFast, measureRealistic, measureTunedMemory } from './scale.js';
import { BenchSimulator } from './sim.js';
import { progress } from './stats.js';

const OUTPUT = fileURLToPath(new URL('./results/latest.json', import.meta.url));
const LATENCY = { commands: 1_000, warmup: 100 };
const MEMORY_CYCLES = 50;
/** What the Docker image runs node with (Dockerfile ENTRYPOINT). */
const TUNED_FLAGS = ['--max-semi-space-size=4'];
const REALISTIC_LATENCY_MS = 50;

async function latencyPhase(): Promise<BenchResults['latency']> {
  const bench = await BenchSimulator.start({ devices: DEVICES, builtin: false });
  try {
    return await measureLatency(bench, LATENCY);
  } finally {
    await bench.close();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  progress(`machine: ${JSON.stringify(machine())}`);
  progress('compiling the bridge child process');
  await compileChild();

  progress(`latency: ${LATENCY.commands} commands (+${LATENCY.warmup} warm-up) each through the bridge and the minimal relay`);
  const latency = await latencyPhase();
  progress(`latency: bridge p50 ${latency.bridge.p50.toFixed(2)} ms, relay p50 ${latency.baseline.p50.toFixed(2)} ms`);
  const coalescing = await measureCoalescing([
    { label: 'default rate limit', judged: true, latencyMs: 0 },
    { label: `default rate limit, ${REALISTIC_LATENCY_MS} ms latency`, judged: false, latencyMs: REALISTIC_LATENCY_MS },
    { label: 'no rate limit', judged: false, perSecond: 0, latencyMs: 0 },
  ]);

  // The realistic run spends minutes waiting on the rate limit: it runs beside the CPU-bound ones.
  const realisticRun = measureRealistic(REALISTIC_LATENCY_MS);
  realisticRun.catch(() => undefined); // awaited below
  const fast = await measureFast({ memoryCycles: MEMORY_CYCLES });
  const tunedMemory = await measureTunedMemory(TUNED_FLAGS, 10);
  const realistic = await realisticRun;
  progress('flood: npm run flood (10 s at 5,000 messages/s asked)');
  const flood = await measureFlood();
  progress(`flood: offered ${flood.offeredPerSecond}/s, RSS growth ${flood.growthMb} MB`);

  const results: BenchResults = { latency, coalescing, fast, tunedMemory, realistic, flood };
  const rows = checks(results);
  const durationS = Math.round((Date.now() - started) / 1000);
  writeJson(OUTPUT, results, rows, durationS);
  progress(`done in ${durationS} s; figures in ${OUTPUT}`);
  process.stdout.write(`${table(rows)}\n`);
}

/**
 * `npm run bench -- --latency-runs N`: only the latency comparison, N times,
 * one line each, since a single run's ratio moves with the machine's noise.
 */
async function latencyRuns(runs: number): Promise<void> {
  for (let run = 1; run <= runs; run++) {
    const { bridge, baseline } = await latencyPhase();
    const line = [
      `run ${run}:`,
      `bridge p50 ${bridge.p50.toFixed(2)} ms p99 ${bridge.p99.toFixed(2)} ms,`,
      `relay p50 ${baseline.p50.toFixed(2)} ms p99 ${baseline.p99.toFixed(2)} ms,`,
      `ratio p50 ${(bridge.p50 / baseline.p50).toFixed(3)}`,
    ];
    process.stdout.write(`${line.join(' ')}\n`);
  }
}

/** The value after `--name` on the command line, if given. */
function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}
const count = (value: string | undefined, fallback: number) => Math.max(1, Number(value) || fallback);

async function quickMemory(runs: number): Promise<void> {
  await compileChild();
  const flags = (option('--flags') ?? '').split(' ').filter((flag) => flag !== '');
  await memoryRuns(runs, flags, count(option('--cycles'), 10));
}

const entry = process.argv.includes('--latency-runs')
  ? latencyRuns(count(option('--latency-runs'), 5))
  : process.argv.includes('--memory-runs')
    ? quickMemory(count(option('--memory-runs'), 3))
      : main();

entry.catch((error: unknown) => {
  progress(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
