import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/index.js';
import { fixtureFiles, fixturesDir, hasFixtures } from '../../../test/helpers/fixtures.js';
import { kasaSession, tapoGet, tapoSync, tapoToken, type Body } from './helpers.js';

const SCRUBBED = /^0+$|SCRUBBED/;

async function withSim<T>(options: Parameters<typeof startSimulator>[0], run: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator(options);
  try {
    return await run(sim);
  } finally {
    await sim.close();
  }
}

describe('built-in device set', () => {
  it('has a few of each family with friendly names', async () => {
    await withSim({}, (sim) => {
      const models = sim.devices().map((d) => d.model);
      for (const model of ['HS100', 'KP115', 'HS110', 'HS200', 'HS220', 'HS300', 'KP303', 'KL130', 'KL110', 'KL430']) {
        expect(models.some((m) => m.startsWith(model))).toBe(true);
      }
      for (const model of ['P100', 'P110', 'L530', 'P300']) expect(models).toContain(model);
      expect(sim.devices().map((d) => d.alias)).toContain('Living Room Lamp');
      const hs300 = sim.devices().find((d) => d.model.startsWith('HS300'));
      expect(hs300?.children).toEqual(['00', '01', '02', '03', '04', '05'].map((n) => `${hs300?.id}${n}`));
      return Promise.resolve();
    });
  });

  it('gives the same ids for the same seed and different ids for another', async () => {
    const ids = (seed: number) => withSim({ seed }, (sim) => Promise.resolve(sim.devices().map((d) => d.id)));
    const a = await ids(1);
    expect(await ids(1)).toEqual(a);
    const b = await ids(2);
    expect(b).not.toEqual(a);
    for (const id of a.filter((id) => id.length === 40)) expect(id).toMatch(/^[0-9A-F]{40}$/);
    const same = await withSim({ seed: 1 }, (sim) => Promise.resolve(sim.password));
    expect(await withSim({ seed: 1 }, (sim) => Promise.resolve(sim.password))).toBe(same);
  });
});

describe('synthetic devices', () => {
  it('builds a realistic mix: 60% Kasa (10% HS300), 40% Tapo (5% strips), both regions', async () => {
    await withSim({ devices: 200 }, async (sim) => {
      const all = sim.devices();
      const kasa = all.filter((d) => d.cloud === 'kasa');
      const tapoDevices = all.filter((d) => d.cloud === 'tapo' && !/^[0-9A-F]{42}$/.test(d.id));
      expect(kasa).toHaveLength(120);
      expect(tapoDevices).toHaveLength(80);
      expect(kasa.filter((d) => d.model.startsWith('HS300'))).toHaveLength(12);
      expect(kasa.some((d) => d.model.startsWith('KP115'))).toBe(true);
      expect(kasa.some((d) => d.model.startsWith('KL'))).toBe(true);
      const strips = tapoDevices.filter((d) => d.children.length > 0);
      expect(strips).toHaveLength(4);
      expect(new Set(strips.map((d) => d.model))).toEqual(new Set(['P300', 'P304M']));
      expect(tapoDevices.some((d) => d.model === 'P110')).toBe(true);
      expect(tapoDevices.some((d) => d.model === 'L530')).toBe(true);
      expect(all.some((d) => d.alias === 'Living Room Lamp')).toBe(false);
      const session = await kasaSession(sim);
      const regions = new Set(session.list.map((d) => d.appServerUrl));
      expect(regions.size).toBe(2);
    });
  });

  it('serves 1,000 devices with cheap per-request work', async () => {
    await withSim({ devices: 1000 }, async (sim) => {
      const started = performance.now();
      const session = await kasaSession(sim);
      expect(session.list).toHaveLength(1000);
      const kasaIds = session.list.filter((d) => d.status === 1).slice(0, 100);
      await Promise.all(kasaIds.map((d) => session.iot(String(d.deviceId), { system: { get_sysinfo: null } })));
      const token = await tapoToken(sim);
      const things = (await tapoGet(sim, '/v1/things?page=0&pageSize=100', token)).json;
      expect(Number(things.total)).toBeGreaterThan(400);
      const names = (things.data as Body[]).map((t) => t.thingName).join('&thingNames=');
      const shadows = await tapoGet(sim, `/v1/things/shadows?thingNames=${names}`, token);
      expect((shadows.json.shadows as Body[]).length).toBe(100);
      expect(performance.now() - started).toBeLessThan(5_000);
    });
  });
});

