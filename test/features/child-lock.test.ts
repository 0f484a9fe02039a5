/**
 * Tapo child lock through MQTT against the simulator. No captured device
 * has the `child_protection` component, so this test builds a variant of
 * the P110 fixture in a temporary folder (documented here, never in the
 * tree): the same answers, with `child_protection` added to its component
 * list. Beside it the P100 fixture as captured: no component, no switch.
 * The simulator answers `get_child_protection` / `set_child_protection`
 * only for a device whose component list has it (-1002 otherwise, as the
 * device would); the bridge asks once, and never again where it was told
 * -1002. Only Date is faked.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixtureFiles, hasFixtures } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { assertDiscovery } from '../homeassistant/checker.js';
import { startHarness, type Harness } from '../bridge/harness.js';

const START = Date.UTC(2026, 5, 15, 12, 0, 0);
const fixture = (prefix: string) => fixtureFiles('tapo').find((file) => basename(file).startsWith(prefix));

/** A folder with the P110 fixture given the child_protection component, and the P100 fixture as it is. */
function variantFixtures(): string {
  const dir = tempDir('tpcm-child-lock-');
  mkdirSync(join(dir, 'tapo'));
  const p110 = JSON.parse(readFileSync(fixture('P110(') ?? '', 'utf8')) as { component_nego: { component_list: unknown[] } };
  p110.component_nego.component_list.push({ id: 'child_protection', ver_code: 1 });
  writeFileSync(join(dir, 'tapo', 'P110-child-lock-variant.json'), JSON.stringify(p110));
  writeFileSync(join(dir, 'tapo', basename(fixture('P100(') ?? '')), readFileSync(fixture('P100(') ?? ''));
  return dir;
}

describe.skipIf(!hasFixtures)('Tapo child lock (a P110 variant with the child_protection component)', () => {
  let h: Harness;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(START);
    h = await startHarness({ sim: { fixturesDir: variantFixtures(), builtin: false } });
  });
  afterAll(async () => {
    await h.close();
    vi.useRealTimers();
  });
  const byModel = (name: string) => {
    const node = h.bridge.store.all().find((n) => n.model === name);
    if (!node) throw new Error(`no ${name}`);
    return node;
  };
  const stateOf = (name: string) => h.lastJson<Record<string, unknown>>(`tplink/${h.nameOf(byModel(name).id)}`) ?? {};
  const asked = () => h.sim.requests.filter((r) => r.api === 'services-sync' && JSON.stringify(r.body).includes('child_protection'));

  it('a config switch on the device whose components have it, off as the device says; none on the P100', () => {
    const plug = byModel('P110');
    expect(stateOf('P110').child_lock).toBe('OFF');
    const configs = h.messages.filter((m) => m.topic.startsWith('homeassistant/') && m.payload !== '');
    const device = JSON.parse(configs.filter((m) => m.topic === `homeassistant/device/${plug.id}/config`).at(-1)?.payload ?? '{}') as { cmps: Record<string, unknown> };
    expect(device.cmps.child_lock).toEqual(
      expect.objectContaining({ p: 'switch', name: 'Child lock', entity_category: 'config', unique_id: `${plug.id}_child_lock`, command_topic: `tplink/${h.nameOf(plug.id)}/set/child_lock` }),
    );
    expect(byModel('P100').features?.child_lock).toBeUndefined();
    expect(stateOf('P100').child_lock).toBeUndefined();
    assertDiscovery([...new Map(configs.map((m) => [m.topic, m.payload]))].map(([topic, payload]) => ({ topic, payload })));
  });

  it('set ON: set_child_protection {enable: true} through services-sync; the next read shows it', async () => {
    h.sim.clearRequests();
    await h.publish(`tplink/${h.nameOf(byModel('P110').id)}/set/child_lock`, 'ON');
    const setAt = () => asked().findIndex((r) => JSON.stringify(r.body).includes('set_child_protection') && r.status === 200);
    await h.waitFor(() => setAt() >= 0, 5000, 'the setter');
    const set = asked()[setAt()];
    // The settings read confirming it, after the command settled.
    await h.waitFor(() => asked().slice(setAt() + 1).some((r) => JSON.stringify(r.body).includes('get_child_protection') && r.status === 200), 5000, 'the confirming read');
    expect(JSON.stringify(set?.body)).toContain('"method":"set_child_protection","params":{"enable":true}');
    expect(h.sim.requests.filter((r) => r.api === 'shadows.patch')).toEqual([]);
    await h.bridge.poller.readNodes([byModel('P110').id], { settings: true });
    expect(stateOf('P110').child_lock).toBe('ON');
  });

  it('the P100, told -1002 once, is not asked again', async () => {
    h.sim.clearRequests();
    await h.bridge.poller.readSettings();
    const thingOf = (name: string) => (byModel(name).address as { thingName: string }).thingName;
    const things = asked().map((r) => r.deviceId);
    expect(things).toContain(thingOf('P110'));
    expect(things).not.toContain(thingOf('P100'));
  });
});
