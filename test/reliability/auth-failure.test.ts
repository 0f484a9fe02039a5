/**
 * Wrong password, locked account, MFA required — mid-run, on the Kasa cloud
 * only. Kasa and Tapo talk to two separate simulators here, so a refusal on
 * one account cannot leak into the other cloud.
 *
 * The bridge reaches a login mid-run the way a real one does when the cloud
 * gave no refresh token: the saved Kasa session holds an access token only,
 * so the first expiry means a login (the simulator never refuses a valid
 * refresh token, so this is the one road to a mid-run login).
 *
 * Each case has its simulators and bridge, so the cases run side by side.
 */

import { describe, expect, it } from 'vitest';
import { KasaClient } from '../../src/clouds/kasa/client.js';
import { TokenStore } from '../../src/clouds/common/token-store.js';
import { silentLogger } from '../../src/logger.js';
import { startSimulator, type FaultOptions, type Simulator } from 'tplink-cloud-sim';
import { startHarness, testConfig, type Harness } from '../bridge/harness.js';
import { availability, events, loginAttempts, logins, relayNodes, simDesiredOn, sleep, until } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

const COOLDOWN_S = 0.6;


/** A state dir holding a valid Kasa access token without its refresh token. */
async function stateWithoutRefreshToken(kasaSim: Simulator): Promise<string> {
  const stateDir = tempDir('tpcm-auth-');
  const store = new TokenStore(stateDir);
  const config = testConfig(kasaSim, {}, stateDir);
  const client = new KasaClient({ config: config.kasa, cloud: config.cloud, store, logger: silentLogger() });
  await client.login();
  await client.close();
  const tokens = store.getTokens('kasa', config.kasa.username);
  if (!tokens) throw new Error('no kasa tokens');
  store.setTokens('kasa', { username: tokens.username, token: tokens.token, ...(tokens.v2 ? { v2: tokens.v2 } : {}) });
  kasaSim.clearRequests();
  return stateDir;
}

interface Clouds {
  harness: Harness;
  kasaSim: Simulator;
  tapo: Simulator;
}

/** Runs `body` with a bridge on two simulators (Kasa, Tapo) of its own. */
async function withBridge(body: (clouds: Clouds) => Promise<void>): Promise<void> {
  const kasaSim = await startSimulator({ shadowApplyDelayMs: 0 });
  const tapo = await startSimulator({ shadowApplyDelayMs: 0 });
  let harness: Harness | undefined;
  try {
    const stateDir = await stateWithoutRefreshToken(kasaSim);
    harness = await startHarness({
      simulator: kasaSim,
      stateDir,
      config: {
        tapo: { accountUrl: tapo.urls.tapo.accountUrl, appServerUrl: tapo.urls.tapo.appServerUrl, refreshUrl: tapo.urls.tapo.refreshUrl },
        cloud: { authCooldownS: COOLDOWN_S, retryDeadlineS: 0.5 },
      },
    });
    await harness.waitForMessage('tplink/bridge/info');
    await body({ harness, kasaSim, tapo });
  } finally {
    await harness?.close();
    await kasaSim.close();
    await tapo.close();
  }
}

interface Case {
  reason: 'auth_failed' | 'account_locked' | 'mfa_required';
  faults: Partial<FaultOptions>;
  /** What the user does to fix it. */
  fix: (sim: Simulator) => void;
}

const cases: Case[] = [
  { reason: 'auth_failed', faults: { wrongPassword: true }, fix: (sim) => sim.setFaults({ wrongPassword: false }) },
  {
    reason: 'account_locked',
    faults: { wrongPassword: true, lockAfterFailures: 1 },
    fix: (sim) => {
      sim.setFaults({ wrongPassword: false, lockAfterFailures: 0 });
      sim.unlockAccount();
    },
  },
  { reason: 'mfa_required', faults: { mfaRequired: true }, fix: (sim) => sim.setFaults({ mfaRequired: false }) },
];

/**
 * "At most once per cool-down", as times rather than counts: on a loaded machine the
 * steps of a test can outlast a 0.6 s cool-down, and a login after it is allowed.
 */
function expectSpacedByCooldown(sim: Simulator): void {
  const times = loginAttempts(sim, 'kasa').map((request) => request.time);
  for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0), `login ${i + 1} after login ${i}`).toBeGreaterThanOrEqual(COOLDOWN_S * 1000);
}

