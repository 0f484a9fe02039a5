/**
 * `demo` as a newcomer runs it: on a broker at a non-default host and port,
 * every printed hint is copied as printed and does what it says (the
 * outlet and the device visibly change, health answers from another
 * folder); Ctrl+C leaves nothing in the temporary folder; a second demo on
 * the same broker is the same bridge device; `--clean` removes its
 * retained topics.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/broker.js';
import { selfCommand, shellQuote } from '../../src/cli/demo-hints.js';
import { chosenClientKind, startClient } from '../docs/example-clients.js';
import { parseMosquittoArgs, splitShellWords, type ClientOptions, type Tool } from '../docs/shell-examples.js';
import { CLI, ROOT, SOURCE_CLI } from '../helpers/cli.js';
import { freePort } from '../reliability/helpers.js';

// Any loopback address but 127.0.0.1 and any port but 1883: hints that drop the broker fail.
const HOST = '127.0.0.2';
const clients = chosenClientKind();
/**
 * The rate limits' defaults (5 requests per second per cloud) would make each demo read its 26
 * simulated devices for 7 s before printing its hints; the limits have their own tests
 * (test/reliability/rate-limit.test.ts). Set as a user would, through the environment.
 */
const UNLIMITED = { TPCM_RATE_LIMIT_KASA_PER_SECOND: '0', TPCM_RATE_LIMIT_TAPO_PER_SECOND: '0' };
const dirs: string[] = [];
let broker: EmbeddedBroker;
let port: number;
let stateDir: string;

