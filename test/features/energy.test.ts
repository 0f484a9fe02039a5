/**
 * Energy for the Energy dashboard, through MQTT against the simulator, over
 * every fixture with a meter: today, this month and total as kWh sensors
 * (Kasa get_daystat/get_monthstat in both shapes, strip outlets with
 * context; Tapo get_energy_usage per plug and per socket), one request per
 * metered node per energy cycle, growing with time and back to 0 at the
 * device's midnight and first of the month. Only Date is faked (the
 * bridge's and the simulator's clocks), the network stays real.
 */
import { describe, expect, it, vi } from 'vitest';
import type { DeviceNode } from '../../src/model/node.js';
import { hasFixtures } from '../helpers/fixtures.js';
import { fixtureBridge } from './helpers.js';

const START = Date.UTC(2026, 5, 15, 10, 0, 0);
const HOUR = 3_600_000;

describe.skipIf(!hasFixtures)('energy today, this month and total', () => {
  const bridge = fixtureBridge(START);
  const { stateOf } = bridge;
  const metered = (): DeviceNode[] => bridge.h.bridge.store.all().filter((node) => node.features !== undefined && 'power' in node.features);
  const byModel = (model: string) => metered().filter((node) => node.model === model || bridge.h.bridge.store.get(node.parentId ?? '')?.model === model);
  const energyCycleAt = async (time: number): Promise<void> => {
    vi.setSystemTime(time);
    await bridge.h.bridge.poller.readEnergy();
    await new Promise((resolve) => setTimeout(resolve, 100));
  };

  it('every metered node has today (and Kasa this month) beside its total, in kWh, today <= month <= total', () => {
    const nodes = metered();
    expect(nodes.map((node) => node.model)).toEqual(expect.arrayContaining(['HS110', 'KP115', 'KL430', 'KP125M', 'P110', 'P110M']));
    for (const node of nodes) {
      const label = `${node.model} ${node.name}`;
      const state = stateOf(node);
      expect(Object.keys(node.features ?? {}), label).toContain('energy_today');
      expect(state.energy_today, label).toEqual(expect.any(Number));
      const today = state.energy_today as number;
      expect(today, label).toBeGreaterThanOrEqual(0);
      if (node.cloud === 'kasa') {
        expect(state.energy_month, label).toEqual(expect.any(Number));
        expect(today, label).toBeLessThanOrEqual(state.energy_month as number);
        if (typeof state.energy === 'number') expect(state.energy_month as number, label).toBeLessThanOrEqual(state.energy + 0.001);
      } else {
        // Tapo: `energy` is this month's (the cloud has no total).
        expect(node.features?.energy_month, label).toBeUndefined();
        expect(today, label).toBeLessThanOrEqual(state.energy as number);
      }
    }
    // Strip outlets meter themselves; the strips publish no figure of their own.
    expect(byModel('HS300').filter((node) => node.parentId)).toHaveLength(6);
    expect(byModel('P316M').filter((node) => node.parentId)).toHaveLength(6);
    for (const strip of bridge.h.bridge.store.all().filter((node) => node.kind === 'strip')) expect(strip.features?.energy_today).toBeUndefined();
  });

  it('Tapo figures are the device answers in kWh (KP125M: today 20 Wh, month 971 Wh as captured, plus what it counted since)', () => {
    const [kp125m] = byModel('KP125M');
    const state = stateOf(kp125m as DeviceNode);
    expect(state.energy_today).toBeGreaterThanOrEqual(0.02);
    expect(state.energy).toBeGreaterThanOrEqual(0.971);
    expect((state.energy as number) - (state.energy_today as number)).toBeCloseTo(0.951, 2);
  });

  it('an energy cycle costs one request per metered node: a Kasa passthrough (outlets with context), a Tapo services-sync', async () => {
    const { h } = bridge;
    h.sim.clearRequests();
    await energyCycleAt(START + 60_000);
    const nodes = metered().filter((node) => node.online);
    const kasa = h.sim.requests.filter((r) => r.cloud === 'kasa' && r.api === 'passthrough');
    const tapo = h.sim.requests.filter((r) => r.cloud === 'tapo' && r.api === 'services-sync');
    expect(kasa.length).toBe(nodes.filter((node) => node.cloud === 'kasa').length);
    expect(tapo.length).toBe(nodes.filter((node) => node.cloud === 'tapo').length);
  });

  it('today grows with the time a switched-on meter runs, and starts again at 0 at the device midnight; the month at the first', async () => {
    const { h } = bridge;
    const plug = byModel('KP115')[0] as DeviceNode;
    await h.publish(`tplink/${h.nameOf(plug.id)}/set`, 'ON');
    await h.waitFor(() => stateOf(plug).state === 'ON', 5000, 'KP115 on');
    await energyCycleAt(START + HOUR);
    const before = stateOf(plug);
    const watts = before.power as number;
    expect(watts).toBeGreaterThan(0);
    await energyCycleAt(START + 3 * HOUR);
    const after = stateOf(plug);
    expect((after.energy_today as number) - (before.energy_today as number)).toBeCloseTo((2 * watts) / 1000, 2);
    expect((after.energy_month as number) - (before.energy_month as number)).toBeCloseTo((2 * watts) / 1000, 2);

    // Ten minutes into the next day: only what it used since midnight.
    await energyCycleAt(Date.UTC(2026, 5, 16, 0, 10, 0));
    const nextDay = stateOf(plug);
    // (kWh to 3 decimals: one rounding step of slack)
    expect(nextDay.energy_today as number).toBeLessThanOrEqual(watts / 6 / 1000 + 0.001);
    expect(nextDay.energy_month as number).toBeGreaterThan(after.energy_month as number);

    await energyCycleAt(Date.UTC(2026, 6, 1, 0, 30, 0));
    const nextMonth = stateOf(plug);
    expect(nextMonth.energy_month as number).toBeLessThanOrEqual(watts / 2 / 1000 + 0.001);
    expect(nextMonth.energy_today as number).toBeLessThanOrEqual(nextMonth.energy_month as number);
  });

  it('HS110 answers the old shape (kWh floats): the same figures', () => {
    const [hs110] = byModel('HS110');
    const state = stateOf(hs110 as DeviceNode);
    expect(state.energy_today).toEqual(expect.any(Number));
    expect(state.energy_month).toEqual(expect.any(Number));
  });

  it('discovery: kWh sensors for the Energy dashboard, valid for Home Assistant, named without the device', () => {
    bridge.assertValidDiscovery();
    const plug = byModel('KP115')[0] as DeviceNode;
    const cmps = bridge.components(plug);
    for (const [id, name] of [['energy_today', "Today's consumption"], ['energy_month', "This month's consumption"], ['energy', 'Total consumption']]) {
      expect(cmps[id ?? ''], id).toMatchObject({
        p: 'sensor',
        name,
        device_class: 'energy',
        unit_of_measurement: 'kWh',
        state_class: 'total_increasing',
        unique_id: `${plug.id}_${id}`,
      });
    }
  });
});
