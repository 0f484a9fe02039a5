/**
 * The poller's cadences on fake timers: settings at start and every
 * poll.settingsIntervalS; firmware per device at its own jittered time
 * (the first checks spread over the first hour, then every
 * firmware.checkIntervalH give or take 10 %), never with a state poll, and
 * at once on request.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { featureSet, type ExtraRead } from '../../src/model/feature.js';
import { STATE } from '../../src/model/features.js';
import type { DeviceNode, NodeIdentity } from '../../src/model/node.js';
import { NodeStore } from '../../src/runtime/node-store.js';
import { Poller, type PollListener } from '../../src/runtime/poller.js';
import type { CloudSource, ReadResult } from '../../src/clouds/common/source.js';
import { silentLogger } from '../../src/logger.js';

const identity = (n: number): NodeIdentity => ({
  id: `kasa_${n}`,
  cloud: 'kasa',
  kind: 'plug',
  name: `Plug ${n}`,
  model: 'HS100',
  address: { cloud: 'kasa', deviceId: String(n), appServerUrl: '' },
  online: true,
});

type Call = { what: 'state' | 'energy' | ExtraRead; at: number; ids: string[] };

function fakeSource(calls: Call[], count: number): CloudSource {
  const nodes = Array.from({ length: count }, (_, i) => identity(i));
  const record = (what: Call['what'], list: DeviceNode[]): ReadResult => {
    calls.push({ what, at: Date.now(), ids: list.map((node) => node.id) });
    return { readings: [], failures: [] };
  };
  return {
    cloud: 'kasa',
    batchesOutlets: true,
    list: () => Promise.resolve(nodes),
    readState: (list) => {
      calls.push({ what: 'state', at: Date.now(), ids: list.map((node) => node.id) });
      return Promise.resolve({
        readings: list.map((node) => ({ id: node.id, identity: node, features: featureSet([STATE]), values: { state: 'ON' }, source: 'read', sentAt: Date.now() })),
        failures: [],
      });
    },
    readEnergy: (list) => Promise.resolve(record('energy', list)),
    readCadence: (cadence, list) => Promise.resolve(record(cadence, list)),
    execute: () => Promise.resolve(),
    status: () => 'ok',
    onStatus: () => undefined,
    close: () => Promise.resolve(),
  };
}

const listener: PollListener = {
  listChanged: () => Promise.resolve(),
  statesUpdated: () => Promise.resolve(),
  cycleFinished: () => Promise.resolve(),
};

const HOUR = 3_600_000;

describe('poll cadences', () => {
  let calls: Call[];
  let poller: Poller;
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    calls = [];
  });
  afterEach(() => {
    poller.stop();
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  const start = async (count: number, checkIntervalH: number) => {
    const poll = { intervalS: 30, listIntervalS: 600, energyIntervalS: 60, settingsIntervalS: 600 };
    poller = new Poller([fakeSource(calls, count)], new NodeStore(), listener, poll, silentLogger(), { checkIntervalH, allowInstall: true, progressIntervalS: 5 });
    await poller.start();
  };
  const of = (what: Call['what']) => calls.filter((call) => call.what === what);

  it('reads settings at start and then every poll.settingsIntervalS, all nodes in one cycle', async () => {
    await start(3, 12);
    expect(of('settings')).toHaveLength(1);
    expect(of('settings')[0]?.ids).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(599_000);
    expect(of('settings')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(of('settings')).toHaveLength(2);
    // The state loop went on at its own pace meanwhile.
    expect(of('state').length).toBeGreaterThanOrEqual(20);
  });

  it('checks firmware never at start, each device once at its own time in the first hour, then every interval +-10 %', async () => {
    const rolls = [0.1, 0.5, 0.9, 0.2, 0.8, 0.5];
    vi.spyOn(Math, 'random').mockImplementation(() => rolls.shift() ?? 0.5);
    await start(3, 12);
    expect(of('firmware')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(HOUR);
    const first = of('firmware');
    // One device per check: the first tick (1 min) spreads them 6, 30 and 54 minutes further.
    expect(first.map((call) => call.ids)).toEqual([['kasa_0'], ['kasa_1'], ['kasa_2']]);
    expect(first.map((call) => Math.round(call.at / 60_000))).toEqual([7, 31, 55]);
    await vi.advanceTimersByTimeAsync(14 * HOUR);
    const checks = (id: string) => of('firmware').filter((call) => call.ids.includes(id)).map((call) => call.at);
    for (const id of ['kasa_0', 'kasa_1', 'kasa_2']) {
      const [one, two] = checks(id);
      expect(checks(id), id).toHaveLength(2);
      const gap = (two ?? 0) - (one ?? 0);
      expect(gap, id).toBeGreaterThanOrEqual(0.9 * 12 * HOUR);
      expect(gap, id).toBeLessThanOrEqual(1.1 * 12 * HOUR + 60_000);
    }
  });

  it('checks a device at once on request, and its next check comes an interval later', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    await start(2, 12);
    await poller.checkFirmware(['kasa_1']);
    expect(of('firmware').map((call) => call.ids)).toEqual([['kasa_1']]);
    await vi.advanceTimersByTimeAsync(2 * HOUR);
    // kasa_0 had its first check (at 30 min); kasa_1, just checked, not again.
    expect(of('firmware').map((call) => call.ids)).toEqual([['kasa_1'], ['kasa_0']]);
  });

  it('checks a device on request at most once per 10 minutes (its loop check counts too)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    await start(2, 12);
    expect(await poller.checkFirmware(['kasa_1'])).toEqual(['kasa_1']);
    await vi.advanceTimersByTimeAsync(9 * 60_000);
    expect(await poller.checkFirmware(['kasa_1', 'kasa_0'])).toEqual(['kasa_0']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await poller.checkFirmware(['kasa_1', 'kasa_0'])).toEqual(['kasa_1']);
    expect(of('firmware').map((call) => call.ids)).toEqual([['kasa_1'], ['kasa_0'], ['kasa_1']]);
  });
});
