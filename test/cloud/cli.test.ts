import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devicesCommand, loginCommand, type CommandIo } from '../../src/cli/cloud-commands.js';
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

interface Row {
  id: string;
  name: string;
  model: string;
  cloud: 'kasa' | 'tapo';
  online: boolean;
  outlets: { id: string; name: string }[];
}

describe('devices command', () => {
  it('--json lists every device of both clouds once, Tapo devices as Tapo, with outlets', async () => {
    const io = capture();
    const code = await devicesCommand(['--json'], configFor(sim, stateDir), silentLogger(), io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const rows = JSON.parse(io.out()) as Row[];
    const simulated = sim.devices();
    const parents = simulated.filter((device) => !simulated.some((other) => other.children.includes(device.id)));
    expect(rows.map((row) => row.id).sort()).toEqual(parents.map((device) => device.id).sort());
    for (const device of parents) {
      const row = rows.find((entry) => entry.id === device.id);
      expect(row?.cloud).toBe(device.cloud);
      expect(row?.model.startsWith(device.model.replace(/\(.*\)$/, ''))).toBe(true);
      expect(row?.name).toBe(device.alias);
      expect(row?.outlets.map((outlet) => outlet.id)).toEqual(device.children);
      expect(row?.online).toBe(device.online);
    }
    // One get_sysinfo per online Kasa plug/switch (strips among them), none to Tapo devices.
    const passthroughs = calls(sim, 'passthrough');
    expect(passthroughs.length).toBeGreaterThan(0);
    expect(passthroughs.every((request) => request.errorCode === undefined)).toBe(true);
  });

  it('prints a table with id, name, model, cloud, online and outlets', async () => {
    const io = capture();
    const code = await devicesCommand([], configFor(sim, stateDir), silentLogger(), io);
    expect(code).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+MODEL\s+CLOUD\s+ONLINE\s+OUTLETS$/);
    const strip = sim.devices().find((device) => device.cloud === 'kasa' && device.children.length > 0);
    const stripLine = lines.find((line) => strip && line.startsWith(strip.id));
    expect(stripLine).toMatch(new RegExp(`${strip?.alias}.*kasa\\s+yes\\s+${strip?.children.length}$`));
    const tapoStrip = sim.devices().find((device) => device.cloud === 'tapo' && device.children.length > 0);
    expect(lines.filter((line) => tapoStrip && line.startsWith(tapoStrip.id))).toHaveLength(1);
    for (const outlet of strip?.children ?? []) expect(lines.some((line) => line.trimStart().startsWith(outlet))).toBe(true);
  });

  it('still lists Tapo devices (as Tapo) from the Kasa list when only Kasa is configured', async () => {
    const io = capture();
    const code = await devicesCommand(['--json'], configFor(sim, stateDir, { TPCM_TAPO_ENABLED: 'false' }), silentLogger(), io);
    expect(code).toBe(0);
    const rows = JSON.parse(io.out()) as Row[];
    const simulated = sim.devices();
    const tapoParents = simulated.filter((d) => d.cloud === 'tapo' && !simulated.some((other) => other.children.includes(d.id)));
    expect(tapoParents.length).toBeGreaterThan(0);
    for (const device of tapoParents) {
      expect(rows.filter((entry) => entry.id === device.id)).toMatchObject([{ cloud: 'tapo', name: device.alias, online: false }]);
    }
    expect(rows.filter((row) => row.cloud === 'tapo').every((row) => !/^[A-Za-z0-9+/]+=+$/.test(row.name))).toBe(true);
    expect(calls(sim, 'things')).toHaveLength(0);
  });

  it('reports a failing cloud on stderr, without secrets, and exits 1', async () => {
    const io = capture();
    sim.setFaults({ wrongPassword: true });
    const config = configFor(sim, stateDir);
    const code = await devicesCommand([], config, silentLogger(), io);
    expect(code).toBe(1);
    expect(io.err()).toMatch(/kasa: .*-20601/);
    expect(io.err()).toMatch(/tapo: .*-20601/);
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
    const io = capture(async (question) => {
      questions.push(question);
      return `${sim.lastMfaCode() ?? ''}\n`;
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
    const io = capture(async (question) => {
      questions.push(question);
      return `${sim.lastMfaCode() ?? ''}\n`;
    });
    const config = configFor(sim, stateDir, { TPCM_KASA_ENABLED: 'false' });
    expect(await loginCommand([], config, silentLogger(), io)).toBe(0);
    expect(questions).toEqual(['tapo: verification code (sent by e-mail): ']);
    expect(io.out()).toMatch(/^tapo: logged in as .*\(V2 API\)/);
    expect(calls(sim, 'v2.checkMFACodeAndLogin', 'tapo')).toMatchObject([{ status: 200 }]);

    new TokenStore(stateDir).clearTokens('tapo');
    sim.clearRequests();
    const again = capture(async () => {
      throw new Error('must not ask');
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
