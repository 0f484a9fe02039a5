/**
 * Hostile aliases: devices renamed in the app to names with `/`, `+`, `#`,
 * control characters, emoji, or nothing at all. Every topic name the bridge
 * gives must be safe (`[a-z0-9_-]`, no wildcard, no level separator) and
 * unique, every topic it publishes must be publishable, and commands must
 * still reach the right device by those names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TopicNameRegistry } from '../../src/mqtt/topics.js';
import { startHarness, type Harness } from '../bridge/harness.js';
import { relayNodes, simDesiredOn, simId, simPower, until } from './helpers.js';

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

beforeAll(async () => {
  h = await startHarness();
  await h.waitForMessage('tplink/bridge/info');
});
afterAll(async () => {
  await h.close();
});

function expectSafeAndUnique(names: string[]): void {
  for (const name of names) expect(name, JSON.stringify(name)).toMatch(/^[a-z0-9_-]{1,80}$/);
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

  it('devices renamed in the app get safe, unique topic names, publish only valid topics, and still take commands', async () => {
    const targets = [...relayNodes(h, 'kasa'), ...relayNodes(h, 'tapo')].slice(0, HOSTILE.length);
    expect(targets.length).toBeGreaterThanOrEqual(15);
    targets.forEach((node, index) => {
      const alias = HOSTILE[index] ?? '';
      h.sim.setDeviceState(simId(node), node.cloud === 'kasa' ? { alias } : { nickname: alias });
    });
    const from = h.messages.length;
    await h.bridge.poller.readLists();
    await h.bridge.poller.readStates();
    await h.bridge.poller.readLists();

    // The bridge saw the new aliases, and named every node safely.
    const renamed = targets.filter((node, index) => h.bridge.store.get(node.id)?.name === (HOSTILE[index] ?? '') || (HOSTILE[index] ?? '').trim() === '');
    expect(renamed.length).toBeGreaterThanOrEqual(targets.length - 4);
    expect(h.nameOf(targets[0]?.id ?? '')).toBe('living_room');
    expect(h.nameOf(targets[1]?.id ?? '')).toBe('tplink_set');
    const names = h.bridge.store.all().map((node) => h.nameOf(node.id));
    expectSafeAndUnique(names);

    const published = h.messages.slice(from).map((message) => message.topic);
    expect(published.length).toBeGreaterThan(0);
    for (const topic of published) {
      expect(topic, JSON.stringify(topic)).not.toMatch(/[+#\u0000-\u001f\u007f]/);
      expect(topic.split('/').every((level) => level !== ''), topic).toBe(true);
    }
    const devices = h.lastJson<{ id: string; topic: string }[]>('tplink/bridge/devices') ?? [];
    for (const node of targets) expect(devices.find((device) => device.id === node.id)?.topic).toBe(h.nameOf(node.id));

    // Commands by the new names reach exactly the right device.
    for (const node of targets.slice(0, 8)) {
      const wanted = simPower(h.sim, node) === 'ON' ? 'OFF' : 'ON';
      await h.publish(`tplink/${h.nameOf(node.id)}/set`, wanted);
      const done = (): boolean => (node.cloud === 'tapo' ? simDesiredOn(h.sim, node) === (wanted === 'ON') : simPower(h.sim, node) === wanted);
      await until(done, 3000, `${JSON.stringify(node.name)} switched ${wanted}`);
    }
  });
});
