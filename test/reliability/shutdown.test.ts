/**
 * Graceful shutdown under load: the real CLI (`tplink-cloud-mqtt run`) as a
 * child process, a slow simulated cloud so commands queue up, SIGTERM. Every
 * queued command is carried out, reported failed, or kept in the command
 * journal for the next start; `offline` is published after the last
 * report, and the process exits 0 within 10 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CommandJournal } from '../../src/commands/journal.js';
import { silentLogger } from '../../src/logger.js';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceNode } from '../../src/model/node.js';
import { startSimulator, type RecordedRequest, type Simulator } from 'tplink-cloud-sim';
import { cliEnv, freePort, isWrite, sleep, until } from './helpers.js';
import { CLI, ROOT } from '../helpers/cli.js';


interface Seen {
  topic: string;
  payload: string;
}

let sim: Simulator;
let env: NodeJS.ProcessEnv;
let child: ChildProcess;
let output = '';
let observer: MqttClient;
const seen: Seen[] = [];

async function connectObserver(url: string): Promise<MqttClient> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 1000 });
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`bridge did not come up: ${String(error)}\n${output}`);
      await sleep(100);
    }
  }
}

beforeAll(async () => {
  sim = await startSimulator({ shadowApplyDelayMs: 0 });
  const port = await freePort();
  env = cliEnv(sim, port);
  child = spawn(process.execPath, [CLI, 'run'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  observer = await connectObserver(`mqtt://127.0.0.1:${port}`);
  observer.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString('utf8') }));
  observer.on('error', () => undefined);
  await observer.subscribeAsync('tplink/#', { qos: 1 });
  await until(started, 15_000, 'bridge started');
}, 30_000);
afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await observer.endAsync(true);
  await sim.close();
});

const latest = (topic: string): string | undefined => seen.filter((message) => message.topic === topic).at(-1)?.payload;

/** Start-up done: the bridge said so, and its device list is in. */
function started(): boolean {
  return output.includes('"msg":"bridge started"') && latest('tplink/bridge/devices') !== undefined;
}

function nodes(): DeviceNode[] {
  const devices = { payload: latest('tplink/bridge/devices') };
  // Everything that switches on and off on its own: plugs, outlets, dimmers, bulbs, light strips.
  return (JSON.parse(devices?.payload ?? '[]') as DeviceNode[]).filter((node) => node.kind !== 'strip');
}

/** The simulator carried out a write for this node: answered without an error. */
function carriedOut(node: DeviceNode & { topic?: string }, requests: readonly RecordedRequest[]): boolean {
  const id = node.id.replace(/^(kasa|tapo)_/, '');
  return requests.some((request) => {
    if (!isWrite(request) || request.status !== 200 || request.errorCode !== undefined) return false;
    if (request.api === 'shadows.patch') return request.deviceId === id;
    const body = JSON.stringify(request.body);
    return request.deviceId === id || (body.includes('child_ids') && body.includes(id));
  });
}

describe('SIGTERM with commands queued', () => {
  it('carries out or reports every command, publishes offline, exits 0 within 10 s', async () => {
    const targets = nodes() as (DeviceNode & { topic: string })[];
    expect(targets.length).toBeGreaterThanOrEqual(18);
    const offline = targets.find((node) => node.cloud === 'kasa' && !node.parentId);
    if (!offline) throw new Error('no kasa device');
    sim.setOnline(offline.id.replace(/^kasa_/, ''), false);
    sim.clearRequests();
    sim.setFaults({ latencyMs: 400 });

    await Promise.all(targets.map((node) => observer.publishAsync(`tplink/${node.topic}/set`, 'ON', { qos: 1 })));
    await until(() => sim.requests.some(isWrite), 5000, 'first command reached the cloud');
    const signalled = Date.now();
    const writesAtSignal = sim.requests.filter(isWrite).length;
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((done) => child.once('exit', (exitCode) => done(exitCode)));
    const tookMs = Date.now() - signalled;

    expect(code, output).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    expect(writesAtSignal).toBeLessThan(targets.length - 4); // commands really were queued at SIGTERM

    const offlineAt = seen.findIndex((message) => message.topic === 'tplink/bridge/state' && message.payload === '{"state":"offline"}');
    expect(offlineAt, 'offline published').toBeGreaterThanOrEqual(0);
    const failedEvents = seen
      .map((message, index) => ({ index, message }))
      .filter(({ message }) => message.topic === 'tplink/bridge/event' && message.payload.includes('"command_failed"'));
    const failedIds = new Set(failedEvents.map(({ message }) => (JSON.parse(message.payload) as { data: { id: string } }).data.id));
    for (const { index } of failedEvents) expect(index, 'command_failed after offline').toBeLessThan(offlineAt);

    // What the shutdown budget did not reach is kept in the command journal for the next start
    // (test/reliability/restarts.test.ts restarts and sees it carried out).
    const journal = CommandJournal.open(env.TPCM_STATE_DIR ?? '', silentLogger());
    const keptTopics = new Set(journal.pending.map((entry) => entry.topic));
    journal.close();
    const kept = (node: { topic: string }): boolean => keptTopics.has(`tplink/${node.topic}/set`);
    const lost = targets.filter((node) => !carriedOut(node, sim.requests) && !failedIds.has(node.id) && !kept(node)).map((node) => node.topic);
    expect(lost, output).toEqual([]);
    expect(failedIds.has(offline.id)).toBe(true);
    expect(targets.filter((node) => carriedOut(node, sim.requests)).length).toBeGreaterThan(writesAtSignal);
  }, 20_000);
});
