/**
 * What a user sees when `run` cannot start: the real CLI, one line per
 * problem on stderr naming the setting or command that fixes it, a
 * non-zero exit, never a stack trace or a secret.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import { startSimulator, type Simulator } from 'tplink-cloud-sim';
import { cliInProcess, errorLines, runCli, type CliResult } from '../helpers/cli.js';
import { cliEnv, freePort, loginAttempts } from '../reliability/helpers.js';
import { tempDir } from '../helpers/temp.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

let sim: Simulator;
const quiet = { TPCM_LOG_LEVEL: 'silent' };

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

function expectOneLineFailure(result: CliResult, code: number, pattern: RegExp): void {
  const lines = errorLines(result);
  expect(result.code, result.stderr).toBe(code);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tplink-cloud-mqtt: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

// Each case its own broker, port and state folder: at once.
describe.concurrent('run stops with one clear line', () => {
  it('when stateDir cannot be written, naming stateDir', async () => {
    const blocker = join(tempDir('tpcm-statedir-'), 'a-file');
    writeFileSync(blocker, '');
    const stateDir = join(blocker, 'state');
    const result = await runCli(['run', '--state-dir', stateDir], cliEnv(sim, 0, quiet));
    expectOneLineFailure(result, 1, new RegExp(`stateDir ${stateDir} is not writable \\(ENOTDIR\\): .*set stateDir \\(TPCM_STATE_DIR, --state-dir\\)`));
  });

  it('when the broker cannot be reached within mqtt.startupTimeoutS', async () => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    const result = await runCli(['run', '--mqtt-url', url, '--mqtt-startup-timeout-s', '1'], cliEnv(sim, 0, quiet));
    expectOneLineFailure(result, 1, new RegExp(`cannot reach the MQTT broker at ${url} \\(connect ECONNREFUSED[^)]*\\) within 1 s\\. .*fix mqtt\\.url \\(TPCM_MQTT_URL, --mqtt-url\\)`));
  });

  it('when the broker refuses the MQTT login, without echoing the password', async () => {
    const broker = await startEmbeddedBroker({ port: 0, username: 'bridge', password: 'right-secret', logger: silentLogger() });
    try {
      const env = cliEnv(sim, 0, { ...quiet, MQTT_PASSWORD: 'wrong-secret' });
      const result = await runCli(['run', '--mqtt-url', broker.url, '--mqtt-username', 'bridge'], env);
      expectOneLineFailure(result, 1, /the MQTT broker at mqtt:\/\/127\.0\.0\.1:\d+ refused the login \(.*\)\. Check mqtt\.username \/ mqtt\.password \(MQTT_USERNAME, MQTT_PASSWORD or MQTT_PASSWORD_FILE\)/);
      expect(result.stderr + result.stdout).not.toContain('wrong-secret');
    } finally {
      await broker.close();
    }
  });

  it.skipIf(!hasOpenssl)('at once when the broker certificate does not verify (retrying cannot fix it)', async () => {
    const dir = tempDir('tpcm-tls-');
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const server = createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (socket) => socket.destroy());
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    try {
      const started = Date.now();
      const result = await runCli(['run', '--mqtt-url', `mqtts://127.0.0.1:${port}`, '--mqtt-startup-timeout-s', '20'], cliEnv(sim, 0, quiet));
      expectOneLineFailure(result, 1, /TLS to the MQTT broker at mqtts:\/\/127\.0\.0\.1:\d+ failed \(self[- ]signed certificate\)\. Give the CA that signed its certificate with mqtt\.ca \(TPCM_MQTT_CA\)/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      server.close();
    }
  });

  it('when the embedded broker port is taken', async () => {
    const server: Server = createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    try {
      const result = await runCli(['run'], cliEnv(sim, port, quiet));
      expectOneLineFailure(result, 1, new RegExp(`embedded MQTT broker cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use .*embeddedBroker\\.port \\(TPCM_EMBEDDED_BROKER_PORT, --embedded-broker-port\\)`));
    } finally {
      server.close();
    }
  });

  it('when no account is configured', async () => {
    const result = await runCli(['run'], { ...quiet, TPCM_STATE_DIR: tempDir('tpcm-none-') });
    expectOneLineFailure(result, 2, /configuration error: no cloud account configured: set KASA_USERNAME and KASA_PASSWORD and\/or TAPO_USERNAME and TAPO_PASSWORD/);
  });

  it('when the config file is not JSON, or names a setting that does not exist', async () => {
    const dir = tempDir('tpcm-config-');
    const broken = join(dir, 'broken.json');
    const misspelt = join(dir, 'misspelt.json');
    writeFileSync(broken, '{"mqtt": {"url": "mqtt://broker:1883",}}');
    writeFileSync(misspelt, '{"poll": {"intervalSeconds": 10}}');
    expectOneLineFailure(await cliInProcess(['run', '--config', broken], cliEnv(sim, 0, quiet)), 2, new RegExp(`config file ${broken} is not valid JSON`));
    expectOneLineFailure(await cliInProcess(['run', '--config', misspelt], cliEnv(sim, 0, quiet)), 2, /poll\.intervalSeconds: unknown setting/);
  });
});

describe('run stops when every configured account refuses to log in', () => {
  it('wrong password on both clouds: one line per cloud, no password shown, and a restart does not try it again', async () => {
    const port = await freePort();
    const env = cliEnv(sim, port, { ...quiet, KASA_PASSWORD: 'not-the-password', TAPO_PASSWORD: 'not-the-password' });
    const first = await runCli(['run'], env);
    expect(first.code).toBe(1);
    const lines = errorLines(first);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^tplink-cloud-mqtt: kasa: login refused: wrong e-mail or password \(-20601\)\. Fix KASA_USERNAME \/ KASA_PASSWORD \(or KASA_PASSWORD_FILE/);
    expect(lines[1]).toMatch(/^tplink-cloud-mqtt: tapo: login refused: wrong e-mail or password \(-20601\)\. Fix TAPO_USERNAME \/ TAPO_PASSWORD/);
    expect(first.stderr + first.stdout).not.toContain('not-the-password');

    const attempts = loginAttempts(sim, 'kasa').length + loginAttempts(sim, 'tapo').length;
    const again = await runCli(['run'], env);
    expect(again.code).toBe(1);
    // The time left of the same pause: the same end (to the second), not a new full pause.
    const until = (line: string | undefined) => Date.parse(/No new login is tried before (\S+) \(\d+ s left; cloud\.authCooldownS\)/.exec(line ?? '')?.[1] ?? '');
    expect(errorLines(again)[0]).toMatch(/kasa: login refused: wrong e-mail or password\. /);
    expect(Math.abs(until(errorLines(again)[0]) - until(lines[0]))).toBeLessThanOrEqual(2_000);
    expect(loginAttempts(sim, 'kasa').length + loginAttempts(sim, 'tapo').length).toBe(attempts);
  });

  // Each with a simulator of its own; the case above counts the logins of the shared one, so it runs alone first.
  it.concurrent('a two-factor Kasa account: says to run login once', async () => {
    const mfa = await startSimulator({ v2Only: true, mfaRequired: true });
    try {
      const env = cliEnv(mfa, 0, { ...quiet, TAPO_USERNAME: '' });
      const result = await runCli(['run'], env);
      expectOneLineFailure(result, 1, /kasa: login needs a two-factor code: run "tplink-cloud-mqtt login" once in a terminal \(Docker: docker compose run --rm -it tplink-cloud-mqtt login\)/);
    } finally {
      await mfa.close();
    }
  });

  it.concurrent('a two-factor Tapo account: run never prompts, says to run login once', async () => {
    const mfa = await startSimulator({ mfaRequired: true });
    try {
      const env = cliEnv(mfa, 0, { ...quiet, KASA_USERNAME: '' });
      const result = await runCli(['run'], env);
      expectOneLineFailure(result, 1, /tapo: login needs a two-factor code: run "tplink-cloud-mqtt login" once in a terminal/);
      expect(mfa.lastMfaCode()).toBeUndefined();
    } finally {
      await mfa.close();
    }
  });
});
