import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/index.js';
import { TERMINAL, idOf, kasaLogin, kasaSession, post, result, type Body } from './helpers.js';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.setFaults({ tokenTtlS: 0, v2Only: false, mfaRequired: false });
  sim.clearRequests();
});

describe('Kasa V1 account', () => {
  it('listens on loopback with one port per host', () => {
    const urls = [sim.urls.kasa.url, sim.urls.kasa.v2Url, ...Object.values(sim.urls.kasa.regions), sim.urls.tapo.appServerUrl];
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set(urls).size).toBe(urls.length);
    expect(Object.keys(sim.urls.kasa.regions).sort()).toEqual(['eu', 'use1']);
  });

  it('refuses to listen outside loopback', async () => {
    await expect(startSimulator({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('logs in and answers a refresh token only when asked', async () => {
    const plain = await kasaLogin(sim);
    expect(plain.token).toEqual(expect.any(String));
    expect(plain.refreshToken).toBeUndefined();
    expect(plain.email).toBe(sim.username);
    const withRefresh = await kasaLogin(sim, true);
    expect(withRefresh.refreshToken).toEqual(expect.any(String));
  });

  it('refreshes with refreshToken and refuses a token in its place (-20104)', async () => {
    const login = await kasaLogin(sim, true);
    const ok = await post(sim.urls.kasa.url, {
      method: 'refreshToken',
      params: { appType: 'Kasa_Android', terminalUUID: TERMINAL, refreshToken: login.refreshToken },
    });
    expect(ok.json.error_code).toBe(0);
    const fresh = String(result(ok).token);
    expect(fresh).not.toBe(login.token);
    const listed = await post(sim.urls.kasa.url, { method: 'getDeviceList', params: { token: fresh } });
    expect(listed.json.error_code).toBe(0);
    const wrong = await post(sim.urls.kasa.url, {
      method: 'refreshToken',
      params: { appType: 'Kasa_Android', terminalUUID: TERMINAL, token: login.token },
    });
    expect(wrong.json.error_code).toBe(-20104);
    const bogus = await post(sim.urls.kasa.url, {
      method: 'refreshToken',
      params: { refreshToken: 'nope', terminalUUID: TERMINAL },
    });
    expect(bogus.json.error_code).toBe(-20656);
  });

  it('answers -23003 to V1 login for a V2-only account', async () => {
    sim.setFaults({ v2Only: true });
    const answer = await post(sim.urls.kasa.url, {
      method: 'login',
      params: { appType: 'Kasa_Android', cloudUserName: sim.username, cloudPassword: sim.password, terminalUUID: TERMINAL },
    });
    expect(answer.json).toMatchObject({ error_code: -23003 });
  });

  it('answers -10100 to a body that is not JSON and -20103 to an unknown method', async () => {
    expect((await post(sim.urls.kasa.url, '{"method":')).json).toMatchObject({ error_code: -10100 });
    expect((await post(sim.urls.kasa.url, { method: 'fly' })).json).toMatchObject({ error_code: -20103 });
  });

  it('refuses device calls without a valid token', async () => {
    const answer = await post(sim.urls.kasa.url, { method: 'getDeviceList', params: { token: 'forged' } });
    expect(answer.json.error_code).toBe(-20652);
    const none = await post(sim.urls.kasa.url, { method: 'getDeviceList' });
    expect(none.json.error_code).toBe(-20652);
  });
});

describe('Kasa device list and regions', () => {
  it('lists every Kasa device with its regional appServerUrl, and Tapo devices offline', async () => {
    const session = await kasaSession(sim);
    const regionUrls = Object.values(sim.urls.kasa.regions);
    const kasa = session.list.filter((d) => String(d.deviceType).startsWith('IOT.'));
    const tapo = session.list.filter((d) => String(d.deviceType).startsWith('SMART.'));
    expect(kasa.length).toBe(10);
    expect(tapo.length).toBe(4);
    for (const device of kasa) {
      expect(regionUrls).toContain(device.appServerUrl);
      expect(device.deviceId).toMatch(/^[0-9A-F]{40}$/);
      expect(device.status).toBe(1);
    }
    expect(new Set(kasa.map((d) => d.appServerUrl)).size).toBe(2);
    for (const device of tapo) {
      expect(device.status).toBe(0);
      expect(Buffer.from(String(device.alias), 'base64').toString()).not.toBe(device.alias);
    }
    const lamp = kasa.find((d) => d.alias === 'Living Room Lamp');
    expect(lamp).toMatchObject({ deviceType: 'IOT.SMARTBULB', deviceModel: 'KL130(EU)', appServerUrl: sim.urls.kasa.regions.eu });
  });

  it('runs passthrough only on the device region; elsewhere -20571', async () => {
    const session = await kasaSession(sim);
    const id = idOf(sim, 'HS100');
    const request = { method: 'passthrough', params: { token: session.token, deviceId: id, requestData: { system: { get_sysinfo: null } } } };
    const home = await post(session.urlOf(id), request);
    expect(home.json.error_code).toBe(0);
    const other = Object.values(sim.urls.kasa.regions).find((url) => url !== session.urlOf(id)) ?? '';
    expect((await post(other, request)).json).toEqual({ error_code: -20571, msg: 'Device is offline' });
    expect((await post(sim.urls.kasa.url, request)).json.error_code).toBe(-20571);
  });

  it('answers -20571 for a Tapo device on the Kasa cloud and -20501 for an unknown id', async () => {
    const session = await kasaSession(sim);
    const tapo = session.list.find((d) => String(d.deviceType).startsWith('SMART.')) as Body;
    const params = { token: session.token, deviceId: tapo.deviceId, requestData: { system: { get_sysinfo: null } } };
    expect((await post(String(tapo.appServerUrl), { method: 'passthrough', params })).json.error_code).toBe(-20571);
    const unknown = { ...params, deviceId: 'F'.repeat(40) };
    expect((await post(sim.urls.kasa.regions.eu ?? '', { method: 'passthrough', params: unknown })).json.error_code).toBe(
      -20501,
    );
  });

  it('answers a string requestData with a string and an object with an object', async () => {
    const session = await kasaSession(sim);
    const id = idOf(sim, 'HS100');
    const asString = await post(session.urlOf(id), {
      method: 'passthrough',
      params: { token: session.token, deviceId: id, requestData: '{"system":{"get_sysinfo":null}}' },
    });
    const text = result(asString).responseData;
    expect(typeof text).toBe('string');
    expect(JSON.parse(String(text))).toMatchObject({ system: { get_sysinfo: { deviceId: id, err_code: 0 } } });
    const asObject = await post(session.urlOf(id), {
      method: 'passthrough',
      params: { token: session.token, deviceId: id, requestData: { system: { get_sysinfo: null } } },
    });
    expect(result(asObject).responseData).toMatchObject({ system: { get_sysinfo: { alias: 'Hall Lamp' } } });
    const broken = await post(session.urlOf(id), {
      method: 'passthrough',
      params: { token: session.token, deviceId: id, requestData: '{"system":' },
    });
    expect(broken.json.error_code).toBe(-10100);
  });

  it('accepts the token in the query as well as in the body', async () => {
    const session = await kasaSession(sim);
    const id = idOf(sim, 'HS200');
    const body = { method: 'passthrough', params: { deviceId: id, requestData: { system: { get_sysinfo: null } } } };
    const viaQuery = await post(`${session.urlOf(id)}?token=${session.token}`, body);
    expect(viaQuery.json.error_code).toBe(0);
    const viaBody = await post(session.urlOf(id), { ...body, params: { ...body.params, token: session.token } });
    expect(viaBody.json.error_code).toBe(0);
  });
});

describe('request recording', () => {
  it('records method, device, parsed requestData, status and error code in arrival order', async () => {
    const session = await kasaSession(sim);
    const id = idOf(sim, 'HS100');
    sim.clearRequests();
    await post(session.urlOf(id), {
      method: 'passthrough',
      params: { token: session.token, deviceId: id, requestData: '{"system":{"set_relay_state":{"state":1}}}' },
    });
    await post(sim.urls.kasa.url, { method: 'getDeviceList', params: { token: 'bad' } });
    expect(sim.requests).toHaveLength(2);
    const [first, second] = sim.requests;
    expect(first).toMatchObject({
      cloud: 'kasa',
      host: 'eu',
      httpMethod: 'POST',
      path: '/',
      api: 'passthrough',
      deviceId: id,
      status: 200,
      body: { params: { requestData: { system: { set_relay_state: { state: 1 } } } } },
    });
    expect(first?.errorCode).toBeUndefined();
    expect(second).toMatchObject({ api: 'getDeviceList', host: 'wap', errorCode: -20652 });
    expect(second?.time).toBeGreaterThanOrEqual(first?.time ?? 0);
    sim.clearRequests();
    expect(sim.requests).toHaveLength(0);
  });

  it('keeps only about recordLimit requests when asked (long standalone runs)', async () => {
    const local = await startSimulator({ recordLimit: 5 });
    try {
      for (let i = 0; i < 12; i++) await post(local.urls.kasa.url, { method: `call${i}` });
      expect(local.requests.length).toBeGreaterThanOrEqual(5);
      expect(local.requests.length).toBeLessThan(10);
      expect(local.requests.at(-1)?.api).toBe('call11');
    } finally {
      await local.close();
    }
  });
});
