import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devicesCommand, loginCommand, type CommandIo } from '../../src/cli/cloud-commands.js';
import type { DeviceRow } from '../../src/cli/devices.js';
import { TokenStore } from '../../src/clouds/common/token-store.js';
import { silentLogger } from '../../src/logger.js';
import type { Simulator } from 'tplink-cloud-sim';
import { calls, configFor, loginCalls, removeDir, simulator, tempStateDir } from './helpers.js';

let sim: Simulator;
let stateDir: string;

beforeEach(async () => {
  sim = await simulator();
  stateDir = tempStateDir();
});

afterEach(async () => {
  await sim.close();
  removeDir(stateDir);
});

function capture(ask?: CommandIo['ask']): CommandIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    ask,
    out: () => out,
    err: () => err,
  };
}

describe('devices command', () => {
  it('--json lists the nodes the bridge publishes: its ids (the ones `devices` overrides take), topics and outlets', async () => {
    const io = capture();
    const base = configFor(sim, stateDir);
    const plug = sim.devices().find((device) => device.cloud === 'kasa' && device.children.length === 0 && device.online);
    if (!plug) throw new Error('no kasa plug');
    const config = { ...base, devices: { [`kasa_${plug.id}`]: { name: 'Renamed Plug' } } };
    const code = await devicesCommand(['--json'], config, silentLogger(), io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const rows = JSON.parse(io.out()) as DeviceRow[];
    const simulated = sim.devices();
    for (const device of simulated.filter((d) => d.online)) {
      const row = rows.find((entry) => entry.id === `${device.cloud}_${device.id}`);
      expect(row, device.id).toBeDefined();
      expect(row?.cloud).toBe(device.cloud);
      expect(row?.topic).toMatch(/^[a-z0-9_-]+$/);
    }
    expect(new Set(rows.map((row) => row.topic)).size).toBe(rows.length);
    // The config's override names the node's topic the way the bridge would; its name stays the app's.
    expect(rows.find((row) => row.id === `kasa_${plug.id}`)).toMatchObject({ name: plug.alias, topic: 'renamed_plug' });
    const strip = simulated.find((device) => device.cloud === 'kasa' && device.children.length > 0 && device.online);
    const outlets = rows.filter((row) => row.parent === `kasa_${strip?.id}`);
    expect(outlets.map((row) => row.id).sort()).toEqual((strip?.children ?? []).map((id) => `kasa_${id}`).sort());
  });

  it('prints a table with id, topic, name, model, kind, cloud and online; outlets under their device', async () => {
    const io = capture();
    const code = await devicesCommand([], configFor(sim, stateDir), silentLogger(), io);
    expect(code).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TOPIC\s+NAME\s+MODEL\s+KIND\s+CLOUD\s+ONLINE$/);
    const strip = sim.devices().find((device) => device.cloud === 'kasa' && device.children.length > 0 && device.online);
    const at = lines.findIndex((line) => strip && line.startsWith(`kasa_${strip.id} `));
    expect(at).toBeGreaterThan(0);
    for (const [i, outlet] of (strip?.children ?? []).entries()) expect(lines[at + 1 + i]).toMatch(new RegExp(`^  kasa_${outlet} `));
  });

  it('reports a failing cloud on stderr, without secrets, and exits 1', async () => {
    const io = capture();
    sim.setFaults({ wrongPassword: true });
    const config = configFor(sim, stateDir);
    const code = await devicesCommand([], config, silentLogger(), io);
    expect(code).toBe(1);
    expect(io.err()).toMatch(/kasa: device list failed: .*-20601/);
    expect(io.err()).toMatch(/tapo: device list failed: .*-20601/);
    expect(io.err()).not.toContain(config.kasa.password);
  });
});

