/**
 * The 1,000-device runs, each bridge in its own child process:
 * - fast: no simulated latency, no rate limit: start-up cost, requests,
 *   messages and CPU per cycle (nothing changed: the simulator's clock is
 *   frozen so energy counters stand still), then memory over 50 cycles
 *   with the clock running again;
 * - realistic: 50 ms simulated latency and the default rate limit: what a
 *   user waits for at start-up and per cycle.
 */
import { benchConfig, endpointsOf } from './config.js';
import { BridgeChild } from './child.js';
import { measureMemory, type MemoryResult } from './memory.js';
import { measureCycle, minimums, type CycleCost, type CycleKind, type Minimums } from './poll-cost.js';
import { BenchSimulator } from './sim.js';
import { observeStartup, type StartupReport } from './startup.js';
import { progress } from './stats.js';

export const DEVICES = 1000;

export interface DeviceMix {
  kasa: number;
  kasaStrips: Record<string, number>;
  tapo: number;
  tapoStrips: Record<string, number>;
  tapoSockets: number;
  bridgeNodes: number;
}

export interface FastResult {
  mix: DeviceMix;
  minimums: Minimums;
  startup: StartupReport;
  cycles: Record<CycleKind, CycleCost>;
  memory: MemoryResult;
}

export interface RealisticResult {
  latencyMs: number;
  perSecond: { kasa: number; tapo: number };
  startupMs: number;
  cycles: Record<'state' | 'energy', CycleCost>;
}

const START_TIMEOUT_MS = 120_000;
const FAST_CYCLE_TIMEOUT_MS = 60_000;

function mixOf(bench: BenchSimulator, bridgeNodes: number): DeviceMix {
  const devices = bench.sim.devices();
  const strips = (cloud: 'kasa' | 'tapo') => {
    const out: Record<string, number> = {};
    for (const d of devices.filter((x) => x.cloud === cloud && x.children.length > 0)) out[d.model] = (out[d.model] ?? 0) + 1;
    return out;
  };
  const tapoSockets = devices.filter((d) => d.cloud === 'tapo').reduce((sum, d) => sum + d.children.length, 0);
  return {
    kasa: devices.filter((d) => d.cloud === 'kasa').length,
    kasaStrips: strips('kasa'),
    tapo: devices.filter((d) => d.cloud === 'tapo').length - tapoSockets,
    tapoStrips: strips('tapo'),
    tapoSockets,
    bridgeNodes,
  };
}

export async function measureFast(options: { memoryCycles: number }): Promise<FastResult> {
  const bench = await BenchSimulator.start({ devices: DEVICES, builtin: false });
  let child: BridgeChild | undefined;
  try {
    const config = benchConfig(endpointsOf(bench.sim), { perSecond: 0 });
    progress('scale: starting a bridge child for 1,000 devices (no latency, no rate limit)');
    const started = await BridgeChild.start(config, START_TIMEOUT_MS);
    child = started.child;
    const startup = await observeStartup(started.ready, child.spawnedAt, config.homeassistant.prefix);
    progress(`scale: started in ${Math.round(startup.totalMs)} ms, ${startup.nodes} nodes`);
    const minimum = minimums(bench.sim.devices(), config.tapo.shadowBatchSize);

    bench.clock.freeze();
    await child.cycle('both', FAST_CYCLE_TIMEOUT_MS); // settle whatever changed since start-up
    const cycles = {
      state: await measureCycle(child, bench, 'state', minimum, FAST_CYCLE_TIMEOUT_MS),
      energy: await measureCycle(child, bench, 'energy', minimum, FAST_CYCLE_TIMEOUT_MS),
      both: await measureCycle(child, bench, 'both', minimum, FAST_CYCLE_TIMEOUT_MS),
      settings: await measureCycle(child, bench, 'settings', minimum, FAST_CYCLE_TIMEOUT_MS),
    };
    bench.clock.resume();
    progress('scale: poll cost measured; memory over many cycles');
    const memory = await measureMemory(child, bench, {
      cycles: options.memoryCycles,
      checkpoints: [10, options.memoryCycles],
      cycleTimeoutMs: FAST_CYCLE_TIMEOUT_MS,
    });
    return { mix: mixOf(bench, startup.nodes), minimums: minimum, startup, cycles, memory };
  } finally {
    await child?.close();
    await bench.close();
  }
}

/** Peak and post-GC memory with V8 heap flags (a smaller young generation, a capped old one). */
export async function measureTunedMemory(nodeFlags: string[], cycles: number): Promise<MemoryResult & { nodeFlags: string[] }> {
  const bench = await BenchSimulator.start({ devices: DEVICES, builtin: false });
  let child: BridgeChild | undefined;
  try {
    progress(`memory: bridge child with ${nodeFlags.join(' ')}`);
    child = (await BridgeChild.start(benchConfig(endpointsOf(bench.sim), { perSecond: 0 }), START_TIMEOUT_MS, nodeFlags)).child;
    const memory = await measureMemory(child, bench, { cycles, checkpoints: [Math.min(10, cycles), cycles], cycleTimeoutMs: FAST_CYCLE_TIMEOUT_MS });
    return { ...memory, nodeFlags };
  } finally {
    await child?.close();
    await bench.close();
  }
}

export async function measureRealistic(latencyMs: number): Promise<RealisticResult> {
  const bench = await BenchSimulator.start({ devices: DEVICES, builtin: false, latencyMs });
  let child: BridgeChild | undefined;
  try {
    const config = benchConfig(endpointsOf(bench.sim));
    const perSecond = { kasa: config.rateLimit.kasaPerSecond, tapo: config.rateLimit.tapoPerSecond };
    // Every request goes through the rate limit: allow for it, plus a margin.
    const budgetMs = (DEVICES * 2 * 1000) / Math.max(1, Math.min(perSecond.kasa, perSecond.tapo)) + 60_000;
    progress(`realistic: starting a bridge child (${latencyMs} ms latency, ${perSecond.kasa}/s Kasa, ${perSecond.tapo}/s Tapo); takes minutes`);
    const started = await BridgeChild.start(config, budgetMs);
    child = started.child;
    const startupMs = started.ready.readyAt - child.spawnedAt;
    progress(`realistic: started in ${Math.round(startupMs / 1000)} s`);
    const minimum = minimums(bench.sim.devices(), config.tapo.shadowBatchSize);
    bench.clock.freeze();
    const state = await measureCycle(child, bench, 'state', minimum, budgetMs);
    progress(`realistic: state cycle ${Math.round(state.wallMs / 1000)} s`);
    const energy = await measureCycle(child, bench, 'energy', minimum, budgetMs);
    progress(`realistic: energy cycle ${Math.round(energy.wallMs / 1000)} s`);
    return { latencyMs, perSecond, startupMs, cycles: { state, energy } };
  } finally {
    await child?.close();
    await bench.close();
  }
}
