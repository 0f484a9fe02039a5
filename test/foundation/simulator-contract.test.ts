/**
 * The bridge loads the simulator package only when `demo` or `simulate`
 * runs, through an interface of its own (src/cli/simulator.ts), because it
 * compiles without it. These assignments make the type check fail when the
 * real package stops fitting that interface; the test runs them once.
 */
import { describe, expect, it } from 'vitest';
import * as simulatorCli from 'tplink-cloud-sim/cli';
import * as simulator from 'tplink-cloud-sim';
import { loadSimulator, loadSimulatorCli, type SimulatorCli, type SimulatorEntry } from '../../src/cli/simulator.js';

const entry: SimulatorEntry = simulator;
const cli: SimulatorCli = simulatorCli;

describe('the simulator package, as the bridge loads it', () => {
  it('fits the interface the demo and simulate commands rely on', async () => {
    expect((await loadSimulator('demo')).startSimulator).toBe(entry.startSimulator);
    expect((await loadSimulatorCli('simulate')).simulatorMain).toBe(cli.simulatorMain);
  });
});
