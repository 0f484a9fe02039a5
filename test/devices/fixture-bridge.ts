/**
 * A bridge over every fixture device in the simulator, started and closed
 * around the calling describe block, with the look-ups feature tests share.
 */
import { afterAll, beforeAll } from 'vitest';
import { startSimulator, type Simulator } from 'tplink-cloud-sim';
import type { DeviceNode } from '../../src/model/node.js';
import { fixturesDir } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../bridge/harness.js';

export interface FixtureBridge {
  sim(): Simulator;
  h(): Harness;
  /** The device (not an outlet) of this model. */
  byModel(model: string): DeviceNode;
}

export function fixtureBridge(): FixtureBridge {
  let sim: Simulator | undefined;
  let h: Harness | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ fixturesDir: fixturesDir(), builtin: false, shadowApplyDelayMs: 0 });
    h = await startHarness({ simulator: sim });
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await sim?.close();
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the fixture bridge is not started');
    return value;
  };
  return {
    sim: () => need(sim),
    h: () => need(h),
    byModel: (model) => need(h).bridge.store.all().find((node) => node.model === model && !node.parentId) as DeviceNode,
  };
}
