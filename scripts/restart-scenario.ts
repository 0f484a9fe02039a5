/**
 * One restart scenario, judged from outside the bridge: the real CLI
 * (`tplink-cloud-mqtt run`) as a child process against a persistent
 * mosquitto and a slow simulated cloud. `queued` commands (one per device,
 * so each write names its command) pile up behind the cloud; mid-way the
 * bridge is SIGKILLed or SIGTERMed (or mosquitto restarts); `whileDown`
 * more are published while it is away; then it starts again. Each command
 * ends carried out (the cloud holds the wanted state), failed or expired (a
 * command_failed event names its device, with the reason), or lost
 * (neither, long after its time to live); a device written more than once
 * counts as duplicated.
 *
 * Used by `npm run soak:restarts` (full counts) and by a CI test (small counts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { startSimulator, type RecordedRequest, type Simulator } from 'tplink-cloud-sim';
import { mosquitto, type Mosquitto } from '../test/reliability/mosquitto.js';
import { cloudOn, freePort } from '../test/reliability/helpers.js';
import { simulatorEnv } from '../src/cli/simulate-env.js';
/** What bridge/devices says of a node (enough to address it and find it in the simulator). */
interface ListedNode {
  id: string;
  cloud: 'kasa' | 'tapo';
  kind: string;
  topic: string;
  parentId?: string;
}

export type Interruption = 'SIGKILL' | 'SIGTERM' | 'broker-restart';

export interface ScenarioOptions {
  interruption: Interruption;
  /** Commands queued behind the slow cloud before the interruption (120 in the issue). */
  queued: number;
  /** Commands published while the bridge (or broker) is away (60 in the issue). */
  whileDown: number;
  /** Cloud latency per request (ms). */
  latencyMs?: number;
  /**
   * Cloud latency from the interruption on (default latencyMs). The slow
   * cloud is what keeps commands queued when it comes; after it, a fast one
   * only makes the restarted bridge's start-up reads (every device, at four
   * at a time) quicker, so a test is not spent waiting for them.
   */
  latencyAfterMs?: number;
  /** commands.ttlS of the bridge. */
  ttlS?: number;
  /** How long the bridge stays down (ms). */
  downMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /**
   * How node starts the bridge: the arguments before `run` (default: src/cli.ts through
   * tsx, as a checkout runs it). The tests pass their compiled command line.
   */
  cli?: readonly string[];
}

export interface ScenarioResult {
  interruption: Interruption;
  sent: number;
  carriedOut: number;
  failed: number;
  expired: number;
  lost: number;
  duplicated: number;
  /** Commands already written when the interruption came. */
  writtenBefore: number;
  /** SIGTERM only: ms from the signal to the process exit. */
  exitMs?: number;
  lostTopics: string[];
}

const ROOT = resolve(import.meta.dirname, '..');
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

interface Command {
  node: ListedNode;
  on: boolean;
  sentAt: number;
}

interface FailedEvent {
  id: string;
  reason: string;
  at: number;
}

function simId(node: ListedNode): string {
  return node.id.replace(/^(kasa|tapo)_/, '');
}

