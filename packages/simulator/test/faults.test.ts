import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FAULTS, startSimulator, type FaultKind, type Simulator } from '../src/index.js';
import { idOf, kasaLogin, kasaSession, post, result, tapoGet, tapoLogin, tapoToken, type Body } from './helpers.js';

let sim: Simulator;
let now = Date.UTC(2025, 0, 15, 12);

beforeAll(async () => {
  sim = await startSimulator({ clock: () => now });
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => {
  sim.setFaults({ ...DEFAULT_FAULTS });
  sim.unlockAccount();
});

const listCall = (token: string) => post(sim.urls.kasa.url, { method: 'getDeviceList', params: { token } });

describe('token lifetime', () => {
  it('expires Kasa tokens with -20651 and Tapo tokens with 401 after the TTL', async () => {
    sim.setFaults({ tokenTtlS: 60 });
    const kasa = String((await kasaLogin(sim)).token);
    const tapo = await tapoToken(sim);
    now += 59_000;
    expect((await listCall(kasa)).json.error_code).toBe(0);
    expect((await tapoGet(sim, '/v1/things', tapo)).status).toBe(200);
    now += 1_000;
    expect((await listCall(kasa)).json).toEqual({ error_code: -20651, msg: 'Token expired' });
    const expired = await tapoGet(sim, '/v1/things', tapo);
    expect(expired.status).toBe(401);
    expect(expired.json.code).toBe(-20651);
  });

  it('expireTokens() expires every token issued so far, not later ones', async () => {
    const old = String((await kasaLogin(sim)).token);
    sim.expireTokens();
    expect((await listCall(old)).json.error_code).toBe(-20651);
    const fresh = String((await kasaLogin(sim)).token);
    expect((await listCall(fresh)).json.error_code).toBe(0);
  });
});

describe('injected errors', () => {
  it('adds latency to every answer', async () => {
    sim.setFaults({ latencyMs: 120 });
    const started = performance.now();
    await post(sim.urls.kasa.url, { method: 'fly' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  const only = (kind: FaultKind) => sim.setFaults({ errorRate: 1, errorKinds: [kind] });

  it('http500: HTML body with status 500', async () => {
    only('http500');
    const answer = await post(sim.urls.kasa.url, { method: 'getDeviceList' });
    expect(answer.status).toBe(500);
    expect(answer.text).toContain('<html>');
    expect(sim.requests.at(-1)).toMatchObject({ api: 'getDeviceList', status: 500 });
  });

  it('busy: Kasa -20003, Tapo HTTP 503 {"code":-20003}', async () => {
    only('busy');
    expect((await post(sim.urls.kasa.url, { method: 'getDeviceList' })).json.error_code).toBe(-20003);
    const tapo = await tapoGet(sim, '/v1/things', 'x');
    expect(tapo.status).toBe(503);
    expect(tapo.json.code).toBe(-20003);
    expect(sim.requests.at(-1)).toMatchObject({ cloud: 'tapo', status: 503, errorCode: -20003 });
  });

  it('malformed: 200 with a body that is not JSON', async () => {
    only('malformed');
    const answer = await post(sim.urls.kasa.url, { method: 'getDeviceList' });
    expect(answer.status).toBe(200);
    expect(() => JSON.parse(answer.text) as unknown).toThrow();
  });

  it('schema: 200 JSON of the wrong shape', async () => {
    only('schema');
    const kasa = await post(sim.urls.kasa.url, { method: 'getDeviceList' });
    expect(kasa.json).toMatchObject({ error_code: 0, result: 'unexpected' });
    const tapo = await tapoGet(sim, '/v1/things', 'x');
    expect(tapo.status).toBe(200);
    expect(tapo.json.data).toBeUndefined();
  });

  it('reset: the socket is destroyed and recorded with status 0', async () => {
    only('reset');
    await expect(post(sim.urls.kasa.url, { method: 'getDeviceList' })).rejects.toThrow();
    expect(sim.requests.at(-1)).toMatchObject({ api: 'getDeviceList', status: 0 });
  });

  it('timeout: never answers, the client timeout fires, status 0 is recorded', async () => {
    only('timeout');
    const pending = request(sim.urls.kasa.url, {
      method: 'POST',
      body: JSON.stringify({ method: 'getDeviceList' }),
      headersTimeout: 200,
    });
    await expect(pending).rejects.toThrow(/timeout/i);
    expect(sim.requests.at(-1)).toMatchObject({ api: 'getDeviceList', status: 0 });
  });

  it('errorRate picks faults for about that share of requests', async () => {
    sim.setFaults({ errorRate: 0.5, errorKinds: ['busy'] });
    sim.clearRequests();
    for (let i = 0; i < 60; i++) await post(sim.urls.kasa.url, { method: 'fly' });
    const busy = sim.requests.filter((r) => r.errorCode === -20003).length;
    expect(busy).toBeGreaterThan(15);
    expect(busy).toBeLessThan(45);
  });
});

describe('rate limit', () => {
  it('answers -20004 (Kasa) / 429 (Tapo) beyond N requests per second, per cloud', async () => {
    // A fresh simulator: the window also counts the requests other tests just made. Its own
    // clock, moved past the one-second window instead of waiting for it.
    let localNow = now;
    const local = await startSimulator({ clock: () => localNow });
    try {
      const token = await tapoToken(local);
      local.setFaults({ rateLimitPerSecond: 3 });
      const codes: unknown[] = [];
      for (let i = 0; i < 5; i++) codes.push((await post(local.urls.kasa.url, { method: 'fly' })).json.error_code);
      expect(codes).toEqual([-20103, -20103, -20103, -20004, -20004]);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await tapoGet(local, '/v1/things', token)).status);
      expect(statuses).toEqual([200, 200, 429]);
      expect(local.requests.at(-1)).toMatchObject({ status: 429, errorCode: -20004 });
      localNow += 999;
      expect((await post(local.urls.kasa.url, { method: 'fly' })).json.error_code).toBe(-20004);
      localNow += 1;
      expect((await post(local.urls.kasa.url, { method: 'fly' })).json.error_code).toBe(-20103);
    } finally {
      await local.close();
    }
  });
});

describe('logins', () => {
  it('wrongPassword: Kasa -20601, Tapo result.errorCode "-20601"', async () => {
    sim.setFaults({ wrongPassword: true });
    await expect(kasaLogin(sim)).rejects.toThrow(/-20601/);
    const tapo = await tapoLogin(sim);
    expect(tapo.json).toMatchObject({ error_code: 0, result: { errorCode: '-20601', failedAttempts: 2 } });
  });

  it('locks after repeated failures (Kasa -20661, Tapo -20675) until unlocked', async () => {
    sim.setFaults({ lockAfterFailures: 3 });
    const first = await tapoLogin(sim, 'wrong');
    expect(result(first)).toMatchObject({ errorCode: '-20601', failedAttempts: 1, remainAttempts: 2 });
    const kasaLoginAs = (password: string) =>
      post(sim.urls.kasa.url, {
        method: 'login',
        params: { appType: 'Kasa_Android', cloudUserName: sim.username, cloudPassword: password, terminalUUID: 'x' },
      });
    expect((await kasaLoginAs('wrong')).json.error_code).toBe(-20601);
    const third = await tapoLogin(sim, 'wrong');
    expect(result(third)).toMatchObject({ errorCode: '-20675', remainAttempts: 0, lockedMinutes: 30 });
    expect((await kasaLoginAs(sim.password)).json.error_code).toBe(-20661);
    sim.unlockAccount();
    expect((await kasaLogin(sim)).token).toEqual(expect.any(String));
  });
});

describe('devices going away', () => {
  it('offline: Kasa status 0 and -20571, Tapo status 0', async () => {
    const session = await kasaSession(sim);
    const id = idOf(sim, 'HS100');
    sim.setOnline(id, false);
    const listed = result(await listCall(session.token)).deviceList as Body[];
    expect(listed.find((d) => d.deviceId === id)?.status).toBe(0);
    const answer = await post(session.urlOf(id), {
      method: 'passthrough',
      params: { token: session.token, deviceId: id, requestData: { system: { get_sysinfo: null } } },
    });
    expect(answer.json.error_code).toBe(-20571);
    sim.setOnline(id, true);
    const strip = sim.devices().find((d) => d.model === 'P300');
    sim.setOnline(strip?.id ?? '', false);
    const things = (await tapoGet(sim, '/v1/things?pageSize=100', await tapoToken(sim))).json.data as Body[];
    const offline = things.filter((t) => t.status === 0).map((t) => t.thingName);
    expect(offline.sort()).toEqual([strip?.id, ...(strip?.children ?? [])].sort());
    expect(sim.devices().filter((d) => !d.online)).toHaveLength(4);
    sim.setOnline(strip?.id ?? '', true);
  });

  it('removeDevice drops a device from both lists', async () => {
    const local = await startSimulator();
    try {
      const plug = local.devices().find((d) => d.model === 'P100')?.id ?? '';
      const kasa = local.devices().find((d) => d.model.startsWith('HS200'))?.id ?? '';
      local.removeDevice(plug);
      local.removeDevice(kasa);
      const session = await kasaSession(local);
      expect(session.list.map((d) => d.deviceId)).not.toContain(plug);
      expect(session.list.map((d) => d.deviceId)).not.toContain(kasa);
      const things = (await tapoGet(local, '/v1/things', await tapoToken(local))).json;
      expect(things.total).toBe(6);
      expect(() => local.removeDevice(plug)).toThrow();
    } finally {
      await local.close();
    }
  });
});

describe('close', () => {
  it('finishes promptly while a request hangs on a timeout fault', async () => {
    const local = await startSimulator({ errorRate: 1, errorKinds: ['timeout'] });
    const hanging = request(local.urls.kasa.url, { method: 'POST', body: '{}' }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await local.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await hanging).toBeInstanceOf(Error);
  });
});
