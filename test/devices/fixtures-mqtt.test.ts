/**
 * Every device fixture in ../shared/fixtures, through the whole bridge (as
 * python-kasa's tests/device_fixtures.py runs every test per fixture): the
 * simulator serves each fixture's answers; per device, the features found,
 * the state read, and one command of each writable feature through MQTT,
 * checked by a fresh read of the simulated device.
 *
 * The devices are tested concurrently on the one bridge (each device's own
 * commands stay in order, one at a time): their topics, queue keys and
 * simulated devices are their own, so only the event topic is shared; each
 * device checks the events naming it, and a last test that no event at all
 * was published.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feature, StateValue } from '../../src/model/feature.js';
import type { DeviceNode } from '../../src/model/node.js';
import { startSimulator } from 'tplink-cloud-sim';
import { startHarness, type Harness } from '../bridge/harness.js';
import { fixturesDir, hasFixtures } from '../helpers/fixtures.js';

const dir = fixturesDir();
// Started while collecting, so each fixture's device is a test of its own.
const sim = dir ? await startSimulator({ fixturesDir: dir, builtin: false, shadowApplyDelayMs: 0 }) : undefined;
const summaries = sim?.devices() ?? [];
const children = new Set(summaries.flatMap((device) => device.children));
/**
 * [model, the name the simulator gives its device], one per fixture file; strips first (most
 * outlets first), as they take longest: the devices run concurrently, up to vitest's maxConcurrency (5).
 */
const cases: Array<[string, string]> = summaries
  .filter((device) => !children.has(device.id))
  .sort((a, b) => b.children.length - a.children.length)
  .map((device) => [device.model, device.alias]);

let h: Harness;

beforeAll(async () => {
  // commands.minIntervalS spaces a device's requests (0.5 s by default): each device here gets one
  // command after another, so it would only add waiting. The spacing has its own tests (test/commands/queue.test.ts).
  // commands.confirmDelayS 0: the confirmation read this test waits for goes out as soon as the
  // command settled; what the delay is for (a device that settles slowly) is not this test's subject.
  if (sim) h = await startHarness({ simulator: sim, config: { commands: { minIntervalS: 0, confirmDelayS: 0 } } });
}, 30_000);
afterAll(async () => {
  await h?.close();
  await sim?.close();
});

function devices(): DeviceNode[] {
  return h.bridge.store.all().filter((node) => !node.parentId);
}

/** A valid value other than `current` for a writable feature. */
function otherValue(feature: Feature, current: StateValue | undefined): StateValue {
  const type = feature.type;
  switch (type.kind) {
    case 'onoff':
      return current === 'ON' ? 'OFF' : 'ON';
    case 'flag':
      return current !== true;
    case 'color': {
      const hue = (current as { h?: number } | undefined)?.h === 120 ? 240 : 120;
      return { h: hue, s: 60 };
    }
    case 'enum':
      return type.options.find((option) => option !== current) ?? type.options[0] ?? '';
    case 'number': {
      const min = type.min ?? 0;
      const max = type.max ?? min + 100;
      const step = type.step ?? 1;
      const middle = Math.round((min + (max - min) / 2) / step) * step;
      return current === middle ? Math.round((min + (max - min) / 4) / step) * step : middle;
    }
    case 'text':
    case 'timestamp':
    case 'press':
    case 'update':
      throw new Error(`no other value for a ${type.kind} feature (${feature.id})`);
  }
}

