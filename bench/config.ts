/**
 * Bridge configuration for the benchmarks: the repository defaults, pointed
 * at a simulator, with an ephemeral embedded broker, silent logs and poll
 * loops parked (cycles are driven explicitly). Rate limits stay at their
 * defaults unless a benchmark says otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '../src/config/load.js';
import { configForSimulator } from '../src/cli/demo.js';
import type { SimulatorUrls } from 'tplink-cloud-sim';

/** What a bridge needs to know about a simulator (also what crosses to a child process). */
export interface SimEndpoints {
  urls: SimulatorUrls;
  username: string;
  password: string;
}

export interface BenchOverrides {
  /** Requests per second per cloud; undefined keeps the default (5/s). */
  perSecond?: number;
  confirmDelayS?: number;
}

const PARKED_S = 24 * 3600;

/** State directories made for this run's bridges (journal, tokens): removed when the bench exits (each run left one in the temp directory). */
const stateDirs: string[] = [];
process.once('exit', () => {
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tpcm-bench-'));
  stateDirs.push(dir);
  return dir;
}

export function benchConfig(sim: SimEndpoints, overrides: BenchOverrides = {}): AppConfig {
  const base = loadConfig({ args: [], env: {} });
  const rateLimit =
    overrides.perSecond === undefined ? base.rateLimit : { kasaPerSecond: overrides.perSecond, tapoPerSecond: overrides.perSecond };
  return configForSimulator(
    {
      ...base,
      stateDir: stateDir(),
      embeddedBroker: { ...base.embeddedBroker, host: '127.0.0.1', port: 0 },
      mqtt: { ...base.mqtt, url: '' },
      poll: { intervalS: PARKED_S, listIntervalS: PARKED_S, energyIntervalS: PARKED_S, settingsIntervalS: PARKED_S },
      firmware: { ...base.firmware, checkIntervalH: PARKED_S },
      rateLimit,
      commands: { ...base.commands, confirmDelayS: overrides.confirmDelayS ?? base.commands.confirmDelayS },
      homeassistant: { ...base.homeassistant, republishDelayS: 0 },
      log: { ...base.log, level: 'silent', pretty: false },
    },
    sim,
  );
}

export function endpointsOf(sim: SimEndpoints): SimEndpoints {
  return { urls: sim.urls, username: sim.username, password: sim.password };
}
