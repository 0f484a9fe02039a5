import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient, type HttpRequest, type HttpResponse } from '../../src/clouds/common/http.js';
import { KasaClient, moduleResult } from '../../src/clouds/kasa/client.js';
import type { KasaDeviceListEntry } from '../../src/clouds/kasa/schemas.js';
import { silentLogger } from '../../src/logger.js';
import type { Simulator } from 'tplink-cloud-sim';
import { calls, DEFAULT_CLOUD, FAST_RETRY, kasaClient, loginCalls, removeDir, simulator, tempStateDir, TokenStore } from './helpers.js';

let sim: Simulator;
let stateDir: string;
let store: TokenStore;
const open: KasaClient[] = [];

function client(options: Parameters<typeof kasaClient>[2] = {}, onStore = store): KasaClient {
  const created = kasaClient(sim, onStore, options);
  open.push(created);
  return created;
}

beforeEach(async () => {
  sim = await simulator();
  stateDir = tempStateDir();
  store = new TokenStore(stateDir);
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await sim.close();
  removeDir(stateDir);
});

const SYSINFO_AND_METER = { system: { get_sysinfo: null }, emeter: { get_realtime: null } };

function onlinePlug(list: KasaDeviceListEntry[], model: string): KasaDeviceListEntry {
  const entry = list.find((device) => device.deviceModel.startsWith(model) && device.status === 1);
  if (!entry) throw new Error(`no ${model} in the simulator`);
  return entry;
}

describe('Kasa V1', () => {
  it('logs in, lists devices and passes through on each device’s regional host, token in the body only', async () => {
    const kasa = client();
    const list = await kasa.getDeviceList();
    expect(list.length).toBeGreaterThan(5);
    expect(kasa.status).toBe('ok');
    const regions = new Set(list.map((device) => device.appServerUrl));
    expect(regions.size).toBeGreaterThan(1);

    for (const device of list.filter((entry) => entry.status === 1 && entry.deviceType.startsWith('IOT.'))) {
      const response = await kasa.passthrough(device, { system: { get_sysinfo: null } });
      const sysinfo = moduleResult(response, 'system', 'get_sysinfo');
      expect(sysinfo.ok).toBe(true);
    }
    const passthroughs = calls(sim, 'passthrough');
    expect(passthroughs.every((request) => request.status === 200 && request.errorCode === undefined)).toBe(true);
    // Each went to the host its device list entry named.
    const hostOf = Object.fromEntries(Object.entries(sim.urls.kasa.regions).map(([name, url]) => [url, name]));
    for (const request of passthroughs) {
      const device = list.find((entry) => entry.deviceId === request.deviceId);
      expect(request.host).toBe(hostOf[device?.appServerUrl ?? '']);
      const params = (request.body as { params: Record<string, unknown> }).params;
      expect(typeof params.token).toBe('string');
      expect(typeof params.requestData).toBe('object');
    }
    expect(loginCalls(sim)).toHaveLength(1);
    expect(calls(sim, 'login')[0]?.body).toMatchObject({ params: { terminalUUID: store.terminalUUID, appType: 'Kasa_Android' } });
  });

  it('treats "module not support" as a module result, and strict passthrough throws on it', async () => {
    const kasa = client();
    const plug = onlinePlug(await kasa.getDeviceList(), 'HS100');
    const response = await kasa.passthrough(plug, SYSINFO_AND_METER);
    expect(moduleResult(response, 'system', 'get_sysinfo').ok).toBe(true);
    expect(moduleResult(response, 'emeter', 'get_realtime')).toMatchObject({ ok: false });
    await expect(kasa.passthroughStrict(plug, SYSINFO_AND_METER)).rejects.toMatchObject({ kind: 'protocol' });
    await expect(kasa.passthrough(plug, SYSINFO_AND_METER, { strict: true })).rejects.toMatchObject({ kind: 'protocol' });
    await expect(kasa.passthrough(plug, { system: { set_relay_state: { state: 1 } } }, { strict: true })).resolves.toBeDefined();
    const meter = onlinePlug(await kasa.getDeviceList(), 'HS110');
    const both = await kasa.passthroughStrict(meter, SYSINFO_AND_METER);
    expect(moduleResult(both, 'emeter', 'get_realtime').ok).toBe(true);
  });

  it('accepts responseData as a JSON string', async () => {
    // The simulator answers in kind; make it see a string by sending one through a wrapping HTTP layer.
    class StringRequests extends HttpClient {
      override async request(req: HttpRequest): Promise<HttpResponse> {
        const body = req.json as { method?: string; params?: { requestData?: unknown } } | undefined;
        if (body?.method === 'passthrough' && body.params) {
          req = { ...req, json: { ...body, params: { ...body.params, requestData: JSON.stringify(body.params.requestData) } } };
        }
        return super.request(req);
      }
    }
    const kasa = new KasaClient({
      config: { enabled: true, username: sim.username, password: sim.password, url: sim.urls.kasa.url, v2Url: sim.urls.kasa.v2Url, appVersion: '3.4.451', caFile: '' },
      cloud: DEFAULT_CLOUD,
      store,
      logger: silentLogger(),
      retry: FAST_RETRY,
      fetcher: new StringRequests({ cloud: 'kasa', timeoutMs: 2000, logger: silentLogger() }),
    });
    open.push(kasa);
    const plug = onlinePlug(await kasa.getDeviceList(), 'HS100');
    const response = await kasa.passthrough(plug, { system: { get_sysinfo: null } });
    expect(moduleResult(response, 'system', 'get_sysinfo')).toMatchObject({ ok: true, value: { alias: plug.alias } });
    expect(calls(sim, 'passthrough')[0]?.body).toMatchObject({ params: { requestData: { system: { get_sysinfo: null } } } });
  });

  it('maps an offline device to device_offline and an unknown id to device_not_bound, without logging in again', async () => {
    const kasa = client();
    const plug = onlinePlug(await kasa.getDeviceList(), 'HS100');
    sim.setOnline(plug.deviceId, false);
    await expect(kasa.passthrough(plug, { system: { get_sysinfo: null } })).rejects.toMatchObject({ kind: 'device_offline', code: -20571 });
    await expect(kasa.passthrough({ ...plug, deviceId: 'F'.repeat(40) }, { system: { get_sysinfo: null } })).rejects.toMatchObject({
      kind: 'device_not_bound',
      code: -20501,
    });
    expect(loginCalls(sim)).toHaveLength(1);
    expect(calls(sim, 'passthrough')).toHaveLength(2);
  });
});

