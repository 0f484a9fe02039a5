import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TapoClient, TapoThing } from '../../src/clouds/tapo/client.js';
import type { Simulator } from 'tplink-cloud-sim';
import { HttpClient, type HttpRequest, type HttpResponse } from '../../src/clouds/common/http.js';
import { MAX_PAGES } from '../../src/clouds/tapo/client.js';
import { silentLogger } from '../../src/logger.js';
import { calls, loginCalls, removeDir, simulator, tapoClient, tempStateDir, TokenStore } from './helpers.js';

let sim: Simulator;
let stateDir: string;
let store: TokenStore;
const open: TapoClient[] = [];

function client(options: Parameters<typeof tapoClient>[2] = {}, onStore = store): TapoClient {
  const created = tapoClient(sim, onStore, options);
  open.push(created);
  return created;
}

beforeEach(async () => {
  sim = await simulator({ devices: 23 });
  stateDir = tempStateDir();
  store = new TokenStore(stateDir);
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await sim.close();
  removeDir(stateDir);
});

function plugWithMeter(things: TapoThing[]): TapoThing {
  const thing = things.find((entry) => entry.model === 'P110' && !entry.isSubThing && entry.status === 1);
  if (!thing) throw new Error('no P110 in the simulator');
  return thing;
}

describe('Tapo things', () => {
  it('logs in with the signed V2 login, discovers the app server and walks every page of /v2/things', async () => {
    const tapo = client({ pageSize: 5 });
    const things = await tapo.listThings();
    const expected = sim.devices().filter((device) => device.cloud === 'tapo').length;
    expect(things).toHaveLength(expected);
    expect(new Set(things.map((thing) => thing.thingName)).size).toBe(expected);
    const pages = calls(sim, 'things.v2');
    expect(pages).toHaveLength(Math.ceil(expected / 5));
    expect(pages.every((page) => page.host === 'tapo-app')).toBe(true);
    expect(loginCalls(sim, 'tapo')).toHaveLength(1);
    expect(sim.requests.slice(0, 3).map((request) => `${request.host} ${request.api}`)).toEqual([
      'tapo-account v2.getAccountStatusAndUrl',
      'tapo-wap v2.login',
      'tapo-wap getAppServiceUrlByCloudUserName',
    ]);
    expect(calls(sim, 'v2.login', 'tapo')[0]?.body).toMatchObject({
      appType: 'TP-Link_Tapo_Android',
      terminalUUID: store.terminalUUID,
      refreshTokenNeeded: true,
    });
    expect(tapo.usesV2).toBe(true);
    expect(store.getTokens('tapo', sim.username)).toMatchObject({ v2: true, appServerUrl: sim.urls.tapo.v2RegionalUrl });
    // Each thing's own app server, as listed, is used from then on.
    expect(things.every((thing) => thing.appServerUrl === sim.urls.tapo.thingsUrl)).toBe(true);
  });

  it('reads shadows in batches of shadowBatchSize and reports failThingList', async () => {
    const tapo = client({ shadowBatchSize: 4 });
    const things = await tapo.listThings();
    const asked = [...things, { thingName: 'NO-SUCH-THING' }];
    const { shadows, failed } = await tapo.getShadows(asked);
    expect(shadows).toHaveLength(things.length);
    expect(failed).toEqual([expect.objectContaining({ thingName: 'NO-SUCH-THING', code: -20501 })]);
    const batches = calls(sim, 'shadows.get');
    // Listed things on their own app server; the unlisted name on the discovered one.
    expect(batches).toHaveLength(Math.ceil(things.length / 4) + 1);
    expect(batches.filter((request) => request.host === 'tapo-things')).toHaveLength(Math.ceil(things.length / 4));
    expect(batches.every((request) => (request.thingNames?.length ?? 0) <= 4)).toBe(true);
    // Batches go out side by side (the rate limit spaces them): every thing asked once, in any order.
    expect(batches.flatMap((request) => request.thingNames ?? []).sort()).toEqual(asked.map((thing) => thing.thingName).sort());
    expect(shadows.every((shadow) => typeof shadow.version === 'number' && shadow.state.reported !== undefined)).toBe(true);
  });

  it('patches with version+1, reading the version first when unknown', async () => {
    const tapo = client();
    const plug = plugWithMeter(await tapo.listThings());
    sim.clearRequests();
    const { version } = await tapo.patchShadow(plug, { on: true });
    expect(sim.requests.map((request) => request.api)).toEqual(['shadows.get', 'shadows.patch']);
    const patch = calls(sim, 'shadows.patch')[0];
    expect(patch?.body).toEqual({ version, state: { desired: { on: true } } });
    expect(sim.deviceState(plug.thingName)).toMatchObject({ version });

    sim.clearRequests();
    const next = await tapo.patchShadow(plug, { on: false }, version);
    expect(next.version).toBe(version + 1);
    expect(sim.requests.map((request) => request.api)).toEqual(['shadows.patch']);
  });

  it('on a version conflict (11000) retries exactly once with curVersion+1', async () => {
    const tapo = client();
    const plug = plugWithMeter(await tapo.listThings());
    const { version } = await tapo.patchShadow(plug, { on: true });
    // The app changes the device behind the bridge's back: the known version is stale.
    sim.setDeviceState(plug.thingName, { on: false });
    sim.clearRequests();
    const result = await tapo.patchShadow(plug, { on: true }, version);
    const patches = calls(sim, 'shadows.patch');
    expect(patches).toHaveLength(2);
    expect(patches[0]).toMatchObject({ status: 409, errorCode: 11000 });
    expect(patches[1]).toMatchObject({ status: 200 });
    expect(result.version).toBe(version + 2);
  });

  it('reads energy usage', async () => {
    const tapo = client();
    const plug = plugWithMeter(await tapo.listThings());
    const usage = await tapo.getUsage(plug);
    expect(usage.energy_usage).toMatchObject({ current_power: expect.any(Number), today_energy: expect.any(Number) });
    expect(calls(sim, 'usage')[0]?.deviceId).toBe(plug.thingName);
  });

  it('a missing thing is device_not_bound', async () => {
    const tapo = client();
    await expect(tapo.getUsage({ thingName: 'NO-SUCH-THING' })).rejects.toMatchObject({ kind: 'device_not_bound', code: -20501 });
  });
});

