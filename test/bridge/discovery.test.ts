import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDiscovery } from '../homeassistant/checker.js';
import { startHarness, type Harness } from './harness.js';

const discoveryOf = (h: Harness, prefix = 'homeassistant') =>
  h.messages.filter((message) => message.topic.startsWith(`${prefix}/`) && message.topic.endsWith('/config'));

describe.each(['device', 'entity'] as const)('discovery (%s mode)', (mode) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { homeassistant: { discovery: mode } } });
    const described = () => h.bridge.store.all().every((node) => discoveryOf(h).some((message) => message.topic.includes(`/${node.id}/`)));
    await h.waitFor(described, 5000, 'discovery of every node');
  });
  afterAll(async () => {
    await h.close();
  });

  it('publishes valid, retained discovery for every node and for the bridge', () => {
    const nodes = h.bridge.store.all();
    const messages = discoveryOf(h);
    expect(messages.every((message) => message.retain)).toBe(true);
    assertDiscovery(messages.map((message) => ({ topic: message.topic, payload: message.payload })));
    for (const node of nodes) {
      const mentions = messages.filter((message) => message.topic.includes(`/${node.id}/`));
      expect(mentions.length, `discovery for ${node.id}`).toBeGreaterThan(0);
    }
    const bridgeConfigs = messages.filter((message) => message.topic.includes(h.bridge.id));
    expect(bridgeConfigs.length).toBeGreaterThan(0);
  });

  it('points every entity at the node state topic and both availability topics', () => {
    const plug = h.bridge.store.all().find((node) => node.name === 'Hall Lamp');
    expect(plug).toBeDefined();
    const name = h.nameOf(plug?.id ?? '');
    const text = discoveryOf(h)
      .filter((message) => message.topic.includes(plug?.id ?? '?'))
      .map((message) => message.payload)
      .join('\n');
    expect(text).toContain(`tplink/${name}`);
    expect(text).toContain(`tplink/${name}/availability`);
    expect(text).toContain('tplink/bridge/state');
    expect(text).toContain('"all"');
  });
});
