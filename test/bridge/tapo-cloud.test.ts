/**
 * The Tapo cloud as the current app speaks it, end to end through MQTT:
 * signed V2 login and app-server discovery, services-sync energy from every
 * real Tapo answer we have (../shared/fixtures/tapo), the V1 fallback with
 * the usage endpoint, and 401 -> refresh.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DeviceNode } from '../../src/model/node.js';
import { fixtureFiles, fixturesDir, hasFixtures } from '../helpers/fixtures.js';
import { testHarness, WAIT_MS, type Harness } from './harness.js';

type Json = Record<string, unknown>;

function apis(harness: Harness): string[] {
  return harness.sim.requests.filter((request) => request.cloud === 'tapo').map((request) => request.api);
}

function count(harness: Harness, api: string): number {
  return apis(harness).filter((name) => name === api).length;
}

const isJson = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What a node should show, worked out from the captured answers alone:
 * power from get_emeter_data (mW), else get_energy_usage (mW), else
 * get_current_power (W); voltage and current only from get_emeter_data.
 */
function expectedEnergy(answers: Json): { power?: number; voltage?: number; current?: number } {
  const emeter = isJson(answers.get_emeter_data) ? answers.get_emeter_data : {};
  const usage = isJson(answers.get_energy_usage) ? answers.get_energy_usage : {};
  const current = isJson(answers.get_current_power) ? answers.get_current_power : {};
  const mw = (value: unknown) => (typeof value === 'number' ? value / 1000 : undefined);
  const out: { power?: number; voltage?: number; current?: number } = {};
  const power = mw(emeter.power_mw) ?? mw(usage.current_power) ?? (typeof current.current_power === 'number' ? current.current_power : undefined);
  if (power !== undefined) out.power = Math.round(power * 100) / 100;
  const voltage = mw(emeter.voltage_mv);
  if (voltage !== undefined) out.voltage = Math.round(voltage * 10) / 10;
  const amps = mw(emeter.current_ma);
  if (amps !== undefined) out.current = Math.round(amps * 1000) / 1000;
  return out;
}

/** The captured answers of the thing behind `node`: the device's file, or its socket's entry. */
function answersOf(node: DeviceNode, parent: DeviceNode | undefined): Json | undefined {
  const model = parent?.model ?? node.model;
  const file = fixtureFiles('tapo').find((path) => path.split('/').at(-1)?.startsWith(`${model}(`));
  if (!file) return undefined;
  const data = JSON.parse(readFileSync(file, 'utf8')) as Json;
  if (!parent) return data;
  // Sockets are the strip's thingName + two digits, in position order.
  const address = node.address.cloud === 'tapo' ? node.address.thingName : '';
  const index = Number(address.slice(-2));
  const list = isJson(data.get_child_device_list) && Array.isArray(data.get_child_device_list.child_device_list) ? data.get_child_device_list.child_device_list : [];
  const sorted = list.filter(isJson).sort((a, b) => Number(a.position) - Number(b.position));
  const id = sorted[index]?.device_id;
  const own = isJson(data.child_devices) && typeof id === 'string' ? data.child_devices[id] : undefined;
  return isJson(own) ? own : undefined;
}