describe('Tapo tokens and failures', () => {
  it('401 on an expired token: one refresh on the refresh host, no login, caller never sees it', async () => {
    const tapo = client();
    await tapo.listThings();
    sim.expireTokens();
    sim.clearRequests();
    await expect(tapo.listThings()).resolves.not.toHaveLength(0);
    expect(sim.requests.map((request) => `${request.host} ${request.api} ${request.status}`)).toEqual([
      'tapo-app things.v2 401',
      'tapo-wap v2.refreshToken 200',
      'tapo-app things.v2 200',
    ]);
  });

  it('10 concurrent calls during expiry share one refresh', async () => {
    const tapo = client();
    const plug = plugWithMeter(await tapo.listThings());
    sim.expireTokens();
    sim.clearRequests();
    await Promise.all(Array.from({ length: 10 }, () => tapo.getUsage(plug)));
    expect(calls(sim, 'v2.refreshToken')).toHaveLength(1);
    expect(loginCalls(sim)).toHaveLength(0);
  });

  it('a restart reuses the saved token: zero login calls', async () => {
    await client().listThings();
    sim.clearRequests();
    await client({}, new TokenStore(stateDir)).listThings();
    expect(loginCalls(sim)).toHaveLength(0);
  });

  it('wrong password (result.errorCode inside error_code 0): auth_failed, then silence', async () => {
    const tapo = client({ password: 'wrong-password' });
    await expect(tapo.listThings()).rejects.toMatchObject({ kind: 'auth_failed', code: -20601 });
    await expect(tapo.listThings()).rejects.toMatchObject({ kind: 'auth_failed' });
    // getAccountStatusAndUrl and one V2 login; a wrong password is no reason to try V1 too.
    expect(sim.requests.map((request) => request.api)).toEqual(['v2.getAccountStatusAndUrl', 'v2.login']);
    expect(tapo.status).toBe('auth_failed');
  });

  it('locked account: account_locked with the lock time as retryAfterS at least', async () => {
    sim.setFaults({ wrongPassword: true, lockAfterFailures: 1 });
    const tapo = client({ cloud: { authCooldownS: 5 } });
    const error = await tapo.listThings().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'account_locked' });
    expect((error as { retryAfterS: number }).retryAfterS).toBeGreaterThanOrEqual(30 * 60);
    expect(new TokenStore(stateDir).getCooldown('tapo')?.reason).toBe('account_locked');
  });

  it('retries 503 busy and 429 answers, then succeeds', async () => {
    const tapo = client();
    await tapo.listThings();
    sim.setFaults({ errorRate: 1, errorKinds: ['busy', 'http500'] });
    const mine = sim;
    setTimeout(() => mine.setFaults({ errorRate: 0 }), 120);
    sim.clearRequests();
    await expect(tapo.listThings()).resolves.not.toHaveLength(0);
    expect(calls(sim, 'things.v2').length).toBeGreaterThan(1);
  });

  it('a schema fault on a read is retried within the deadline, then a protocol error; a write is sent once', async () => {
    const tapo = client({ cloud: { retryDeadlineS: 0.3 } });
    const [thing] = await tapo.listThings();
    if (!thing) throw new Error('no thing');
    sim.setFaults({ errorRate: 1, errorKinds: ['schema'] });
    sim.clearRequests();
    await expect(tapo.listThings()).rejects.toMatchObject({ kind: 'protocol' });
    expect(calls(sim, 'things.v2').length).toBeGreaterThan(1);
    sim.clearRequests();
    // A garbled answer to a write may hide one that was applied: never sent again.
    await expect(tapo.patchShadow(thing, { on: true }, 1)).rejects.toMatchObject({ kind: 'protocol' });
    expect(sim.requests).toHaveLength(1);
  });

  it('paging stops after MAX_PAGES however large total claims to be, each page through the given slot', async () => {
    /** A cloud whose thing list says `total: 1e9` and serves full pages for ever (page 0 again and again). */
    class EndlessPages extends HttpClient {
      override async request(req: HttpRequest): Promise<HttpResponse> {
        const things = req.url.endsWith('/v2/things');
        const answer = await super.request(things ? { ...req, query: { ...req.query, page: '0' } } : req);
        return things ? { ...answer, body: { ...(answer.body as object), total: 1e9 } } : answer;
      }
    }
    const tapo = client({ pageSize: 2, fetcher: new EndlessPages({ cloud: 'tapo', timeoutMs: 5000, logger: silentLogger() }) });
    sim.clearRequests();
    let slots = 0;
    const answer = await tapo.listThingsAnswer(async (request) => {
      slots += 1;
      return request();
    });
    expect(calls(sim, 'things.v2')).toHaveLength(MAX_PAGES);
    expect(slots).toBe(MAX_PAGES);
    expect(answer.entries).toHaveLength(2 * MAX_PAGES);
  });

  it('paging stops at the page that covers total (the simulator says total)', async () => {
    const tapo = client({ pageSize: 5 });
    sim.clearRequests();
    const things = await tapo.listThings();
    expect(calls(sim, 'things.v2')).toHaveLength(Math.ceil(things.length / 5));
  });
});
