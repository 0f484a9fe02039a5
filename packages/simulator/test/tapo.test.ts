import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/index.js';
import { randomUUID } from 'node:crypto';
import { TAPO_CID, TERMINAL, nbuHeaders, post, result, tapoGet, tapoLogin, tapoPatch, tapoToken, type Body } from './helpers.js';

let sim: Simulator;
let token: string;
let now = Date.UTC(2025, 0, 15, 12);

beforeAll(async () => {
  sim = await startSimulator({ clock: () => now });
  token = await tapoToken(sim);
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.setFaults({ shadowApplyDelayMs: 0 });
});

function thingId(model: string): string {
  const found = sim.devices().find((d) => d.cloud === 'tapo' && d.model === model);
  if (!found) throw new Error(`no ${model}`);
  return found.id;
}

async function shadows(...names: string[]): Promise<Body> {
  const query = names.map((name) => `thingNames=${name}`).join('&');
  const answer = await tapoGet(sim, `/v1/things/shadows?${query}`, token);
  expect(answer.status).toBe(200);
  return answer.json;
}

function firstShadow(body: Body): Body {
  return (body.shadows as Body[])[0] as Body;
}

describe('Tapo account', () => {
  it('logs in with token and refreshToken inside result', async () => {
    const answer = await tapoLogin(sim);
    expect(answer.json).toMatchObject({
      error_code: 0,
      result: { errorCode: '0', email: sim.username, token: expect.any(String), refreshToken: expect.any(String) },
    });
  });

  it('refreshes through the Kasa-style refreshToken on the wap host, not on the account endpoint', async () => {
    const login = result(await tapoLogin(sim));
    const params = { appType: 'TP-Link_Tapo_Android', refreshToken: login.refreshToken, terminalUUID: TERMINAL };
    const refused = await post(sim.urls.tapo.accountUrl, { method: 'refreshToken', params });
    expect(refused.json.error_code).toBe(-20103);
    expect(sim.urls.tapo.refreshUrl).toBe(sim.urls.kasa.url);
    const refreshed = await post(sim.urls.tapo.refreshUrl, { method: 'refreshToken', params });
    const fresh = String(result(refreshed).token);
    expect((await tapoGet(sim, '/v1/things?page=0', fresh)).status).toBe(200);
  });
});