describe('Kasa V2', () => {
  it('switches to signed V2 calls when V1 login answers -23003', async () => {
    sim.setFaults({ v2Only: true });
    const kasa = client();
    const list = await kasa.getDeviceList();
    const plug = onlinePlug(list, 'HS100');
    await kasa.passthrough(plug, { system: { get_sysinfo: null } });
    expect(kasa.usesV2).toBe(true);
    expect(sim.requests.map((request) => `${request.api}:${request.errorCode ?? 'ok'}`)).toEqual([
      'login:-23003',
      'v2.getAccountStatusAndUrl:ok',
      'v2.login:ok',
      'getDeviceList:ok',
      'passthrough:ok',
    ]);
    // The simulator verifies signatures and refuses bad ones (401, -10008): all V2 calls were accepted.
    expect(sim.requests.slice(1).every((request) => request.status === 200)).toBe(true);
    expect(store.getTokens('kasa', sim.username)).toMatchObject({ v2: true });
  });

  it('skips V1 after a restart once the account is known to need V2', async () => {
    sim.setFaults({ v2Only: true });
    await client().getDeviceList();
    sim.expireTokens();
    sim.clearRequests();
    store = new TokenStore(stateDir);
    await client().getDeviceList();
    expect(calls(sim, 'login')).toHaveLength(0);
    expect(calls(sim, 'v2.refreshToken')).toHaveLength(1);
  });

  it('MFA: a background login reports mfa_required without sending a code', async () => {
    sim.setFaults({ mfaRequired: true });
    const kasa = client();
    await expect(kasa.getDeviceList()).rejects.toMatchObject({ kind: 'mfa_required' });
    expect(kasa.status).toBe('mfa_required');
    expect(sim.lastMfaCode()).toBeUndefined();
    // And it does not try again during the cool-down.
    const before = sim.requests.length;
    await expect(kasa.getDeviceList()).rejects.toMatchObject({ kind: 'mfa_required' });
    expect(sim.requests.length).toBe(before);
  });

  it('MFA: login() sends a code and raises mfa_required; login({mfaCode}) completes and stores tokens', async () => {
    sim.setFaults({ mfaRequired: true });
    const kasa = client();
    await expect(kasa.login()).rejects.toMatchObject({ kind: 'mfa_required' });
    const code = sim.lastMfaCode();
    expect(code).toMatch(/^\d{6}$/);
    expect(calls(sim, 'v2.getEmailVC4TerminalMFA')).toHaveLength(1);

    // A second process (the CLI run again with --code) finishes the flow.
    const later = client({}, new TokenStore(stateDir));
    await later.login({ mfaCode: code });
    expect(later.status).toBe('ok');
    expect(calls(sim, 'v2.checkMFACodeAndLogin')).toMatchObject([{ status: 200 }]);
    expect(new TokenStore(stateDir).getTokens('kasa', sim.username)).toMatchObject({ v2: true });

    // `run` then works with the stored tokens: no login at all.
    sim.clearRequests();
    const run = client({}, new TokenStore(stateDir));
    expect((await run.getDeviceList()).length).toBeGreaterThan(0);
    expect(loginCalls(sim)).toHaveLength(0);
  });

  it('MFA: login({askCode}) asks once and logs in', async () => {
    sim.setFaults({ mfaRequired: true });
    const kasa = client();
    let asked = 0;
    await kasa.login({
      askCode: () => {
        asked++;
        return Promise.resolve(sim.lastMfaCode() ?? '');
      },
    });
    expect(asked).toBe(1);
    expect(kasa.status).toBe('ok');
    expect(await kasa.getDeviceList()).not.toHaveLength(0);
  });
});