describe('login command', () => {
  it('logs in to both clouds, stores tokens and prints one line per cloud without secrets', async () => {
    const io = capture();
    const config = configFor(sim, stateDir);
    expect(await loginCommand([], config, silentLogger(), io)).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^kasa: logged in as /);
    expect(lines[1]).toMatch(/^tapo: logged in as /);
    const store = new TokenStore(stateDir);
    const kasa = store.getTokens('kasa', sim.username);
    const tapo = store.getTokens('tapo', sim.username);
    expect(kasa?.token).toBeTruthy();
    expect(tapo?.token).toBeTruthy();
    for (const secret of [config.kasa.password, kasa?.token, tapo?.token, kasa?.refreshToken]) expect(io.out()).not.toContain(secret);

    // `devices` (like `run`) then needs no login.
    sim.clearRequests();
    expect(await devicesCommand(['--json'], config, silentLogger(), capture())).toBe(0);
    expect(loginCalls(sim)).toHaveLength(0);
  });

  it('asks for the two-factor code on the terminal', async () => {
    sim.setFaults({ mfaRequired: true });
    const questions: string[] = [];
    const io = capture((question) => {
      questions.push(question);
      return Promise.resolve(`${sim.lastMfaCode() ?? ''}\n`);
    });
    const config = configFor(sim, stateDir, { TPCM_TAPO_ENABLED: 'false' });
    expect(await loginCommand([], config, silentLogger(), io)).toBe(0);
    expect(questions).toEqual(['kasa: verification code (sent by e-mail): ']);
    expect(io.out()).toMatch(/^kasa: logged in as .*\(V2 API\)/);
  });

  it('without a terminal, sends the code and explains --code; then --code completes the login', async () => {
    sim.setFaults({ mfaRequired: true });
    const config = configFor(sim, stateDir, { TPCM_TAPO_ENABLED: 'false' });
    const first = capture();
    expect(await loginCommand([], config, silentLogger(), first)).toBe(1);
    expect(first.out()).toMatch(/kasa: login failed: .*--code/);
    const code = sim.lastMfaCode();
    expect(code).toBeDefined();

    const second = capture();
    expect(await loginCommand(['--code', code ?? ''], config, silentLogger(), second)).toBe(0);
    expect(second.out()).toMatch(/^kasa: logged in/);
    expect(new TokenStore(stateDir).getTokens('kasa', sim.username)?.v2).toBe(true);
  });

  it('Tapo two-factor: asks for the code, logs in with V2, and a later login needs no code', async () => {
    sim.setFaults({ mfaRequired: true });
    const questions: string[] = [];
    const io = capture((question) => {
      questions.push(question);
      return Promise.resolve(`${sim.lastMfaCode() ?? ''}\n`);
    });
    const config = configFor(sim, stateDir, { TPCM_KASA_ENABLED: 'false' });
    expect(await loginCommand([], config, silentLogger(), io)).toBe(0);
    expect(questions).toEqual(['tapo: verification code (sent by e-mail): ']);
    expect(io.out()).toMatch(/^tapo: logged in as .*\(V2 API\)/);
    expect(calls(sim, 'v2.checkMFACodeAndLogin', 'tapo')).toMatchObject([{ status: 200 }]);

    new TokenStore(stateDir).clearTokens('tapo');
    sim.clearRequests();
    const again = capture(() => {
      return Promise.reject(new Error('must not ask'));
    });
    expect(await loginCommand([], config, silentLogger(), again)).toBe(0);
    expect(calls(sim, 'v2.checkMFACodeAndLogin')).toHaveLength(0);
  });

  it('Tapo two-factor without a terminal: the code is sent, --code completes it', async () => {
    sim.setFaults({ mfaRequired: true });
    const config = configFor(sim, stateDir, { TPCM_KASA_ENABLED: 'false' });
    const first = capture();
    expect(await loginCommand([], config, silentLogger(), first)).toBe(1);
    expect(first.out()).toMatch(/tapo: login failed: .*--code/);
    const second = capture();
    expect(await loginCommand(['--code', sim.lastMfaCode() ?? ''], config, silentLogger(), second)).toBe(0);
    expect(new TokenStore(stateDir).getTokens('tapo', sim.username)?.v2).toBe(true);
  });

  it('exits 2 when no cloud is configured', async () => {
    const io = capture();
    const config = configFor(sim, stateDir, { KASA_USERNAME: '', TAPO_USERNAME: '' });
    expect(await loginCommand([], config, silentLogger(), io)).toBe(2);
    expect(await devicesCommand([], config, silentLogger(), io)).toBe(2);
  });
});
