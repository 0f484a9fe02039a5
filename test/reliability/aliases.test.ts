/**
 * Hostile aliases: devices named in the app with names with `/`, `+`, `#`,
 * control characters, emoji, or nothing at all. Every topic name the bridge
 * gives must be safe (a `[a-z0-9_-]` slug or the node id, no wildcard, no level separator) and
 * unique, every topic it publishes must be publishable, and commands must
 * still reach the right device by those names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TopicNameRegistry } from '../../src/mqtt/topics.js';
import { startSimulator, type Simulator } from 'tplink-cloud-sim';
import { startHarness, type Harness } from '../bridge/harness.js';
import { simDesiredOn, simId, simPower, until } from './helpers.js';

const HOSTILE = [
  'Living/Room',
  'tplink/+/set',
  '#',
  '+',
  '',
  '   ',
  '\u0000\u0001\u001f',
  'Lamp\nNewline\tTab',
  '💡🔌',
  '💡',
  '///',
  'bridge',
  'Hall Lamp',
  'hall lamp',
  '$SYS/broker',
  'a'.repeat(500),
  'ÄÖÜ ß ĳ',
  '\u202eevil',
];

let h: Harness;
let sim: Simulator;
/** Simulator id -> the hostile alias it was given before the bridge started. */
const given = new Map<string, string>();

beforeAll(async () => {
  sim = await startSimulator({ shadowApplyDelayMs: 0 });
  // Devices and outlets (not strip parents), both clouds, renamed in the app before the bridge starts.
  const ids = sim.devices().flatMap((device) => (device.children.length > 0 ? device.children.map((id) => [device.cloud, id] as const) : [[device.cloud, device.id] as const]));
  ids.slice(0, HOSTILE.length).forEach(([cloud, id], index) => {
    const alias = HOSTILE[index] ?? '';
    sim.setDeviceState(id, cloud === 'kasa' ? { alias } : { nickname: alias });
    given.set(id, alias);
  });
  h = await startHarness({ simulator: sim });
  await h.waitForMessage('tplink/bridge/info');
});
afterAll(async () => {
  await h.close();
  await sim.close();
});

function expectSafeAndUnique(names: string[]): void {
  // A slug, or the node id when nothing of the alias is usable.
  for (const name of names) expect(name, JSON.stringify(name)).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  expect(new Set(names).size).toBe(names.length);
  expect(names).not.toContain('bridge');
}

describe('hostile aliases', () => {
  it('the name registry gives safe, unique names for every hostile alias, even all at once and repeated', () => {
    const registry = new TopicNameRegistry();
    const nodes = HOSTILE.flatMap((alias, index) => [
      { id: `kasa_${index}`, name: alias },
      { id: `tapo_${index}`, name: alias },
    ]);
    const names = [...registry.assign(nodes).values()];
    expect(names).toHaveLength(nodes.length);
    expectSafeAndUnique(names);
    for (const node of nodes) expect(registry.resolve(registry.nameOf(node.id) ?? '')).toBe(node.id);
  });

  it('devices named so in the app get safe, unique topic names, publish only valid topics, and still take commands', async () => {
    const targets = h.bridge.store.all().filter((node) => given.has(simId(node)));
    expect(targets).toHaveLength(HOSTILE.length);
    // The bridge took the hostile aliases as names (the empty ones fall back to a model name).
    const named = targets.filter((node) => node.name === given.get(simId(node)));
    expect(named.length).toBeGreaterThanOrEqual(HOSTILE.length - 4);
    const byAlias = (alias: string) => h.nameOf(targets.find((node) => given.get(simId(node)) === alias)?.id ?? '');
    expect(byAlias('Living/Room')).toBe('living_room');
    expect(byAlias('tplink/+/set')).toBe('tplink_set');
        const names = h.bridge.store.all().map((node) => h.nameOf(node.id));
    expectSafeAndUnique(names);

    const published = h.messages.map((message) => message.topic);
    expect(published.length).toBeGreaterThan(0);
    for (const topic of published) {
      expect(topic, JSON.stringify(topic)).not.toMatch(/[+#\u0000-\u001f\u007f]/);
      expect(topic.split('/').every((level) => level !== ''), topic).toBe(true);
    }
    const devices = h.lastJson<{ id: string; topic: string }[]>('tplink/bridge/devices') ?? [];
    for (const node of targets) expect(devices.find((device) => device.id === node.id)?.topic).toBe(h.nameOf(node.id));

    // Commands by the new names reach exactly the right device.
    for (const node of targets.filter((candidate) => candidate.features?.state?.writable && candidate.kind !== 'strip').slice(0, 8)) {
      const wanted = simPower(h.sim, node) === 'ON' ? 'OFF' : 'ON';
      await h.publish(`tplink/${h.nameOf(node.id)}/set`, wanted);
      const done = (): boolean => (node.cloud === 'tapo' ? simDesiredOn(h.sim, node) === (wanted === 'ON') : simPower(h.sim, node) === wanted);
      await until(done, 3000, `${JSON.stringify(node.name)} switched ${wanted}`);
    }
  });
});