describe('Kasa tokens', () => {
  it('a restart reuses saved tokens: zero login calls', async () => {
    await client().getDeviceList();
    expect(loginCalls(sim)).toHaveLength(1);
    sim.clearRequests();
    const restarted = client({}, new TokenStore(stateDir));
    await restarted.getDeviceList();
    expect(loginCalls(sim)).toHaveLength(0);
    expect(calls(sim, 'getDeviceList')).toHaveLength(1);
  });

  it('a changed username does not reuse the tokens', async () => {
    await client().getDeviceList();
    sim.clearRequests();
    const other = client({ username: 'someone-else@example.com' }, new TokenStore(stateDir));
    await expect(other.getDeviceList()).rejects.toMatchObject({ kind: 'auth_failed' });
    expect(calls(sim, 'getDeviceList')).toHaveLength(0);
    expect(loginCalls(sim)).toHaveLength(1);
  });

  it('expiry: exactly one refresh, no login, and the caller never sees it', async () => {
    const kasa = client();
    await kasa.getDeviceList();
    sim.expireTokens();
    sim.clearRequests();
    await expect(kasa.getDeviceList()).resolves.not.toHaveLength(0);
    expect(calls(sim, 'refreshToken')).toHaveLength(1);
    expect(loginCalls(sim)).toHaveLength(0);
    expect(sim.requests.map((request) => request.api)).toEqual(['getDeviceList', 'refreshToken', 'getDeviceList']);
  });

  it('expiry with a refused refresh: exactly one login', async () => {
    await client().getDeviceList();
    const saved = JSON.parse(readFileSync(store.file, 'utf8')) as { tokens: { kasa: { refreshToken: string } } };
    saved.tokens.kasa.refreshToken = 'not-a-valid-refresh-token';
    writeFileSync(store.file, JSON.stringify(saved));
    sim.expireTokens();
    sim.clearRequests();
    const kasa = client({}, new TokenStore(stateDir));
    await kasa.getDeviceList();
    expect(calls(sim, 'refreshToken')).toMatchObject([{ errorCode: -20656 }]);
    expect(loginCalls(sim)).toHaveLength(1);
  });

  it('10 concurrent calls during expiry share one refresh', async () => {
    const kasa = client();
    const plug = onlinePlug(await kasa.getDeviceList(), 'HS100');
    sim.expireTokens();
    sim.clearRequests();
    const results = await Promise.all(Array.from({ length: 10 }, () => kasa.passthrough(plug, { system: { get_sysinfo: null } })));
    expect(results).toHaveLength(10);
    expect(calls(sim, 'refreshToken')).toHaveLength(1);
    expect(loginCalls(sim)).toHaveLength(0);
  });

  it('10 concurrent calls during expiry with a refused refresh share one login', async () => {
    const kasa = client();
    const plug = onlinePlug(await kasa.getDeviceList(), 'HS100');
    const tokens = store.getTokens('kasa', sim.username);
    if (!tokens) throw new Error('no tokens');
    store.setTokens('kasa', { ...tokens, refreshToken: 'bogus-refresh-token' });
    const fresh = client({}, new TokenStore(stateDir));
    sim.expireTokens();
    sim.clearRequests();
    await Promise.all(Array.from({ length: 10 }, () => fresh.passthrough(plug, { system: { get_sysinfo: null } })));
    expect(calls(sim, 'refreshToken')).toHaveLength(1);
    expect(loginCalls(sim)).toHaveLength(1);
  });
});

