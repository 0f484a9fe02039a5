/**
 * Discovery stays stable across restarts with every feature on: the same
 * unique ids and default entity ids, every entity valid for Home Assistant,
 * no entity name repeating its device's name. Over every fixture.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'tplink-cloud-sim';
import { fixturesDir, hasFixtures } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { assertDiscovery } from '../homeassistant/checker.js';
import { startHarness } from '../bridge/harness.js';

type Entity = { uniqueId: string; entityId: string; name: unknown; device: string };

let sim: Simulator | undefined;
afterAll(async () => {
  await sim?.close();
});

/** One run of the bridge: every entity it announced, by unique id. */
async function run(simulator: Simulator, stateDir: string): Promise<Map<string, Entity>> {
  const h = await startHarness({ simulator, stateDir });
  try {
    const configs = new Map<string, string>();
    for (const m of h.messages) if (m.topic.startsWith('homeassistant/device/') && m.payload !== '') configs.set(m.topic, m.payload);
    assertDiscovery([...configs].map(([topic, payload]) => ({ topic, payload })));
    const out = new Map<string, Entity>();
    for (const payload of configs.values()) {
      const parsed = JSON.parse(payload) as { dev: { name: string }; cmps: Record<string, { unique_id: string; default_entity_id: string; name: unknown }> };
      for (const c of Object.values(parsed.cmps)) out.set(c.unique_id, { uniqueId: c.unique_id, entityId: c.default_entity_id, name: c.name, device: parsed.dev.name });
    }
    return out;
  } finally {
    await h.close();
  }
}

describe.skipIf(!hasFixtures)('discovery across restarts', () => {
  it('keeps every unique id and default entity id; names never repeat the device', async () => {
    sim = await startSimulator({ shadowApplyDelayMs: 0, fixturesDir: fixturesDir(), builtin: false });
    const stateDir = tempDir('tpcm-stable-');
    const first = await run(sim, stateDir);
    const second = await run(sim, stateDir);
    expect([...second.values()].sort((a, b) => a.uniqueId.localeCompare(b.uniqueId))).toEqual(
      [...first.values()].sort((a, b) => a.uniqueId.localeCompare(b.uniqueId)),
    );
    // The new entities are there (energy, diagnostics, restart).
    const objects = new Set([...first.keys()].map((id) => id.split('_').slice(-2).join('_')));
    for (const object of ['energy_today', 'energy_month', 'on_since', 'cloud_connection', 'signal_level', 'device_time']) expect(objects, object).toContain(object);
    for (const entity of first.values()) {
      if (typeof entity.name !== 'string') continue;
      expect(entity.name.toLowerCase().startsWith(entity.device.toLowerCase()), `${entity.uniqueId}: ${entity.name}`).toBe(false);
    }
  }, 60_000);
});