/** Every read path and a command, several times over: none may log in during a cool-down. */
async function hammer(harness: Harness): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await harness.bridge.poller.readStates();
    await harness.bridge.poller.readLists();
    await harness.bridge.poller.readEnergy();
  }
  await harness.publish('tplink/bridge/request/refresh', '{}');
  await harness.waitForMessage('tplink/bridge/response/refresh');
}

describe.concurrent.each(cases)('Kasa login refused mid-run: $reason', ({ reason, faults, fix }) => {
  it('stays up, says why, shows Kasa devices offline, logs in at most once per cool-down, Tapo unaffected', () => withBridge(async ({ harness, kasaSim, tapo }) => {
    const kasaNodes = harness.bridge.store.ofCloud('kasa');
    expect(kasaNodes.length).toBeGreaterThan(10);
    expect(logins(kasaSim, 'kasa')).toHaveLength(0); // the saved token was used

    kasaSim.setFaults(faults);
    kasaSim.expireTokens();
    await harness.bridge.poller.readStates();

    const event = await harness.waitForMessage('tplink/bridge/event', (payload) => payload.includes('cloud_auth_failed'));
    expect(JSON.parse(event.payload)).toEqual({ type: 'cloud_auth_failed', data: { cloud: 'kasa', reason } });
    await harness.waitFor(() => harness.lastJson<{ clouds: { kasa: { status: string } } }>('tplink/bridge/info')?.clouds.kasa.status === reason);
    expect(harness.lastJson<{ clouds: { tapo: { status: string } } }>('tplink/bridge/info')?.clouds.tapo.status).toBe('ok');
    await harness.waitFor(() => kasaNodes.every((node) => availability(harness, node) === 'offline'), 3000, 'kasa nodes offline');
    expect(loginAttempts(kasaSim, 'kasa')).toHaveLength(1);

    // During the cool-down: polls, lists, energy, a refresh request and a command cause no login.
    const from = harness.messages.length;
    const plug = kasaNodes.find((node) => node.name === 'Hall Lamp');
    if (!plug) throw new Error('no Hall Lamp');
    await harness.publish(`tplink/${harness.nameOf(plug.id)}/set`, 'ON');
    const failed = await harness.waitForMessage('tplink/bridge/event', (payload) => payload.includes('command_failed'));
    expect(JSON.parse(failed.payload)).toMatchObject({ data: { id: plug.id, reason: expect.stringContaining(reason) } });
    await hammer(harness);
    expectSpacedByCooldown(kasaSim);

    // Tapo keeps working: states read, commands carried out, devices online.
    const socket = relayNodes(harness, 'tapo')[0];
    if (!socket) throw new Error('no tapo node');
    const target = simDesiredOn(tapo, socket) === true ? 'OFF' : 'ON';
    await harness.publish(`tplink/${harness.nameOf(socket.id)}/set`, target);
    await until(() => simDesiredOn(tapo, socket) === (target === 'ON'), 3000, 'tapo command carried out');
    for (const node of harness.bridge.store.ofCloud('tapo')) expect(availability(harness, node), node.name).toBe('online');
    expect(events(harness, 'command_failed', from)).toHaveLength(1);
    expect(harness.bridge.mqtt.connected).toBe(true);

    await sleep(COOLDOWN_S * 1000 + 100);
    const before = loginAttempts(kasaSim, 'kasa').length;
    await hammer(harness);
    // One cool-down later: another attempt, however many reads asked, never two within a cool-down.
    expect(loginAttempts(kasaSim, 'kasa').length).toBeGreaterThan(before);
    expectSpacedByCooldown(kasaSim);

    // Fixed by the user: after the next cool-down the bridge logs in once and the devices come back.
    fix(kasaSim);
    await sleep(COOLDOWN_S * 1000 + 100);
    const unfixed = loginAttempts(kasaSim, 'kasa').length;
    await harness.bridge.poller.readStates();
    expect(loginAttempts(kasaSim, 'kasa')).toHaveLength(unfixed + 1);
    expectSpacedByCooldown(kasaSim);
    await harness.waitFor(() => kasaNodes.every((node) => availability(harness, node) === 'online'), 3000, 'kasa nodes online again');
    expect(harness.bridge.sources.get('kasa')?.status()).toBe('ok');
  }));
});
