/**
 * `health` (the Docker HEALTHCHECK): asks the running bridge over MQTT and
 * reports broker connection and cloud status in one line, exit 0 / 1.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config/load.js';
import { brokerUrl, checkHealth } from '../../src/cli/health.js';
import { silentLogger } from '../../src/logger.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import { startHarness, type Harness } from '../bridge/harness.js';
import { untilInfo } from '../helpers/bridge-info.js';
import { CLI, ROOT, errorLines, runCli } from '../helpers/cli.js';
import { cliEnv, freePort } from '../reliability/helpers.js';

/** The harness's bridge config, addressed the way the health command finds a broker. */
function configOf(h: Harness): AppConfig {
  const url = h.bridge.broker?.url;
  if (!url) throw new Error('harness without embedded broker');
  return { ...h.config, mqtt: { ...h.config.mqtt, url } };
}

describe('health against a running bridge', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 30_000);
  afterAll(async () => {
    await h.close();
  });

  it('is healthy: names each cloud and the device count', async () => {
    const report = await checkHealth(configOf(h), 3_000);
    expect(report.healthy).toBe(true);
    expect(report.line).toMatch(new RegExp(`^healthy: kasa ok, tapo ok, ${h.bridge.store.size} devices, last poll \\d{4}-`));
  });

  it('the CLI exits 0 with the line, or prints the whole answer with --json', async () => {
    const env = { TPCM_MQTT_URL: configOf(h).mqtt.url };
    // Two processes of their own, at once.
    const [plain, json] = await Promise.all([runCli(['health', '--timeout-s', '3'], env), runCli(['health', '--json'], env)]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^healthy: kasa ok, tapo ok/);
    expect(plain.stdout.trim().split('\n')).toHaveLength(1);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'ok', data: { healthy: true, mqtt: true, clouds: { kasa: 'ok', tapo: 'ok' } } });
  });
});

// Each case its own broker, port or simulator: at once.
describe.concurrent('health when something is wrong', () => {
  it('a broker without a bridge: no answer within the timeout', async () => {
    const broker = await startEmbeddedBroker({ port: 0, logger: silentLogger() });
    try {
      const result = await runCli(['health', '--timeout-s', '1', '--mqtt-url', broker.url]);
      expect(result.code).toBe(1);
      expect(result.stdout.trim()).toBe('unhealthy: the bridge did not answer tplink/bridge/request/health_check within 1 s (is it running, and on this broker and base topic?)');
    } finally {
      await broker.close();
    }
  });

  it('no broker at all', async () => {
    const port = await freePort();
    const result = await runCli(['health', '--timeout-s', '1'], { TPCM_EMBEDDED_BROKER_PORT: String(port) });
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toBe(`unhealthy: cannot reach the MQTT broker at mqtt://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port})`);
  });

  it('a configuration mistake is unhealthy too, never exit 2 (Docker reserves it)', async () => {
    const [result, typo] = await Promise.all([
      runCli(['health'], { KASA_USERNAME: 'you@example.com', KASA_PASSWORD_FILE: '/nonexistent/password' }),
      runCli(['health', '--timeout', '3']),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toBe('unhealthy: configuration error: kasa.password: cannot read KASA_PASSWORD_FILE (/nonexistent/password)');
    expect(typo.code).toBe(1);
    expect(typo.stdout).toMatch(/^unhealthy: health: unknown option --timeout \(did you mean --timeout-s\?\)/);
  });

  it('finds an embedded broker listening on every interface through loopback', () => {
    const base = { mqtt: { url: '' }, embeddedBroker: { host: '0.0.0.0', port: 1883 } } as AppConfig;
    expect(brokerUrl(base)).toBe('mqtt://127.0.0.1:1883');
    expect(brokerUrl({ ...base, embeddedBroker: { host: '::1', port: 1884, maxPacketSize: 1 } })).toBe('mqtt://[::1]:1884');
    expect(brokerUrl({ ...base, embeddedBroker: { host: '127.0.0.1', port: 0, maxPacketSize: 1 } })).toBeUndefined();
    expect(brokerUrl({ ...base, mqtt: { ...base.mqtt, url: 'mqtts://broker:8883' } })).toBe('mqtts://broker:8883');
  });

  it('one account refused: run keeps bridging the other cloud, health names the fix, SIGTERM still exits 0', async () => {
    const { startSimulator } = await import('tplink-cloud-sim');
    const sim = await startSimulator();
    const port = await freePort();
    const env = cliEnv(sim, port, { TPCM_LOG_LEVEL: 'silent', TAPO_PASSWORD: 'not-the-password' });
    const child = spawn(process.execPath, [CLI, 'run'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // Once the bridge says so on its retained bridge/info, one health process asks it.
      await untilInfo(`mqtt://127.0.0.1:${port}`, (info) => info.clouds.kasa.status === 'ok' && info.clouds.tapo.status === 'auth_failed', () => child.exitCode !== null);
      const health = await runCli(['health', '--timeout-s', '2'], env);
      expect(health.code, health.stdout + stderr).toBe(1);
      expect(health.stdout).toMatch(/^unhealthy: kasa ok, tapo auth_failed, \d+ devices/);
      expect(health.stdout).toContain('tapo: login refused: wrong e-mail or password (-20601). Fix TAPO_USERNAME / TAPO_PASSWORD');
      expect(health.stdout + errorLines(health).join('')).not.toContain('not-the-password');
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await sim.close();
    }
    expect(stderr).toBe('');
  }, 40_000);
});
