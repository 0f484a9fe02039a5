/**
 * Secrets: a full run at log level trace (login, token refresh, commands,
 * cloud failures, a failed command) never shows a password, token or
 * refresh token — not in any log line, MQTT topic or payload, event or
 * bridge/info. The state file is 0600; the embedded broker listens on
 * loopback by default and enforces its username/password.
 */
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startHarness, type Harness } from '../bridge/harness.js';
import { captureLogger, relayNodes, simPower, until } from './helpers.js';

const MQTT_USER = 'bridge-user';
const MQTT_PASSWORD = 'mqtt-Pa55word/with:odd chars!';

let h: Harness;
const capture = captureLogger('trace');
const secrets = new Set<string>();

function collectTokens(): void {
  const state = JSON.parse(readFileSync(h.bridge.tokens.file, 'utf8')) as { tokens: Record<string, { token?: string; refreshToken?: string }> };
  for (const tokens of Object.values(state.tokens)) {
    if (tokens.token) secrets.add(tokens.token);
    if (tokens.refreshToken) secrets.add(tokens.refreshToken);
  }
}

async function toggle(count: number): Promise<void> {
  for (const node of [...relayNodes(h, 'kasa').slice(0, count), ...relayNodes(h, 'tapo').slice(0, count)]) {
    const before = h.sim.requests.length;
    await h.publish(`tplink/${h.nameOf(node.id)}/set`, simPower(h.sim, node) === 'ON' ? 'OFF' : 'ON');
    await until(() => h.sim.requests.length > before, 3000, 'command sent');
  }
}

beforeAll(async () => {
  h = await startHarness({ logger: capture.logger, config: { mqtt: { username: MQTT_USER, password: MQTT_PASSWORD }, log: { level: 'trace' } } });
  await h.waitForMessage('tplink/bridge/info');
  collectTokens();
  await toggle(2);
  // Token expiry: both clouds refresh; the new tokens are secrets too.
  h.sim.expireTokens();
  await h.bridge.poller.readStates();
  collectTokens();
  await toggle(2);
  // Failures: a cloud answering errors, and a command to a device that is offline.
  h.sim.setFaults({ errorRate: 1, errorKinds: ['http500', 'malformed', 'schema'] });
  await h.bridge.poller.readStates();
  h.sim.setFaults({ errorRate: 0 });
  const plug = relayNodes(h, 'kasa')[0];
  if (!plug || plug.address.cloud !== 'kasa') throw new Error('no kasa plug');
  h.sim.setOnline(plug.address.deviceId, false);
  await h.publish(`tplink/${h.nameOf(plug.id)}/set`, 'ON');
  await h.waitForMessage('tplink/bridge/event', (payload) => payload.includes('command_failed'));
  h.sim.setOnline(plug.address.deviceId, true);
  await h.publish('tplink/bridge/request/info', '{"transaction":1}');
  await h.waitForMessage('tplink/bridge/response/info');
  collectTokens();
  secrets.add(h.sim.password);
  secrets.add(MQTT_PASSWORD);
});
afterAll(async () => {
  await h.close();
});

describe('secrets stay secret', () => {
  it('the run really went through login, refresh and failures at trace level', () => {
    expect(secrets.size).toBeGreaterThanOrEqual(2 + 6); // 2 passwords, 2 clouds x (token + refresh token) x 2 (refreshed)
    const text = capture.lines.join('');
    expect(capture.lines.length).toBeGreaterThan(50);
    expect(capture.logger.level).toBe('trace');
    expect(text).toContain('"level":20'); // the most verbose lines the bridge writes (it has no trace-only lines)
    expect(text).toContain('logged in');
    expect(text).toContain('token refreshed');
    expect(text).toContain('command failed');
    expect(h.messages.length).toBeGreaterThan(100);
  });

  it('no secret, raw or encoded, in any log line, MQTT topic or payload, event or bridge/info', () => {
    const places = [
      ...capture.lines.map((line, index) => [`log line ${index}`, line] as const),
      ...h.messages.map((message) => [`mqtt ${message.topic}`, `${message.topic}\n${message.payload}`] as const),
      ['bridge.info()', JSON.stringify(h.bridge.info())] as const,
    ];
    for (const secret of secrets) {
      const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), Buffer.from(secret).toString('base64')]);
      for (const [where, text] of places) {
        for (const form of forms) expect(text.includes(form), `a secret (${secret.length} chars) in ${where}`).toBe(false);
      }
    }
  });

  it('keeps the state file 0600 in a 0700 folder', () => {
    expect(statSync(h.bridge.tokens.file).mode & 0o777).toBe(0o600);
    expect(statSync(h.bridge.tokens.dir).mode & 0o077).toBe(0);
  });

  it('the embedded broker listens on 127.0.0.1 by default, nowhere else', async () => {
    expect(loadConfig({ args: [], env: {} }).embeddedBroker.host).toBe('127.0.0.1');
    const broker = h.bridge.broker;
    if (!broker) throw new Error('no embedded broker');
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (!external) return; // no other interface on this machine to try
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect(broker.port, external.address);
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(outcome).toBe('ECONNREFUSED');
  });

  it('the embedded broker refuses clients without, or with wrong, credentials', async () => {
    const url = h.bridge.broker?.url ?? '';
    const attempt = async (options: { username?: string; password?: string }): Promise<string> => {
      try {
        const client = await mqtt.connectAsync(url, { ...options, reconnectPeriod: 0, connectTimeout: 2000 });
        await client.endAsync();
        return 'accepted';
      } catch (error) {
        return `refused: ${error instanceof Error ? error.message : String(error)}`;
      }
    };
    expect(await attempt({})).toMatch(/^refused/);
    expect(await attempt({ username: MQTT_USER, password: 'wrong' })).toMatch(/^refused/);
    expect(await attempt({ username: 'someone', password: MQTT_PASSWORD })).toMatch(/^refused/);
    expect(await attempt({ username: MQTT_USER, password: MQTT_PASSWORD })).toBe('accepted');
  });
});
