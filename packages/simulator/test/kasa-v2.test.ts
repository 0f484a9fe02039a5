import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signRequest } from 'tplink-cloud-mqtt/protocol';
import { startSimulator, type Simulator } from '../src/index.js';
import { idOf, newTerminal, post, result, signedPost, type Body } from './helpers.js';

let sim: Simulator;
const logLines: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({ log: (line) => logLines.push(line) });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.setFaults({ mfaRequired: false, v2Only: false });
});

function loginBody(terminalUUID: string, password = sim.password): Body {
  return {
    appType: 'Kasa_Android_Mix',
    appVersion: '3.4.451',
    cloudPassword: password,
    cloudUserName: sim.username,
    platform: 'Android',
    refreshTokenNeeded: true,
    supportBindAccount: false,
    terminalUUID,
    terminalName: 'tplink-cloud-mqtt',
    terminalMeta: 'tplink-cloud-mqtt',
  };
}

async function appServerUrl(): Promise<string> {
  const answer = await signedPost(sim.urls.kasa.v2Url, '/api/v2/account/getAccountStatusAndUrl', {
    appType: 'Kasa_Android_Mix',
    cloudUserName: sim.username,
  });
  expect(answer.json.error_code).toBe(0);
  return String(result(answer).appServerUrl);
}

describe('Kasa V2', () => {
  it('getAccountStatusAndUrl names a regional host', async () => {
    const url = await appServerUrl();
    expect(Object.values(sim.urls.kasa.regions)).toContain(url);
    const unknown = await signedPost(sim.urls.kasa.v2Url, '/api/v2/account/getAccountStatusAndUrl', {
      appType: 'Kasa_Android_Mix',
      cloudUserName: 'nobody@example.com',
    });
    expect(unknown.json.error_code).toBe(-20600);
  });

  it('logs in with a signed flat body and refreshes', async () => {
    const base = await appServerUrl();
    const login = await signedPost(base, '/api/v2/account/login', loginBody(newTerminal()));
    expect(login.status).toBe(200);
    expect(result(login)).toMatchObject({ email: sim.username, token: expect.any(String), refreshToken: expect.any(String) });
    const refreshed = await signedPost(base, '/api/v2/account/refreshToken', {
      appType: 'Kasa_Android_Mix',
      refreshToken: result(login).refreshToken,
      terminalUUID: newTerminal(),
    });
    expect(result(refreshed).token).toEqual(expect.any(String));
    expect(result(refreshed).token).not.toBe(result(login).token);
  });

  it('refuses a bad or missing signature with HTTP 401 / -10008', async () => {
    const base = await appServerUrl();
    const payload = JSON.stringify(loginBody(newTerminal()));
    const headers = signRequest(payload, '/api/v2/account/login');
    const tampered = payload.replace(sim.password, 'other-password');
    const badMd5 = await post(`${base}/api/v2/account/login`, tampered, headers);
    expect(badMd5.status).toBe(401);
    expect(badMd5.json.error_code).toBe(-10008);
    const wrongPath = signRequest(payload, '/api/v2/account/refreshToken');
    expect((await post(`${base}/api/v2/account/login`, payload, wrongPath)).status).toBe(401);
    const badSig = { ...headers, 'X-Authorization': headers['X-Authorization'].replace(/Signature=\w+/, 'Signature=00') };
    expect((await post(`${base}/api/v2/account/login`, payload, badSig)).status).toBe(401);
    expect((await post(`${base}/api/v2/account/login`, payload)).status).toBe(401);
  });

  it('signs V2 device calls too: a signed passthrough works, an unsigned one with V2 query is refused', async () => {
    const base = await appServerUrl();
    const token = String(result(await signedPost(base, '/api/v2/account/login', loginBody(newTerminal()))).token);
    const query = `?appName=Kasa_Android_Mix&appVer=3.4.451&netType=wifi&termID=${newTerminal()}&ospf=Android+14&brand=TPLINK&locale=en_US&model=Pixel&termName=Pixel&termMeta=Pixel&token=${token}`;
    const list = await signedPost(base, '/', { method: 'getDeviceList' }, query);
    expect(list.json.error_code).toBe(0);
    const id = idOf(sim, 'HS200');
    const entry = (result(list).deviceList as Body[]).find((d) => d.deviceId === id) as Body;
    const body = { method: 'passthrough', params: { deviceId: id, requestData: { system: { get_sysinfo: null } } } };
    const signed = await signedPost(String(entry.appServerUrl), '/', body, query);
    expect(signed.json.error_code).toBe(0);
    const unsigned = await post(`${String(entry.appServerUrl)}/${query}`, body);
    expect(unsigned.status).toBe(401);
  });

  it('runs the MFA flow: -20677, e-mail code, checkMFACodeAndLogin, then the terminal is trusted', async () => {
    sim.setFaults({ mfaRequired: true });
    const base = await appServerUrl();
    const terminal = newTerminal();
    const first = await signedPost(base, '/api/v2/account/login', loginBody(terminal));
    expect(first.json.error_code).toBe(-20677);
    const processId = String(result(first).MFAProcessId);
    expect(result(first).supportedMFATypes).toEqual([1, 2]);

    const v1 = await post(sim.urls.kasa.url, {
      method: 'login',
      params: { appType: 'Kasa_Android', cloudUserName: sim.username, cloudPassword: sim.password, terminalUUID: terminal },
    });
    expect(v1.json.error_code).toBe(-23003);

    const ask = await signedPost(base, '/api/v2/account/getEmailVC4TerminalMFA', {
      appType: 'Kasa_Android_Mix',
      cloudUserName: sim.username,
      cloudPassword: sim.password,
      terminalUUID: terminal,
    });
    expect(ask.json.error_code).toBe(0);
    const code = sim.lastMfaCode();
    expect(code).toMatch(/^\d{6}$/);
    expect(logLines.some((line) => line.includes(String(code)))).toBe(true);

    const check = (value: string) =>
      signedPost(base, '/api/v2/account/checkMFACodeAndLogin', {
        appType: 'Kasa_Android_Mix',
        cloudUserName: sim.username,
        code: value,
        MFAProcessId: processId,
        MFAType: 2,
        terminalBindEnabled: true,
      });
    const wrong = await check(code === '000000' ? '111111' : '000000');
    expect(wrong.json.error_code).toBe(-20607);
    const ok = await check(String(code));
    expect(ok.json.error_code).toBe(0);
    expect(result(ok).token).toEqual(expect.any(String));

    const again = await signedPost(base, '/api/v2/account/login', loginBody(terminal));
    expect(again.json.error_code).toBe(0);
    const otherTerminal = await signedPost(base, '/api/v2/account/login', loginBody(newTerminal()));
    expect(otherTerminal.json.error_code).toBe(-20677);
  });
});
