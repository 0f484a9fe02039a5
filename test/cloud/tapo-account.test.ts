/**
 * The Tapo account as the current app speaks it (tapo-cloud.md §7): the
 * signed V2 login, the V1 fallback and the switches between them, two-factor,
 * refresh and re-login, app-server discovery, a token of another terminal.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TapoClient } from '../../src/clouds/tapo/client.js';
import type { Simulator, SimulatorOptions } from 'tplink-cloud-sim';
import { calls, loginCalls, removeDir, simulator, tapoClient, tempStateDir, TokenStore } from './helpers.js';

let sim: Simulator;
let stateDir: string;
let store: TokenStore;
const open: TapoClient[] = [];
const dirs: string[] = [];

async function setup(options: SimulatorOptions = {}): Promise<void> {
  sim = await simulator(options);
}

function client(onStore = store, options: Parameters<typeof tapoClient>[2] = {}): TapoClient {
  const created = tapoClient(sim, onStore, options);
  open.push(created);
  return created;
}

function trail(): string[] {
  return sim.requests.map((request) => `${request.host} ${request.api} ${request.status}${request.errorCode ? ` ${request.errorCode}` : ''}`);
}

beforeEach(() => {
  stateDir = tempStateDir();
  store = new TokenStore(stateDir);
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await sim.close();
  removeDir(stateDir);
  dirs.splice(0).forEach(removeDir);
});

describe('Tapo login protocols', () => {
  it('V2 unavailable (-20103): falls back to the V1 login, /v1/things and tapo.appServerUrl, and remembers V1', async () => {
    await setup({ tapoV1Only: true });
    const things = await client().listThings();
    expect(things.length).toBeGreaterThan(0);
    expect(trail().slice(0, 5)).toEqual([
      'tapo-account v2.getAccountStatusAndUrl 200 -20103',
      'tapo-account login 200',
      'tapo-account getAppServiceUrlByCloudUserName 200 -20103',
      'tapo-app things.v2 404 -1',
      'tapo-app things 200',
    ]);
    expect(store.getTokens('tapo', sim.username)?.v2).toBe(false);

    // A restart whose token expired refreshes on the wap host and logs in with V1 straight away
    // (discovery and /v2/things are asked again once per process).
    sim.expireTokens();
    sim.expireRefreshTokens();
    sim.clearRequests();
    await client(new TokenStore(stateDir)).listThings();
    expect(trail()).toEqual([
      'tapo-account getAppServiceUrlByCloudUserName 200 -20103',
      'tapo-app things.v2 401 -20651',
      'wap refreshToken 200 -20655',
      'tapo-account login 200',
      'tapo-app things.v2 404 -1',
      'tapo-app things 200',
    ]);
  });

  it('V1 refused as too old (-23003) after it worked: switches to V2 and keeps V2', async () => {
    await setup({ tapoV1Only: true });
    await client().listThings();
    expect(store.getTokens('tapo', sim.username)?.v2).toBe(false);
    sim.setFaults({ tapoV1Only: false, tapoV2Only: true });
    sim.expireTokens();
    sim.expireRefreshTokens();
    sim.clearRequests();
    const later = client(new TokenStore(stateDir));
    await later.listThings();
    expect(loginCalls(sim, 'tapo').map((request) => `${request.api} ${request.errorCode ?? 0}`)).toEqual(['login -23003', 'v2.login 0']);
    expect(later.usesV2).toBe(true);
    expect(new TokenStore(stateDir).getTokens('tapo', sim.username)).toMatchObject({ v2: true, appServerUrl: sim.urls.tapo.v2RegionalUrl });
  });

  it('-20655 (refresh token expired): exactly one fresh login, then the call goes through', async () => {
    await setup();
    const tapo = client();
    await tapo.listThings();
    sim.expireTokens();
    sim.expireRefreshTokens();
    sim.clearRequests();
    await expect(tapo.listThings()).resolves.not.toHaveLength(0);
    expect(trail()).toEqual([
      'tapo-app things.v2 401 -20651',
      'tapo-wap v2.refreshToken 200 -20655',
      'tapo-account v2.getAccountStatusAndUrl 200',
      'tapo-wap v2.login 200',
      'tapo-app things.v2 200',
    ]);
  });

  it('a token issued to another terminal: bare 403, one fresh login for this terminal, then it works', async () => {
    await setup();
    const otherDir = tempStateDir();
    dirs.push(otherDir);
    const other = new TokenStore(otherDir);
    await client(other).listThings();
    const foreign = other.getTokens('tapo', sim.username);
    if (!foreign) throw new Error('no tokens');
    store.setTokens('tapo', foreign);
    expect(store.terminalUUID).not.toBe(other.terminalUUID);
    sim.clearRequests();
    const mine = client();
    await expect(mine.listThings()).resolves.not.toHaveLength(0);
    expect(calls(sim, 'things.v2').map((request) => request.status)).toEqual([403, 200]);
    expect(loginCalls(sim, 'tapo')).toHaveLength(1);
    expect(calls(sim, 'v2.login')[0]?.body).toMatchObject({ terminalUUID: store.terminalUUID });
  });

  it('discovery refused: the configured app server; discovery answered: that one, even when the setting is wrong', async () => {
    await setup();
    const tapo = tapoClient(sim, store, {});
    open.push(tapo);
    await tapo.listThings();
    expect(calls(sim, 'getAppServiceUrlByCloudUserName')).toMatchObject([{ host: 'tapo-wap', status: 200 }]);
    expect(calls(sim, 'things.v2').every((request) => request.host === 'tapo-app')).toBe(true);
  });
});

describe('Tapo two-factor', () => {
  it('a background login reports mfa_required and sends no code', async () => {
    await setup({ mfaRequired: true });
    const tapo = client();
    await expect(tapo.listThings()).rejects.toMatchObject({ kind: 'mfa_required', code: -20677 });
    expect(tapo.status).toBe('mfa_required');
    expect(sim.lastMfaCode()).toBeUndefined();
  });

  it('V1 answers -20677 inside result (error_code 0): switches to V2, which runs the e-mail code flow; later logins need no code', async () => {
    await setup({ mfaRequired: true, tapoV1Only: false });
    // Start from a V1 session so V1 is asked first.
    store.setTokens('tapo', { username: sim.username, token: 'stale', v2: false });
    const tapo = client();
    const asked: string[] = [];
    await tapo.login({ askCode: () => { asked.push('code'); return Promise.resolve(sim.lastMfaCode() ?? ''); } });
    expect(asked).toHaveLength(1);
    expect(loginCalls(sim, 'tapo').map((request) => `${request.api} ${request.errorCode ?? 0}`)).toEqual([
      'login -20677',
      'v2.login -20677',
      'v2.checkMFACodeAndLogin 0',
    ]);
    const v1 = calls(sim, 'login', 'tapo')[0];
    expect(v1?.status).toBe(200);
    expect(calls(sim, 'v2.getEmailVC4TerminalMFA')).toHaveLength(1);
    expect(calls(sim, 'v2.checkMFACodeAndLogin')[0]?.body).toMatchObject({
      appType: 'TP-Link_Tapo_Android',
      MFAProcessId: expect.any(String),
      MFAType: 2,
      terminalBindEnabled: true,
    });
    await tapo.listThings();

    // Same installation, tokens gone: the terminal is trusted now, no code.
    new TokenStore(stateDir).clearTokens('tapo');
    sim.clearRequests();
    await client(new TokenStore(stateDir)).listThings();
    expect(loginCalls(sim, 'tapo').map((request) => `${request.api} ${request.errorCode ?? 0}`)).toEqual(['v2.login 0']);
  });

  it('login() without a way to ask sends the code; login({mfaCode}) completes with the saved process', async () => {
    await setup({ mfaRequired: true });
    await expect(client().login()).rejects.toMatchObject({ kind: 'mfa_required', message: expect.stringMatching(/--code/) });
    const code = sim.lastMfaCode();
    expect(code).toBeDefined();
    sim.clearRequests();
    await client(new TokenStore(stateDir)).login({ mfaCode: code ?? '' });
    expect(trail()).toEqual(['tapo-wap v2.checkMFACodeAndLogin 200']);
    expect(new TokenStore(stateDir).getTokens('tapo', sim.username)?.v2).toBe(true);
  });
});