describe('Kasa auth failures', () => {
  it('wrong password: auth_failed once, then no network calls during the cool-down, even after a restart', async () => {
    sim.setFaults({ wrongPassword: true });
    const kasa = client();
    const statuses: string[] = [];
    kasa.on('status', (status, error) => statuses.push(error ? `${status}:${error.kind}` : status));
    await expect(kasa.getDeviceList()).rejects.toMatchObject({ kind: 'auth_failed', code: -20601 });
    expect(statuses).toEqual(['logging_in', 'auth_failed:auth_failed']);
    expect(loginCalls(sim)).toHaveLength(1);
    const count = sim.requests.length;

    const error = await kasa.getDeviceList().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth_failed' });
    expect((error as { retryAfterS: number }).retryAfterS).toBeGreaterThan(500);
    const restarted = client({}, new TokenStore(stateDir));
    await expect(restarted.getDeviceList()).rejects.toMatchObject({ kind: 'auth_failed' });
    expect(restarted.status).toBe('auth_failed');
    expect(sim.requests.length).toBe(count);
    expect(loginCalls(sim)).toHaveLength(1);
  });

  it('a changed password in the configuration is tried at once', async () => {
    const wrong = client({ password: 'wrong-password' });
    await expect(wrong.getDeviceList()).rejects.toMatchObject({ kind: 'auth_failed' });
    const fixed = client({}, new TokenStore(stateDir));
    await expect(fixed.getDeviceList()).resolves.not.toHaveLength(0);
    expect(loginCalls(sim)).toHaveLength(2);
    expect(new TokenStore(stateDir).getCooldown('kasa')).toBeUndefined();
  });

  it('the cool-down ends after authCooldownS', async () => {
    const wrong = client({ password: 'wrong-password', cloud: { authCooldownS: 0.2 } });
    await expect(wrong.getDeviceList()).rejects.toMatchObject({ kind: 'auth_failed' });
    await expect(wrong.getDeviceList()).rejects.toMatchObject({ kind: 'auth_failed' });
    expect(loginCalls(sim)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await expect(wrong.getDeviceList()).rejects.toMatchObject({ kind: 'auth_failed' });
    expect(loginCalls(sim)).toHaveLength(2);
  });

  it('locked account: account_locked, and no further login', async () => {
    sim.setFaults({ wrongPassword: true, lockAfterFailures: 1 });
    const kasa = client();
    await expect(kasa.getDeviceList()).rejects.toMatchObject({ kind: 'account_locked', code: -20661 });
    expect(kasa.status).toBe('account_locked');
    await expect(kasa.getDeviceList()).rejects.toMatchObject({ kind: 'account_locked' });
    expect(loginCalls(sim)).toHaveLength(1);
  });
});

describe('Kasa transient faults', () => {
  it('retries transient faults with backoff, then succeeds', async () => {
    const kasa = client();
    await kasa.getDeviceList();
    // Not 'malformed': a 200 without JSON is a protocol error, deliberately not retried.
    sim.setFaults({ errorRate: 1, errorKinds: ['http500', 'busy', 'reset'] });
    const mine = sim;
    setTimeout(() => mine.setFaults({ errorRate: 0 }), 150);
    sim.clearRequests();
    await expect(kasa.getDeviceList()).resolves.not.toHaveLength(0);
    const lists = calls(sim, 'getDeviceList');
    expect(lists.length).toBeGreaterThan(1);
    expect(lists.at(-1)?.status).toBe(200);
  });

  it('gives up with a transient error when the deadline passes', async () => {
    const kasa = client({ cloud: { retryDeadlineS: 0.3 } });
    await kasa.getDeviceList();
    sim.setFaults({ errorRate: 1, errorKinds: ['http500'] });
    const started = Date.now();
    await expect(kasa.getDeviceList()).rejects.toMatchObject({ kind: 'transient', code: 500 });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('fires the per-request timeout; the message carries no token', async () => {
    sim.setFaults({ v2Only: true });
    // 1 s, not less: with no retries, a loaded machine must still get the list in time.
    const kasa = client({ cloud: { requestTimeoutS: 1, retryDeadlineS: 0 } });
    const plug = onlinePlug(await kasa.getDeviceList(), 'HS100');
    sim.setFaults({ errorRate: 1, errorKinds: ['timeout'] });
    sim.clearRequests();
    const started = Date.now();
    const error = await kasa.passthrough(plug, { system: { get_sysinfo: null } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'transient' });
    expect((error as Error).message).toMatch(/timed out after 1000 ms/);
    const token = store.getTokens('kasa', sim.username)?.token ?? 'missing';
    expect((error as Error).message).not.toContain(token);
    expect((error as Error).message).not.toContain('?');
    // The simulator never answers: only our own timer ends the request, and not before its time.
    expect(calls(sim, 'passthrough')).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('backs off on rate-limit answers (-20004) until served', async () => {
    const kasa = client({ cloud: { retryDeadlineS: 5 }, retry: { baseMs: 50, maxMs: 400 } });
    const plug = onlinePlug(await kasa.getDeviceList(), 'HS100');
    sim.setFaults({ rateLimitPerSecond: 3 });
    sim.clearRequests();
    // Four in a row against three a second: at least the last is refused and waits for the window.
    for (let i = 0; i < 4; i++) await kasa.passthrough(plug, { system: { get_sysinfo: null } });
    const limited = calls(sim, 'passthrough').filter((request) => request.errorCode === -20004);
    expect(limited.length).toBeGreaterThan(0);
    expect(loginCalls(sim)).toHaveLength(0);
  });
});
