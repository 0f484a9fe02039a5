/**
 * Flood: what a burst of MQTT traffic costs the bridge. The real CLI
 * (`tplink-cloud-mqtt run`, embedded broker) against the simulated cloud;
 * RSS read from /proc while idle, then during `--seconds` of `--rate`
 * messages a second of every kind (valid sets, sets for unknown devices,
 * bad payloads, malformed topics, refresh / info / unknown requests, gets,
 * large payloads), then SIGTERM. Prints
 *   idle_rss_mb N peak_rss_mb N growth_mb N list_reads N exit_ms N
 * and exits non-zero when RSS grew by more than 50 MB, list reads exceeded
 * one refresh, or the exit took 10 s or more.
 *
 *   npm run flood                       # 10 s at 5,000 messages/s
 *   npm run flood -- --seconds 5 --rate 2000
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { startSimulator } from 'tplink-cloud-sim';
import { cliEnv, freePort, sleep } from '../test/reliability/helpers.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '5000' },
    'log-level': { type: 'string', default: 'info' },
    kinds: { type: 'string' },
  },
});
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const ROOT = resolve(import.meta.dirname, '..');
const LIMIT_MB = 50;
/** What the Docker image runs node with (Dockerfile ENTRYPOINT), so the figure is the one users get. */
const NODE_FLAGS = ['--max-semi-space-size=4'];

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** The bridge is up once its embedded broker answers and it has published its device list. */
async function connectWhenUp(port: number): Promise<mqtt.MqttClient> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 1000 });
    const connected = await new Promise<boolean>((done) => {
      client.once('connect', () => done(true));
      client.once('error', () => done(false));
      client.once('close', () => done(false));
    });
    if (connected) {
      client.on('error', () => undefined);
      return client;
    }
    client.end(true);
    if (Date.now() > deadline) throw new Error('the bridge did not come up');
    await sleep(200);
  }
}

async function main(): Promise<number> {
  const sim = await startSimulator({ shadowApplyDelayMs: 0, recordLimit: 10_000 });
  const port = await freePort();
  // Realistic settings: the default rate limits and poll pace (lists every 10 min).
  const env = cliEnv(sim, port, {
    TPCM_RATE_LIMIT_KASA_PER_SECOND: '5',
    TPCM_RATE_LIMIT_TAPO_PER_SECOND: '5',
    TPCM_POLL_INTERVAL_S: '30',
    TPCM_LOG_LEVEL: 'error',
  });
  const child = spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', 'src/cli.ts', 'run'], { cwd: ROOT, env: { ...env, TPCM_LOG_LEVEL: values['log-level'] }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  const pid = child.pid ?? 0;
  try {
    const client = await connectWhenUp(port);
    const devices = await new Promise<{ topic: string; kind: string }[]>((done) => {
      client.on('message', (_topic, payload) => done(JSON.parse(payload.toString('utf8')) as { topic: string; kind: string }[]));
      void client.subscribeAsync('tplink/bridge/devices', { qos: 1 });
    });
    await client.unsubscribeAsync('tplink/bridge/devices');
    const names = devices.filter((device) => device.kind !== 'strip').map((device) => device.topic);

    // Idle: let start-up garbage settle, then the figure everything is compared to.
    await sleep(5000);
    const idle = rssMb(pid);
    sim.clearRequests();
    // Over the longest command (4 KiB): rejected unrecorded. 100 kB payloads at this rate (~35 MB/s through
    // the in-process broker) cost more; the broker's maxPacketSize bounds each one (README, Reliability).
    const big = 'x'.repeat(8_000);
    const kinds: ((i: number) => [string, string])[] = [
      (i) => [`tplink/${names[i % names.length] ?? 'x'}/set`, i % 2 === 0 ? 'ON' : 'OFF'],
      (i) => [`tplink/no_such_device_${i}/set`, 'ON'],
      (i) => [`tplink/${names[i % names.length] ?? 'x'}/set`, `{"brightness": "${i}"`],
      () => ['tplink//set', 'ON'],
      (i) => ['tplink/bridge/request/refresh', `{"transaction":${i}}`],
      () => ['tplink/bridge/request/info', ''],
      (i) => [`tplink/bridge/request/${'k'.repeat(1000)}${i}`, ''],
      (i) => [`tplink/${names[i % names.length] ?? 'x'}/get`, ''],
      (i) => [`tplink/${names[i % names.length] ?? 'x'}/set/brightness`, big],
    ];
    const chosen = values.kinds ? values.kinds.split(',').map(Number).map((index) => kinds[index] as (i: number) => [string, string]) : kinds;
    kinds.splice(0, kinds.length, ...chosen);
    let peak = idle;
    let sent = 0;
    const started = Date.now();
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 200);
    const perTick = Math.ceil(RATE / 100);
    while (Date.now() - started < SECONDS * 1000) {
      const tickStart = Date.now();
      for (let j = 0; j < perTick; j++) {
        const [topic, payload] = (kinds[sent % kinds.length] as (i: number) => [string, string])(sent);
        client.publish(topic, payload, { qos: 0 });
        sent += 1;
      }
      await sleep(Math.max(0, 10 - (Date.now() - tickStart)));
    }
    const elapsedS = (Date.now() - started) / 1000;
    await sleep(2000);
    peak = Math.max(peak, rssMb(pid));
    clearInterval(sampler);
    await client.endAsync();
    const listReads = sim.requests.filter((request) => request.api === 'getDeviceList' || request.api === 'things').length;

    const signalled = Date.now();
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
    const exitMs = Date.now() - signalled;
    const growth = peak - idle;
    process.stdout.write(
      `flood: ${sent} messages in ${elapsedS.toFixed(1)} s (${Math.round(sent / elapsedS)}/s, ${kinds.length} kinds)\n` +
        `idle_rss_mb ${idle.toFixed(1)} peak_rss_mb ${peak.toFixed(1)} growth_mb ${growth.toFixed(1)} list_reads ${listReads} exit_ms ${exitMs}\n`,
    );
    // One Kasa list and one Tapo things page for the one explicit refresh; every other refresh merged.
    return growth > LIMIT_MB || exitMs >= 10_000 || listReads > 2 ? 1 : 0;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sim.close();
    rmSync(env.TPCM_STATE_DIR ?? '', { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`flood failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