describe.concurrent('Tapo through MQTT', () => {
  it.skipIf(!hasFixtures)('services-sync energy of every Tapo fixture, one request per metered node, no usage reads', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished, { sim: { fixturesDir: fixturesDir(), builtin: false } });
    const tapo = harness.bridge.store.all().filter((node) => node.cloud === 'tapo');
    const metered = tapo.filter((node) => node.features !== undefined && 'power' in node.features && node.online);
    expect(metered.length).toBeGreaterThan(0);
    harness.sim.clearRequests();
    await harness.bridge.poller.readEnergy();
    expect(count(harness, 'services-sync')).toBe(metered.length);
    expect(count(harness, 'usage')).toBe(0);
    const seen: string[] = [];
    for (const node of metered) {
      const parent = node.parentId ? harness.bridge.store.get(node.parentId) : undefined;
      const answers = answersOf(node, parent);
      if (!answers) throw new Error(`no fixture for ${node.model}`);
      const expected = expectedEnergy(answers);
      const topic = `tplink/${harness.nameOf(node.id)}`;
      await harness.waitFor(() => harness.lastJson<Json>(topic)?.power !== undefined, WAIT_MS, `power of ${node.name}`);
      const state = harness.lastJson<Json>(topic) ?? {};
      expect(state.power, `${node.name} power`).toBeCloseTo(expected.power ?? Number.NaN, 2);
      if (node.features?.voltage && expected.voltage !== undefined) expect(state.voltage, `${node.name} voltage`).toBe(expected.voltage);
      if (node.features?.current && expected.current !== undefined) expect(state.current, `${node.name} current`).toBe(expected.current);
      seen.push(`${node.model}${parent ? ' socket' : ''}`);
    }
    // The P316M's sockets: power from their own answers (one draws 38.617 W), voltage and current too.
    expect(seen).toEqual(expect.arrayContaining(['P110', 'P110M', 'KP125M', 'P316M socket']));
    const sockets = metered.filter((node) => node.model === 'P316M' && node.parentId);
    const powers = sockets.map((node) => harness.lastJson<Json>(`tplink/${harness.nameOf(node.id)}`)?.power);
    expect(powers).toContain(38.62);
    expect(sockets.every((node) => typeof harness.lastJson<Json>(`tplink/${harness.nameOf(node.id)}`)?.voltage === 'number')).toBe(true);
    // KP125M: 0.033 A at 121.2 V, as captured.
    const kp = metered.find((node) => node.model === 'KP125M');
    expect(harness.lastJson<Json>(`tplink/${harness.nameOf(kp?.id ?? '')}`)).toMatchObject({ power: 1, voltage: 121.2, current: 0.033 });
  });

  it('logs in with the signed V2 API, finds the app server and reads energy through services-sync', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished, { config: { tapo: { appServerUrl: 'http://127.0.0.1:9/' } } });
    const requests = harness.sim.requests.filter((request) => request.cloud === 'tapo');
    expect(requests.slice(0, 3).map((request) => request.api)).toEqual(['v2.getAccountStatusAndUrl', 'v2.login', 'getAppServiceUrlByCloudUserName']);
    expect(apis(harness)).not.toContain('login');
    const dishwasher = harness.node('Dishwasher');
    await harness.waitFor(() => harness.lastJson<Json>(`tplink/${harness.nameOf(dishwasher.id)}`)?.power === 1200, WAIT_MS, 'Dishwasher power');
    expect(count(harness, 'services-sync')).toBeGreaterThan(0);
  });

  it('V1 fallback: the cloud without V2 still gives state and energy (usage endpoint) on MQTT', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished, { sim: { tapoV1Only: true } });
    expect(apis(harness)).toEqual(expect.arrayContaining(['v2.getAccountStatusAndUrl', 'login', 'things', 'services-sync', 'usage']));
    const dishwasher = harness.node('Dishwasher');
    await harness.waitFor(() => harness.lastJson<Json>(`tplink/${harness.nameOf(dishwasher.id)}`)?.power === 1200, WAIT_MS, 'Dishwasher power');
    expect(harness.lastJson(`tplink/${harness.nameOf(dishwasher.id)}`)).toMatchObject({ state: 'ON' });
    // services-sync was refused once; later energy cycles go straight to the usage endpoint.
    harness.sim.clearRequests();
    await harness.bridge.poller.readEnergy();
    expect(count(harness, 'services-sync')).toBe(0);
    expect(count(harness, 'usage')).toBeGreaterThan(0);
  });

  it('401 on the app server: one V2 refresh, no login, state keeps flowing', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    harness.sim.expireTokens();
    harness.sim.clearRequests();
    const plug = harness.node('Coffee Maker');
    harness.sim.setDeviceState(plug.address.cloud === 'tapo' ? plug.address.thingName : '', { on: true });
    await harness.bridge.poller.readStates();
    await harness.waitFor(() => harness.lastJson<Json>(`tplink/${harness.nameOf(plug.id)}`)?.state === 'ON', WAIT_MS, 'Coffee Maker ON');
    expect(count(harness, 'v2.refreshToken')).toBe(1);
    expect(count(harness, 'v2.login')).toBe(0);
  });
});
