/**
 * What the feature tests share: a bridge on the simulator serving every
 * fixture (no catalog devices), with only Date faked so the bridge's and
 * the simulator's clocks move together while the network stays real; and
 * lookups of nodes, their published state and their discovery.
 */
import { afterAll, beforeAll, vi } from 'vitest';
import type { DeviceNode } from '../../src/model/node.js';
import { fixturesDir } from '../helpers/fixtures.js';
import { assertDiscovery } from '../homeassistant/checker.js';
import { startHarness, type Harness, type HarnessOptions } from '../bridge/harness.js';

export interface FixtureBridge {
  readonly h: Harness;
  /** The device (not an outlet) of that model (functions, not methods: tests destructure them). */
  model: (name: string) => DeviceNode;
  /** The last state published for the node. */
  stateOf: (node: DeviceNode) => Record<string, unknown>;
  /** The node's device-discovery components, by object id. */
  components(node: DeviceNode): Record<string, Record<string, unknown>>;
  /** Every retained discovery config now, checked as Home Assistant would. */
  assertValidDiscovery(): void;
}

/** Starts the bridge before the file's tests (Date at `start`, `config` over the tests' own) and stops it after. */
export function fixtureBridge(start: number, config: HarnessOptions['config'] = {}): FixtureBridge {
  let harness: Harness | undefined;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    harness = await startHarness({ sim: { fixturesDir: fixturesDir(), builtin: false }, config });
  });
  afterAll(async () => {
    await harness?.close();
    vi.useRealTimers();
  });
  const h = (): Harness => {
    if (!harness) throw new Error('the bridge is not started');
    return harness;
  };
  const configs = (): Map<string, string> => {
    const out = new Map<string, string>();
    for (const m of h().messages) if (m.topic.startsWith('homeassistant/') && m.topic.endsWith('/config')) out.set(m.topic, m.payload);
    return out;
  };
  return {
    get h() {
      return h();
    },
    model(name) {
      const found = h().bridge.store.all().find((node) => node.model === name && !node.parentId);
      if (!found) throw new Error(`no ${name}`);
      return found;
    },
    stateOf: (node) => h().lastJson<Record<string, unknown>>(`tplink/${h().nameOf(node.id)}`) ?? {},
    components(node) {
      const payload = configs().get(`homeassistant/device/${node.id}/config`) ?? '{"cmps":{}}';
      return (JSON.parse(payload) as { cmps: Record<string, Record<string, unknown>> }).cmps;
    },
    assertValidDiscovery() {
      assertDiscovery([...configs()].filter(([, payload]) => payload !== '').map(([topic, payload]) => ({ topic, payload })));
    },
  };
}
