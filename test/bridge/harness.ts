/**
 * Drives the real bridge end to end: the simulated cloud, the bridge with
 * its embedded broker on an ephemeral port, and an MQTT client that sees
 * every message, as Home Assistant or Node-RED would.
 */

import { apiViolations } from '../helpers/api.js';
import mqtt, { type MqttClient } from 'mqtt';
import { Bridge } from '../../src/runtime/bridge.js';
import { loadConfig, type AppConfig } from '../../src/config/load.js';
import { configForSimulator } from '../../src/cli/demo.js';
import type { DeviceNode } from '../../src/model/node.js';
import { createLogger, silentLogger, type Logger } from '../../src/logger.js';
import { startSimulator, type Simulator, type SimulatorOptions } from 'tplink-cloud-sim';
import { tempDir } from '../helpers/temp.js';

/**
 * How long a test waits for something the bridge does at once (a publish, a
 * request to the simulator): generous, as tests run side by side on a
 * loaded machine. Never a measure of speed: a wait that ends early passes.
 */
export const WAIT_MS = 10_000;

export interface Message {
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export interface HarnessOptions {
  config?: DeepPartial<AppConfig>;
  sim?: SimulatorOptions;
  /** Reuse a running simulator (restart tests). */
  simulator?: Simulator;
  stateDir?: string;
  logger?: Logger;
}

export interface Harness {
  sim: Simulator;
  bridge: Bridge;
  config: AppConfig;
  client: MqttClient;
  messages: Message[];
  /** Latest payload seen on a topic (retained ones included). */
  last(topic: string): string | undefined;
  lastJson<T = Record<string, unknown>>(topic: string): T | undefined;
  waitFor(check: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  waitForMessage(topic: string, predicate?: (payload: string) => boolean, timeoutMs?: number): Promise<Message>;
  publish(topic: string, payload: string, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  /**
   * Resolves once the observer has received every message the embedded broker
   * had accepted before the call (a marker it publishes comes back after them):
   * what the bridge published before, e.g. in an awaited read, is in `messages`.
   */
  synced(): Promise<void>;
  /** The topic name the bridge gave a node (by node id). */
  nameOf(nodeId: string): string;
  /** The node the simulator calls `name` (its alias). */
  node(name: string): DeviceNode;
  close(): Promise<void>;
}

/** Fast polling is off by default: tests trigger reads explicitly so they stay deterministic. */
export function testConfig(sim: Simulator, overrides: DeepPartial<AppConfig> = {}, stateDir?: string): AppConfig {
  const base = loadConfig({ args: [], env: {} });
  const merged = deepMerge(base as unknown as Record<string, unknown>, {
    stateDir: stateDir ?? tempDir('tpcm-bridge-'),
    embeddedBroker: { host: '127.0.0.1', port: 0, maxPacketSize: 262_144 },
    poll: { intervalS: 3600, listIntervalS: 3600, energyIntervalS: 3600, settingsIntervalS: 3600 },
    firmware: { checkIntervalH: 1000 },
    rateLimit: { kasaPerSecond: 0, tapoPerSecond: 0 },
    commands: { ttlS: 10, confirmDelayS: 0.05 },
    cloud: { requestTimeoutS: 2, retryDeadlineS: 1, authCooldownS: 60 },
    homeassistant: { republishDelayS: 0 },
    log: { level: 'silent', pretty: false },
  }) as unknown as AppConfig;
  return deepMerge(configForSimulator(merged, sim) as unknown as Record<string, unknown>, overrides) as unknown as AppConfig;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = options.simulator ?? (await startSimulator({ shadowApplyDelayMs: 0, ...options.sim }));
  const config = testConfig(sim, options.config, options.stateDir);
  const logger = options.logger ?? (process.env.TPCM_TEST_LOG ? createLogger({ level: process.env.TPCM_TEST_LOG, pretty: true }) : silentLogger());
  const bridge = new Bridge(config, logger);
  await bridge.start();
  const url = config.mqtt.url || bridge.broker?.url;
  if (!url) throw new Error('no broker URL');
  const client = await mqtt.connectAsync(url, {
    clientId: `test-observer-${Math.random().toString(16).slice(2)}`,
    reconnectPeriod: 100,
    ...(config.mqtt.username ? { username: config.mqtt.username, password: config.mqtt.password } : {}),
  });
  const messages: Message[] = [];
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString('utf8'), retain: packet.retain, at: Date.now() });
  });
  await client.subscribeAsync('#', { qos: 1 });
  await settled(messages);

  const waitFor = async (check: () => boolean, timeoutMs = WAIT_MS, what = 'condition'): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const find = (topic: string, predicate?: (payload: string) => boolean, from = 0) =>
    messages.slice(from).find((message) => message.topic === topic && (!predicate || predicate(message.payload)));
  const last = (topic: string) => messages.filter((message) => message.topic === topic).at(-1)?.payload;

  return {
    sim,
    bridge,
    config,
    client,
    messages,
    last,
    lastJson: <T>(topic: string) => {
      const payload = last(topic);
      return payload ? (JSON.parse(payload) as T) : undefined;
    },
    waitFor,
    waitForMessage: async (topic, predicate, timeoutMs = WAIT_MS) => {
      await waitFor(() => find(topic, predicate) !== undefined, timeoutMs, `a message on ${topic}`);
      return find(topic, predicate) as Message;
    },
    publish: async (topic, payload, publishOptions = {}) => {
      await client.publishAsync(topic, payload, { qos: publishOptions.qos ?? 1, retain: publishOptions.retain ?? false });
    },
    synced: async () => {
      const marker = `test-sync/${Math.random().toString(16).slice(2)}`;
      const from = messages.length;
      await client.publishAsync(marker, '', { qos: 1 });
      await waitFor(() => messages.slice(from).some((message) => message.topic === marker), WAIT_MS, 'the sync marker');
    },
    node: (name) => {
      const found = bridge.store.all().find((candidate) => candidate.name === name);
      if (!found) throw new Error(`no node named ${name}`);
      return found;
    },
    nameOf: (nodeId) => {
      const name = bridge.names.nameOf(nodeId);
      if (!name) throw new Error(`no topic name for ${nodeId}`);
      return name;
    },
    close: async () => {
      await client.endAsync(true);
      await bridge.stop();
      if (!options.simulator) await sim.close();
      // Whatever the test did, every bridge/* payload it saw matches its schema (src/runtime/api.ts).
      const violations = apiViolations(messages, config.mqtt.baseTopic);
      if (violations.length > 0) throw new Error(`payloads outside the MQTT API:\n${violations.join('\n')}`);
    },
  };
}

/** Registers a clean-up for the end of the running test: a test's own `onTestFinished`, from its context. */
export type OnTestFinished = (cleanup: () => Promise<void>) => void;

/**
 * A harness closed when its test ends (clean-ups run last registered
 * first). Taking the test's own hook, not a file-wide variable, lets the
 * tests of a file each have a bridge and run side by side.
 */
export async function testHarness(onTestFinished: OnTestFinished, options: HarnessOptions = {}): Promise<Harness> {
  const harness = await startHarness(options);
  onTestFinished(() => harness.close());
  return harness;
}

/**
 * Retained messages stream in after SUBACK; wait until they stop so tests see live traffic only after.
 * After each quiet period, one turn of the event loop's I/O phase before counting again: when the
 * process was not scheduled for a while (a loaded machine), the timer is due at once on waking and
 * its callback runs before the socket is read, so messages already waiting would look like quiet.
 */
async function settled(messages: Message[], quietMs = 100, maxMs = 3000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let seen = -1;
  while (seen !== messages.length && Date.now() < deadline) {
    seen = messages.length;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object'
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}