/** Writes the cloud answered without an error: Tapo shadow patches, Kasa passthroughs that read nothing. */
function writesTo(sim: Simulator, node: ListedNode): RecordedRequest[] {
  const id = simId(node);
  return sim.requests.filter((request) => {
    if (request.deviceId !== id || request.status !== 200 || request.errorCode !== undefined) return false;
    return request.api === 'shadows.patch' || (request.api === 'passthrough' && !JSON.stringify(request.body).includes('"get_'));
  });
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A persistent mosquitto on a free port; another port when the one picked was taken meanwhile. */
async function startedMosquitto(): Promise<Mosquitto> {
  for (let attempt = 1; ; attempt++) {
    const broker = mosquitto(await freePort(), { persistence: true });
    try {
      await broker.start();
      return broker;
    } catch (error) {
      await broker.dispose();
      if (attempt >= 3) throw error;
    }
  }
}

export async function runRestartScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const log = options.log ?? (() => undefined);
  const latencyMs = options.latencyMs ?? 300;
  const ttlS = options.ttlS ?? 120;
  const wanted = options.queued + options.whileDown;
  // One command per device, so every write names its command: enough plain devices.
  const sim = await startSimulator({ devices: Math.ceil(wanted * 1.6) + 10, builtin: false, shadowApplyDelayMs: 0, recordLimit: 50_000, seed: 16 });
  const broker: Mosquitto = await startedMosquitto();
  const stateDir = mkdtempSync(join(tmpdir(), 'tpcm-restarts-'));
  let child: ChildProcess | undefined;
  let output = '';
  let observer: MqttClient | undefined;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...simulatorEnv(sim),
    TPCM_STATE_DIR: stateDir,
    TPCM_MQTT_URL: broker.url,
    TPCM_HOMEASSISTANT_ENABLED: 'false',
    TPCM_RATE_LIMIT_KASA_PER_SECOND: '0',
    TPCM_RATE_LIMIT_TAPO_PER_SECOND: '0',
    TPCM_POLL_INTERVAL_S: '3600',
    TPCM_POLL_ENERGY_INTERVAL_S: '3600',
    TPCM_COMMANDS_CONFIRM_DELAY_S: '3600',
    TPCM_COMMANDS_TTL_S: String(ttlS),
    TPCM_LOG_LEVEL: 'info',
  };
  const startBridge = (): ChildProcess => {
    const started = spawn(process.execPath, [...(options.cli ?? ['--import', 'tsx', 'src/cli.ts']), 'run'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    return started;
  };
  const exited = (process: ChildProcess): Promise<void> =>
    process.exitCode !== null || process.signalCode !== null ? Promise.resolve() : new Promise((done) => process.once('exit', () => done()));
  const bridgeStarts = (): number => output.split('"msg":"bridge started"').length - 1;

  try {
    child = startBridge();
    observer = await mqtt.connectAsync(broker.url, { clientId: `restarts-observer-${process.pid}`, reconnectPeriod: 200 });
    observer.on('error', () => undefined);
    const events: FailedEvent[] = [];
    let devicesPayload: string | undefined;
    observer.on('message', (topic, payload) => {
      const text = payload.toString('utf8');
      if (topic === 'tplink/bridge/devices') devicesPayload = text;
      if (topic !== 'tplink/bridge/event') return;
      const event = JSON.parse(text) as { type?: string; data?: { id?: string; target?: string; reason?: string } };
      if (event.type === 'command_failed' || event.type === 'command_rejected') {
        events.push({ id: event.data?.id ?? event.data?.target ?? '', reason: `${event.type}: ${event.data?.reason ?? ''}`, at: Date.now() });
      }
    });
    await observer.subscribeAsync(['tplink/bridge/event', 'tplink/bridge/devices'], { qos: 1 });
    await until(() => bridgeStarts() >= 1 && devicesPayload !== undefined, 60_000, `the bridge to start\n${output}`);

    const nodes = (JSON.parse(devicesPayload ?? '[]') as ListedNode[]).filter(
      (node) => !node.parentId && node.kind !== 'strip' && cloudOn(sim, simId(node), node.cloud) !== undefined,
    );
    if (nodes.length < wanted) throw new Error(`only ${nodes.length} plain devices, ${wanted} wanted`);
    const commands: Command[] = [];
    const send = async (node: ListedNode): Promise<void> => {
      const on = cloudOn(sim, simId(node), node.cloud) !== true;
      commands.push({ node, on, sentAt: Date.now() });
      await observer?.publishAsync(`tplink/${node.topic}/set`, on ? 'ON' : 'OFF', { qos: 1 });
    };

    sim.clearRequests();
    sim.setFaults({ latencyMs });
    const first = nodes.slice(0, options.queued);
    for (const node of first) await send(node);
    log(`${options.interruption}: ${first.length} commands queued behind a ${latencyMs} ms cloud`);
    const written = (): number => first.filter((node) => writesTo(sim, node).length > 0).length;
    await until(() => written() >= Math.max(1, Math.floor(options.queued / 3)), 60_000, 'a third of the commands written');
    const writtenBefore = written();

    let exitMs: number | undefined;
    const later = nodes.slice(options.queued, wanted);
    const slowAfter = (): void => sim.setFaults({ latencyMs: options.latencyAfterMs ?? latencyMs });
    if (options.interruption === 'broker-restart') {
      await broker.stop();
      slowAfter();
      log(`mosquitto stopped after ${writtenBefore} writes`);
      await sleep(options.downMs ?? 1000);
      await broker.start();
      for (const node of later) await send(node);
    } else {
      const running = child;
      const signalled = Date.now();
      running.kill(options.interruption);
      await exited(running);
      exitMs = Date.now() - signalled;
      slowAfter();
      log(`bridge ${options.interruption} after ${writtenBefore} writes (exit after ${exitMs} ms)`);
      for (const node of later) await send(node);
      await sleep(options.downMs ?? 1000);
      child = startBridge();
    }
    log(`${later.length} more commands published while it was away`);

    const outcome = (command: Command): 'carried_out' | 'failed' | 'expired' | 'pending' => {
      if (cloudOn(sim, simId(command.node), command.node.cloud) === command.on && writesTo(sim, command.node).length > 0) return 'carried_out';
      // command_failed names the node id; command_rejected the topic segment it was sent to.
      const event = events.find((candidate) => (candidate.id === command.node.id || candidate.id === command.node.topic) && candidate.at >= command.sentAt);
      if (event) return event.reason.includes('expired') ? 'expired' : 'failed';
      return 'pending';
    };
    // Everything settles within the ttl (a command older than that is reported expired); then the rest is lost.
    const settleMs = (ttlS + 20) * 1000;
    await until(() => commands.every((command) => outcome(command) !== 'pending'), settleMs, 'every command settled').catch(() => undefined);

    const counts = { carried_out: 0, failed: 0, expired: 0, pending: 0 };
    for (const command of commands) counts[outcome(command)] += 1;
    const duplicated = commands.filter((command) => writesTo(sim, command.node).length > 1).length;
    const lostTopics = commands.filter((command) => outcome(command) === 'pending').map((command) => command.node.topic);
    return {
      interruption: options.interruption,
      sent: commands.length,
      carriedOut: counts.carried_out,
      failed: counts.failed,
      expired: counts.expired,
      lost: counts.pending,
      duplicated,
      writtenBefore,
      ...(exitMs === undefined ? {} : { exitMs }),
      lostTopics,
    };
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- bridge output ---\n${output.slice(-4000)}`, { cause: error });
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited(child), sleep(10_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await observer?.endAsync(true).catch(() => undefined);
    await broker.dispose();
    await sim.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