describe('Tapo app server', () => {
  it('checks app-cid (bare 403) and the ut| token (401)', async () => {
    const badCid = await tapoGet(sim, '/v1/things', token, 'app:Other:app');
    expect(badCid.status).toBe(403);
    expect(badCid.text).toBe('');
    // The older form names no terminal: refused like any other bad app-cid.
    expect((await tapoGet(sim, '/v1/things', token, 'app:TP-Link_Tapo_Android:app')).status).toBe(403);
    const res = await request(`${sim.urls.tapo.appServerUrl}/v1/things`, { headers: { ...nbuHeaders(token), authorization: token } });
    expect(res.statusCode).toBe(401);
    await res.body.dump();
    expect((await tapoGet(sim, '/v1/things', 'forged')).status).toBe(401);
  });

  it('answers a bare 403 when app-cid names another terminal than the token was issued to', async () => {
    const other = randomUUID();
    const cid = `app:TP-Link_Tapo_Android:${other}`;
    const res = await request(`${sim.urls.tapo.appServerUrl}/v1/things`, { headers: nbuHeaders(token, cid, other) });
    expect(res.statusCode).toBe(403);
    expect(await res.body.text()).toBe('');
    const missing = await request(`${sim.urls.tapo.appServerUrl}/v1/things`, { headers: { authorization: `ut|${token}`, 'app-cid': TAPO_CID } });
    expect(missing.statusCode).toBe(403);
    await missing.body.dump();
  });

  it('pages things from page 0 and lists sub-things of strips', async () => {
    const first = await tapoGet(sim, '/v1/things?page=0&pageSize=3', token);
    expect(first.json).toMatchObject({ page: 0, pageSize: 3, total: 7 });
    const all: Body[] = [];
    for (let page = 0; page * 3 < 7; page++) {
      all.push(...((await tapoGet(sim, `/v1/things?page=${page}&pageSize=3`, token)).json.data as Body[]));
    }
    expect(all).toHaveLength(7);
    expect(new Set(all.map((t) => t.thingName)).size).toBe(7);
    const strip = all.find((t) => t.model === 'P300' && t.isSubThing === false) as Body;
    const subs = all.filter((t) => t.isSubThing === true);
    expect(subs).toHaveLength(3);
    for (const sub of subs) {
      expect(sub.edgeThingName).toBe(strip.thingName);
      expect(String(sub.thingName).startsWith(String(strip.thingName))).toBe(true);
      expect(sub.category).toBe('plug.powerstrip.sub-plug');
    }
    expect(Buffer.from(String(strip.nickname), 'base64').toString()).toBe('Garage Strip');
    expect(strip.appServerUrl).toBe(sim.urls.tapo.thingsUrl);
    expect(strip.appServerUrlV2).toBeUndefined();
    const v2 = await tapoGet(sim, '/v2/things?page=0&pageSize=100', token);
    expect((v2.json.data as Body[])[0]).toMatchObject({ appServerUrl: sim.urls.tapo.thingsUrl, appServerUrlV2: sim.urls.tapo.thingsUrl });
    const defaults = await tapoGet(sim, '/v1/things', token);
    expect(defaults.json.pageSize).toBe(20);
  });

  it('reads several shadows at once, with failThingList for unknown names', async () => {
    const plug = thingId('P100');
    const bulb = thingId('L530');
    const body = await shadows(plug, 'NOT-A-THING', bulb);
    const list = body.shadows as Body[];
    expect(list.map((s) => s.thingName)).toEqual([plug, bulb]);
    expect(body.failThingList).toEqual([expect.objectContaining({ thingName: 'NOT-A-THING', code: -20501 })]);
    const reported = (list[1]?.state as Body).reported as Body;
    expect(reported).toMatchObject({ on: true, brightness: 70, color_temp: 2700 });
    expect(reported.device_on).toBeUndefined();
    expect(Buffer.from(String(reported.nickname), 'base64').toString()).toBe('Reading Light');
    const comma = await tapoGet(sim, `/v1/things/shadows?thingNames=${plug},${bulb}`, token);
    expect((comma.json.shadows as Body[]).length).toBe(2);
    expect(sim.requests.at(-1)).toMatchObject({ api: 'shadows.get', thingNames: [plug, bulb] });
  });

  it('applies the version rule: stale -> 409 code 11000 with curVersion; string versions accepted', async () => {
    const plug = thingId('P100');
    const version = Number(firstShadow(await shadows(plug)).version);
    const stale = await tapoPatch(sim, plug, { version, state: { desired: { on: true } } }, token);
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ code: 11000, data: { curVersion: version } });
    expect(String(stale.json.message)).toMatch(/Update version is smaller than present version\.$/);
    const ok = await tapoPatch(sim, plug, { version: String(version + 1), state: { desired: { on: true } } }, token);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ version: version + 1, requestId: expect.any(String) });
    const after = firstShadow(await shadows(plug));
    expect(after.version).toBe(version + 1);
    expect((after.state as Body).reported).toMatchObject({ on: true });
    expect((after.state as Body).desired).toEqual({ on: true });
    expect((await tapoPatch(sim, plug, { version: 'x', state: {} }, token)).status).toBe(400);
    expect((await tapoPatch(sim, 'NOPE', { version: 1, state: { desired: {} } }, token)).status).toBe(404);
  });

  it('shows desired at once but reported only after the apply delay', async () => {
    sim.setFaults({ shadowApplyDelayMs: 500 });
    const socket = sim.devices().find((d) => d.cloud === 'tapo' && d.model === 'P300')?.children[1] ?? '';
    const before = firstShadow(await shadows(socket));
    expect((before.state as Body).reported).toMatchObject({ on: false });
    const patched = await tapoPatch(sim, socket, { version: Number(before.version) + 1, state: { desired: { on: true } } }, token);
    expect(patched.status).toBe(200);
    const pending = firstShadow(await shadows(socket)).state as Body;
    expect(pending.desired).toEqual({ on: true });
    expect(pending.reported).toMatchObject({ on: false });
    now += 499;
    expect((firstShadow(await shadows(socket)).state as Body).reported).toMatchObject({ on: false });
    now += 1;
    expect((firstShadow(await shadows(socket)).state as Body).reported).toMatchObject({ on: true });
  });

  it('keeps desired pending while the device is offline', async () => {
    const bulb = thingId('L530');
    sim.setOnline(bulb, false);
    const listed = (await tapoGet(sim, '/v1/things?pageSize=100', token)).json.data as Body[];
    expect(listed.find((t) => t.thingName === bulb)?.status).toBe(0);
    const version = Number(firstShadow(await shadows(bulb)).version);
    await tapoPatch(sim, bulb, { version: version + 1, state: { desired: { on: false } } }, token);
    expect((firstShadow(await shadows(bulb)).state as Body).reported).toMatchObject({ on: true });
    sim.setOnline(bulb, true);
    expect((firstShadow(await shadows(bulb)).state as Body).reported).toMatchObject({ on: false });
  });

  it('answers energy usage for energy models (mW, Wh, minutes) and grows while on', async () => {
    const plug = thingId('P110');
    const first = await tapoGet(sim, `/v1/things/${plug}/usage`, token);
    expect(first.status).toBe(200);
    const usage = first.json.energy_usage as Body;
    expect(usage).toMatchObject({ current_power: 1_200_000, today_energy: 120, month_energy: 2_400 });
    now += 3_600_000;
    const later = (await tapoGet(sim, `/v1/things/${plug}/usage`, token)).json.energy_usage as Body;
    expect(Number(later.today_energy) - Number(usage.today_energy)).toBe(1200);
    expect(Number(later.today_runtime) - Number(usage.today_runtime)).toBe(60);
    const noMeter = await tapoGet(sim, `/v1/things/${thingId('P100')}/usage`, token);
    expect(noMeter.status).toBe(400);
    expect(sim.requests.at(-1)).toMatchObject({ api: 'usage', deviceId: thingId('P100'), status: 400 });
  });

  it('setDeviceState moves reported and the version', () => {
    const plug = thingId('P100');
    const before = sim.deviceState(plug) as Body;
    sim.setDeviceState(plug, { on: false });
    const after = sim.deviceState(plug) as Body;
    expect(after.version).toBe(Number(before.version) + 1);
    expect(after.reported).toMatchObject({ on: false });
  });
});