/** Asks for a fresh read (`<name>/get`) and returns the state it published. */
async function freshState(node: DeviceNode): Promise<Record<string, unknown>> {
  const topic = `tplink/${h.nameOf(node.id)}`;
  const from = h.messages.length;
  await h.publish(`${topic}/get`, '');
  await h.waitFor(() => h.messages.slice(from).some((m) => m.topic === topic), 5000, `a fresh read of ${topic}`);
  return JSON.parse(h.messages.slice(from).filter((m) => m.topic === topic).at(-1)?.payload ?? '{}') as Record<string, unknown>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Events (since message `from`) that name one of `nodes`, by id or topic name. */
function eventsNaming(nodes: DeviceNode[], from: number): string[] {
  const names = new Set(nodes.flatMap((node) => [node.id, h.nameOf(node.id)]));
  return h.messages
    .slice(from)
    .filter((m) => m.topic === 'tplink/bridge/event')
    .map((m) => m.payload)
    .filter((payload) => {
      const data = (JSON.parse(payload) as { data?: Record<string, unknown> }).data ?? {};
      return [data.id, data.device, data.target, data.name].some((value) => typeof value === 'string' && names.has(value));
    });
}

describe.skipIf(!hasFixtures)('every fixture through MQTT against the simulator', () => {
  it('knows one device per fixture', () => {
    expect(devices().map((node) => node.name).sort()).toEqual(cases.map(([, alias]) => alias).sort());
    // One device per fixture file.
    expect(cases.length).toBe(readdirSync(join(dir ?? '', 'kasa')).length + readdirSync(join(dir ?? '', 'tapo')).length);
  });

  it.for(cases)('%s: features found, state read, every writable feature set', { concurrent: true, timeout: 60_000 }, async ([, alias], { expect }) => {
    const node = devices().find((candidate) => candidate.name === alias);
    expect(node, alias).toBeDefined();
    if (!node) return;
    const label = `${node.modelFull ?? node.model} (${node.id})`;
    const nodes = [node, ...h.bridge.store.childrenOf(node.id)];
    for (const one of nodes) {
      // Features: fixed at the first complete read; discovery published with them.
      expect(one.features, `${label}: features`).toBeDefined();
      const features = Object.values(one.features ?? {});
      if (one.kind !== 'strip') expect(features.map((f) => f.id), label).toContain('state');
      const topic = `tplink/${h.nameOf(one.id)}`;
      const state = h.lastJson<Record<string, unknown>>(topic);
      expect(state, `${label}: state published`).toBeDefined();
      for (const feature of features) {
        // Every value read (negative on_time is a firmware bug, Tapo energy comes from the usage read).
        if (feature.readable && feature.id !== 'on_time') expect(state, `${label}: ${feature.id}`).toHaveProperty(feature.id);
      }
    }
    // Each node's latest fresh read: nothing is sent to the device between one feature's check and
    // the next feature's start, so that read is its state when the next command goes out.
    const lastRead = new Map<string, Record<string, unknown>>();
    const read = async (one: DeviceNode) => {
      const state = await freshState(one);
      lastRead.set(one.id, state);
      return state;
    };
    for (const one of nodes) {
      // Settings with a value to read back; buttons and firmware installs have their own tests.
      const settable = (f: Feature) => f.writable && f.readable && f.type.kind !== 'press' && f.type.kind !== 'update';
      for (const feature of Object.values(one.features ?? {}).filter(settable)) {
        const topic = `tplink/${h.nameOf(one.id)}`;
        const before = (lastRead.get(one.id) ?? (await read(one)))[feature.id] as StateValue | undefined;
        const value = otherValue(feature, before);
        const from = h.messages.length;
        await h.publish(`${topic}/set/${feature.id}`, typeof value === 'string' ? value : JSON.stringify(value));
        // Shown at once (optimistic), carried out (no rejection, no failure), then read back from the
        // simulated device by a read sent after the command settled (the confirmation read).
        const shown = () => h.messages.slice(from).some((m) => m.topic === topic && same((JSON.parse(m.payload) as Record<string, unknown>)[feature.id], value));
        await h.waitFor(shown, 5000, `${label}: set/${feature.id} shown`);
        // A state read, or for a setting the settings read that follows its write.
        await h.waitFor(() => h.bridge.store.provenance(one.id, feature.id)?.source !== 'command', 5000, `${label}: ${feature.id} read back`);
        expect(eventsNaming(nodes, from), `${label}: ${feature.id}`).toEqual([]);
        const after = await read(one);
        expect(after[feature.id], `${label}: set/${feature.id} ${JSON.stringify(value)}`).toEqual(value);
        if (one.kind === 'strip' && feature.id === 'state') {
          for (const outlet of h.bridge.store.childrenOf(one.id)) expect((await read(outlet)).state, `${label}: outlet`).toBe(value);
        }
      }
    }
  });

  it('published no event while every device was set', () => {
    expect(h.messages.filter((m) => m.topic === 'tplink/bridge/event').map((m) => m.payload)).toEqual([]);
  });
});