const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  port = await freePort();
  broker = await startEmbeddedBroker({ host: HOST, port, logger: silentLogger() });
  stateDir = tempDir('tpcm-demo-state-');
});
afterAll(async () => {
  await broker.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Demo {
  child: ChildProcessWithoutNullStreams;
  /** label -> command line, as printed. */
  hints: Map<string, string>;
  /** The TMPDIR it ran with. */
  tmp: string;
  stop(): Promise<number | null>;
}

async function startDemo(extra: string[] = []): Promise<Demo> {
  const tmp = tempDir('tpcm-demo-tmp-');
  const child = spawn(process.execPath, [CLI, 'demo', '--mqtt-url', `mqtt://${HOST}:${port}`, ...extra], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp, TPCM_STATE_DIR: stateDir, TPCM_LOG_LEVEL: 'warn', ...UNLIMITED },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  for (let waited = 0; !out.includes('Press Ctrl+C') && child.exitCode === null; waited += 50) {
    if (waited > 30_000) throw new Error(`demo did not start:\n${out}`);
    await new Promise((done) => setTimeout(done, 50));
  }
  const hints = new Map(
    [...out.matchAll(/^ {2}([A-Z][\w ]+):\s+(\S.*)$/gm)].map((match) => [match[1] ?? '', match[2] ?? ''] as const),
  );
  return {
    child,
    hints,
    tmp,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

function mosquitto(line: string): ClientOptions {
  const words = splitShellWords(line).words;
  const parsed = parseMosquittoArgs(words[0] as Tool, words.slice(1));
  if (!parsed.ok) throw new Error(`${line}: ${parsed.reason}`);
  return parsed.options;
}

async function watcher(): Promise<{ client: MqttClient; last: Map<string, Record<string, unknown>> }> {
  const client = await mqtt.connectAsync(`mqtt://${HOST}:${port}`, { reconnectPeriod: 0 });
  const last = new Map<string, Record<string, unknown>>();
  client.on('message', (topic, payload) => {
    try {
      last.set(topic, JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
    } catch {
      // not JSON: not a state
    }
  });
  await client.subscribeAsync('tplink/#');
  return { client, last };
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function retainedTopics(): Promise<string[]> {
  const client = await mqtt.connectAsync(`mqtt://${HOST}:${port}`, { reconnectPeriod: 0 });
  const topics = new Set<string>();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain && payload.length > 0) topics.add(topic);
  });
  await client.subscribeAsync(['tplink/#', 'homeassistant/#']);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await client.endAsync();
  return [...topics];
}

function shell(line: string, cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The demo runs compiled (test/helpers/cli.ts), so nothing at all may be left in its temporary folder. */
const leftBehind = (dir: string): string[] => readdirSync(dir);

describe(`demo on ${HOST} and a non-default port (clients: ${clients})`, () => {
  it('prints hints that name the broker and work as printed; leaves nothing in the temporary folder', async () => {
    const demo = await startDemo();
    const watch = await watcher();
    // Health from a folder outside the repository, exactly as printed; a process of its own, started
    // now so that its start-up overlaps the other hints. Not spawnSync: the broker runs in this process.
    const health = shell(demo.hints.get('Health') ?? '', tempDir('tpcm-demo-cwd-'));
    try {
      const labels = ['Watch everything', 'Switch a device', 'Switch an outlet', 'Dim a bulb', 'Ask for a refresh', 'Device list', 'Health'];
      expect([...demo.hints.keys()]).toEqual(labels);
      for (const label of labels.filter((name) => name !== 'Health')) {
        const options = mosquitto(demo.hints.get(label) ?? '');
        expect({ label, host: options.host, port: options.port }).toEqual({ label, host: HOST, port });
      }
      const run = async (label: string, change?: Partial<ClientOptions>) => {
        const result = await startClient(clients, { ...mosquitto(demo.hints.get(label) ?? ''), ...change }).done;
        expect(result.status, `${label}: ${result.stderr}`).toBe(0);
        return result.lines;
      };

      // Watch: stopped after its first message, as a reader's Ctrl+C would.
      expect((await run('Watch everything', { count: 1 }))[0]).toMatch(/^tplink\/\S+ /);
      const devices = JSON.parse((await run('Device list'))[0] ?? '[]') as { topic: string }[];
      expect(devices.length).toBeGreaterThan(10);

      // Each set changes what the device reports: something visibly happens.
      const stateOf = (label: string) => {
        const topic = (mosquitto(demo.hints.get(label) ?? '').topics[0] ?? '').replace(/\/set$/, '');
        return () => watch.last.get(topic);
      };
      for (const label of ['Switch a device', 'Switch an outlet']) {
        const state = stateOf(label);
        await until(() => state() !== undefined, `${label}: a state before`);
        const before = state()?.state;
        const payload = mosquitto(demo.hints.get(label) ?? '').message;
        expect(payload === 'TOGGLE' || payload !== before, `${label} sends ${payload} to a device already ${String(before)}`).toBe(true);
        await run(label);
        await until(() => state()?.state !== before, `${label}: the state changes from ${String(before)}`);
      }
      const bulb = stateOf('Dim a bulb');
      await run('Dim a bulb');
      await until(() => bulb()?.brightness === 40 && bulb()?.state === 'ON', 'the bulb at 40 %');

      const responses = startClient(clients, { ...mosquitto(demo.hints.get('Watch everything') ?? ''), topics: ['tplink/bridge/response/refresh'], count: 1 });
      await responses.ready;
      await run('Ask for a refresh');
      expect((await responses.done).lines[0]).toMatch(/"status":"ok"/);

      const healthy = await health;
      expect(healthy.status, healthy.stdout + healthy.stderr).toBe(0);
      expect(healthy.stdout).toMatch(/^healthy: kasa ok, tapo ok, \d+ devices/);
    } finally {
      await health;
      await watch.client.endAsync();
      expect(await demo.stop()).toBe(0);
    }
    expect(leftBehind(demo.tmp)).toEqual([]);
    // One state folder, reused: the installation id and no tokens of a simulator that is gone.
    expect(readdirSync(stateDir)).toEqual(['demo']);
    const state = JSON.parse(readFileSync(join(stateDir, 'demo', 'state.json'), 'utf8')) as { terminalUUID: string; tokens: object };
    expect(state.tokens).toEqual({});
  }, 120_000);

  it('a second demo on the same broker is the same bridge device; --clean removes its retained topics', async () => {
    const bridgeDevices = (topics: string[]) => new Set(topics.filter((topic) => topic.startsWith('homeassistant/')).flatMap((topic) => /tplink_cloud_mqtt_[0-9a-f]+/.exec(topic)?.[0] ?? []));
    const before = bridgeDevices(await retainedTopics());
    expect(before.size).toBe(1);
    const demo = await startDemo(['--clean']);
    const during = await retainedTopics();
    expect(bridgeDevices(during)).toEqual(before);
    expect(await demo.stop()).toBe(0);
    expect(await retainedTopics()).toEqual([]);
    expect(leftBehind(demo.tmp)).toEqual([]);
  }, 120_000);
});

describe('the health hint runs from anywhere', () => {
  it('is the bin name when PATH finds this program, else node with absolute paths', () => {
    const bin = tempDir('tpcm-demo-bin-');
    spawnSync('ln', ['-s', SOURCE_CLI, join(bin, 'tplink-cloud-mqtt')]);
    expect(selfCommand({ argv: ['node', SOURCE_CLI], execArgv: [], env: { PATH: bin } })).toBe('tplink-cloud-mqtt');
    const command = selfCommand({ argv: ['node', SOURCE_CLI], execArgv: ['--import', 'tsx'], env: { PATH: '' } });
    expect(command).toMatch(/^node --import file:\/\/\S+tsx\S+ \S+src\/cli\.ts$/);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