describe.skipIf(!hasFixtures)('fixture loading', () => {
  let sim: Simulator;
  const kasaFiles = fixtureFiles('kasa');
  const tapoFiles = fixtureFiles('tapo');

  beforeAll(async () => {
    sim = await startSimulator({ fixturesDir: fixturesDir() });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('loads every Kasa and Tapo fixture and nothing built in', () => {
    const parents = sim.devices().filter((d) => d.cloud === 'kasa' || !/^[0-9A-F]{42}$/.test(d.id));
    expect(parents.filter((d) => d.cloud === 'kasa')).toHaveLength(kasaFiles.length);
    expect(parents.filter((d) => d.cloud === 'tapo')).toHaveLength(tapoFiles.length);
    expect(sim.devices().some((d) => d.alias === 'Living Room Lamp')).toBe(false);
  });

  it('replaces scrubbed ids with fresh stable ones and keeps them across runs', async () => {
    // Tapo sub-things are listed as devices of their own, Kasa outlets only as children.
    const ids = sim.devices().flatMap((d) => (d.cloud === 'kasa' ? [d.id, ...d.children] : [d.id]));
    for (const id of ids) expect(id).not.toMatch(SCRUBBED);
    expect(new Set(ids).size).toBe(ids.length);
    const again = await withSim({ fixturesDir: fixturesDir() }, (other) => Promise.resolve(other.devices().map((d) => d.id)));
    expect(again).toEqual(sim.devices().map((d) => d.id));
  });

  it('answers get_sysinfo with the fixture model and the fresh id for every Kasa fixture', async () => {
    const session = await kasaSession(sim);
    const kasa = sim.devices().filter((d) => d.cloud === 'kasa');
    for (const [index, file] of kasaFiles.entries()) {
      const fixture = JSON.parse(readFileSync(file, 'utf8')) as { system: { get_sysinfo: Body } };
      const device = kasa[index];
      const answer = await session.iot(device?.id ?? '', { system: { get_sysinfo: null } });
      const info = (answer.system as Body).get_sysinfo as Body;
      expect(info.model).toBe(fixture.system.get_sysinfo.model);
      expect(info.deviceId).toBe(device?.id);
      expect(String(info.alias)).not.toContain('MASKED');
      const children = (info.children ?? []) as Body[];
      expect(children.map((c) => c.id)).toEqual(device?.children);
    }
  });

  it('keeps each fixture emeter shape', async () => {
    const session = await kasaSession(sim);
    const byModel = (prefix: string) => sim.devices().find((d) => d.model.startsWith(prefix))?.id ?? '';
    const old = await session.iot(byModel('HS110'), { emeter: { get_realtime: null } });
    expect((old.emeter as Body).get_realtime).toHaveProperty('total');
    const fresh = await session.iot(byModel('KP115'), { emeter: { get_realtime: null } });
    expect((fresh.emeter as Body).get_realtime).toHaveProperty('total_wh');
    const noMeter = await session.iot(byModel('HS105'), { emeter: { get_realtime: null } });
    expect((noMeter.emeter as Body).get_realtime).toMatchObject({ err_code: -1 });
  });

  it('exposes Tapo fixtures as things, with P300 sockets as sub-things and P110 usage', async () => {
    const token = await tapoToken(sim);
    const things = (await tapoGet(sim, '/v1/things?pageSize=100', token)).json.data as Body[];
    const strip = things.find((t) => t.model === 'P300' && t.isSubThing === false);
    expect(things.filter((t) => t.edgeThingName === strip?.thingName)).toHaveLength(3);
    for (const thing of things) expect(Buffer.from(String(thing.nickname), 'base64').toString()).not.toContain('MASKED');
    const p110 = things.find((t) => t.model === 'P110');
    const usage = await tapoGet(sim, `/v1/things/${String(p110?.thingName)}/usage`, token);
    expect(usage.json.energy_usage).toMatchObject({ today_energy: expect.any(Number), month_energy: expect.any(Number) });
    const shadows = await tapoGet(sim, `/v1/things/shadows?thingNames=${String(p110?.thingName)}`, token);
    const reported = (((shadows.json.shadows as Body[])[0]?.state as Body).reported ?? {}) as Body;
    expect(reported).toMatchObject({ on: false, model: 'P110' });
  });

  it('serves captured Kasa meter readings as captured: own current, no invented loads, bulbs their own answer', async () => {
    const session = await kasaSession(sim);
    const byModel = (prefix: string) => sim.devices().find((d) => d.model.startsWith(prefix));
    const fixture = (prefix: string) => JSON.parse(readFileSync(kasaFiles.find((file) => file.split('/').at(-1)?.startsWith(prefix)) ?? '', 'utf8')) as Body;
    const captured = (data: Body, module: string) => ((data[module] as Body).get_realtime ?? {}) as Body;
    // HS110: current as the meter said (not power ÷ voltage); on in the capture.
    const hs110 = await session.iot(byModel('HS110')?.id ?? '', { emeter: { get_realtime: null } });
    const hs110Fixture = captured(fixture('HS110'), 'emeter');
    expect((hs110.emeter as Body).get_realtime).toMatchObject({ current: hs110Fixture.current, power: hs110Fixture.power, voltage: hs110Fixture.voltage });
    // HS300: each outlet serves the one captured reading; a switched-off outlet draws nothing.
    const hs300 = byModel('HS300');
    const outlet = hs300?.children[0] ?? '';
    sim.setDeviceState(outlet, { state: 1 });
    const one = await session.iot(hs300?.id ?? '', { context: { child_ids: [outlet] }, emeter: { get_realtime: null } });
    const hs300Fixture = captured(fixture('HS300'), 'emeter');
    expect((one.emeter as Body).get_realtime).toMatchObject({ current_ma: hs300Fixture.current_ma, power_mw: hs300Fixture.power_mw, voltage_mv: hs300Fixture.voltage_mv });
    sim.setDeviceState(outlet, { state: 0 });
    const off = await session.iot(hs300?.id ?? '', { context: { child_ids: [outlet] }, emeter: { get_realtime: null } });
    expect((off.emeter as Body).get_realtime).toMatchObject({ current_ma: 0, power_mw: 0 });
    // Bulbs: their own captured answer whatever the brightness (KL110 at 0 W stays 0 W).
    for (const model of ['KL130', 'KL110']) {
      const bulb = byModel(model);
      const answer = await session.iot(bulb?.id ?? '', { 'smartlife.iot.common.emeter': { get_realtime: null } });
      const expected = captured(fixture(model), 'smartlife.iot.common.emeter');
      expect(((answer['smartlife.iot.common.emeter'] as Body).get_realtime as Body).power_mw, model).toBe(expected.power_mw);
    }
  });

  it('gives every device its own MAC, though the scrubbed fixtures share theirs', async () => {
    const session = await kasaSession(sim);
    const kasaMacs = session.list.map((entry) => entry.deviceMac);
    const token = await tapoToken(sim);
    const things = ((await tapoGet(sim, '/v1/things?pageSize=100', token)).json.data as Body[]).filter((thing) => thing.isSubThing === false);
    const macs = [...kasaMacs.filter((_, i) => !String(session.list[i]?.deviceType).startsWith('SMART.')), ...things.map((thing) => thing.mac)];
    expect(new Set(macs).size).toBe(macs.length);
  });

  it('answers services-sync with every captured method verbatim, and -1002 for one the device never answered', async () => {
    const token = await tapoToken(sim);
    const things = (await tapoGet(sim, '/v1/things?pageSize=100', token)).json.data as Body[];
    for (const file of tapoFiles) {
      const data = JSON.parse(readFileSync(file, 'utf8')) as Body;
      const model = String((data.get_device_info as Body).model);
      const thing = things.find((entry) => entry.model === model && entry.isSubThing === false);
      const methods = Object.keys(data).filter((name) => name.startsWith('get_') && !['get_device_info', 'get_child_device_list', 'get_energy_usage', 'get_current_power', 'get_emeter_data', 'get_device_time'].includes(name));
      const requests = [...methods, 'get_no_such_thing'].map((method) => ({ method }));
      const answer = await tapoSync(sim, String(thing?.thingName), token, { method: 'multipleRequest', params: { requests } });
      const responses = (((answer.outputParams as Body).responseData as Body).result as Body).responses as Body[];
      for (const method of methods) expect(responses.find((r) => r.method === method), `${model} ${method}`).toEqual({ method, error_code: 0, result: data[method] });
      expect(responses.at(-1)).toEqual({ method: 'get_no_such_thing', error_code: -1002 });
      if (data.get_emeter_data) {
        const emeter = await tapoSync(sim, String(thing?.thingName), token, { method: 'get_emeter_data' });
        const result = (emeter.outputParams as Body).responseData as Body;
        expect(result.result, `${model} get_emeter_data`).toMatchObject({ voltage_mv: (data.get_emeter_data as Body).voltage_mv });
      }
    }
  });
});
