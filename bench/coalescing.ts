/**
 * Coalescing: 200 alternating ON/OFF commands to one plug within one
 * second. Counts the set_relay_state requests the simulated cloud got for
 * that plug and checks its final state is the last command's.
 */
import { BenchSimulator } from './sim.js';
import { kasaDeviceId, kasaRelayDevices, relayStateSet, startInProcessBridge } from './inproc.js';
import { progress, sleep } from './stats.js';

export interface CoalescingScenario {
  label: string;
  /** Judged against the target (the setting), or shown for information. */
  judged: boolean;
  /** Bridge rate limit per cloud (undefined: the default, 5/s). */
  perSecond?: number;
  latencyMs: number;
}

export interface CoalescingResult {
  label: string;
  judged: boolean;
  perSecond: number;
  latencyMs: number;
  commands: number;
  spanMs: number;
  cloudCalls: number;
  lastCommand: 'ON' | 'OFF';
  finalState: 'ON' | 'OFF' | 'unknown';
  finalMatches: boolean;
}

const COMMANDS = 200;
/** The burst is spread over this much time, so it stays within one second. */
const BURST_MS = 900;
/** The run is over when no new set request came for this long. */
const QUIET_MS = 1_500;
const MAX_WAIT_MS = 30_000;

/** A small simulator (the built-in device set): a bridge at the default rate limit starts in seconds. */
export async function measureCoalescing(scenarios: CoalescingScenario[]): Promise<CoalescingResult[]> {
  const bench = await BenchSimulator.start({ builtin: true });
  try {
    const results: CoalescingResult[] = [];
    for (const scenario of scenarios) {
      results.push(await runScenario(bench, scenario));
      progress(`coalescing (${scenario.label}): ${results.at(-1)?.cloudCalls} cloud calls`);
    }
    return results;
  } finally {
    await bench.close();
  }
}

async function runScenario(bench: BenchSimulator, scenario: CoalescingScenario): Promise<CoalescingResult> {
  bench.sim.setFaults({ latencyMs: 0 });
  const inproc = await startInProcessBridge(bench, { perSecond: scenario.perSecond });
  try {
    const node = kasaRelayDevices(inproc.bridge.store.all())[0];
    if (!node) throw new Error('coalescing: no Kasa plug');
    const deviceId = kasaDeviceId(node);
    const topic = inproc.setTopic(node);
    const firstOn = node.state.state !== 'ON';
    bench.sim.setFaults({ latencyMs: scenario.latencyMs });
    const from = bench.sim.requests.length;
    const sets = () => bench.sim.requests.slice(from).filter((r) => r.api === 'passthrough' && r.deviceId === deviceId && relayStateSet(r.body) !== undefined);

    const started = performance.now();
    let last: 'ON' | 'OFF' = 'OFF';
    for (let i = 0; i < COMMANDS; i++) {
      last = (i % 2 === 0) === firstOn ? 'ON' : 'OFF';
      // QoS 0, not awaited: a burst, as a flapping automation would send it.
      inproc.commander.publish(topic, last, { qos: 0 });
      // Paced on absolute times: timer drift must not stretch the burst past a second.
      const due = ((i + 1) * BURST_MS) / COMMANDS;
      await sleep(Math.max(0, due - (performance.now() - started)));
    }
    const spanMs = performance.now() - started;

    const deadline = Date.now() + MAX_WAIT_MS;
    let seen = -1;
    let quietSince = Date.now();
    while (Date.now() < deadline && Date.now() - quietSince < QUIET_MS) {
      const count = sets().length;
      if (count !== seen) {
        seen = count;
        quietSince = Date.now();
      }
      await sleep(50);
    }
    const relay = bench.sim.deviceState(deviceId)?.relay_state;
    const finalState = relay === 1 ? 'ON' : relay === 0 ? 'OFF' : 'unknown';
    return {
      label: scenario.label,
      judged: scenario.judged,
      perSecond: inproc.bridge.config.rateLimit.kasaPerSecond,
      latencyMs: scenario.latencyMs,
      commands: COMMANDS,
      spanMs: Math.round(spanMs),
      cloudCalls: sets().length,
      lastCommand: last,
      finalState,
      finalMatches: finalState === last,
    };
  } finally {
    bench.sim.setFaults({ latencyMs: 0 });
    await inproc.close();
  }
}
