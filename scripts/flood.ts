/**
 * Flood: what a burst of MQTT traffic costs the bridge. The real CLI
 * (`tplink-cloud-mqtt run`, embedded broker) against the simulated cloud;
 * RSS read from /proc while idle, then during `--seconds` of `--rate`
 * messages a second of every kind (valid sets, sets for unknown devices,
 * bad payloads, malformed topics, refresh / info / unknown requests, gets,
 * large payloads), then SIGTERM. The flooder paces itself by the clock and
 * says what it really offered (a slow machine offers less than asked); an
 * observer counts the bridge's answers (command_rejected events, request
 * responses) and `overloaded` drops, so what was handled is shown beside
 * what was sent. Prints
 *   offered N/s of N/s asked, answered N of N (N/s), dropped_overloaded N
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
    // Each kind, and whether the bridge answers it on bridge/event or bridge/response (sets that are
    // carried out and gets answer with state, merged per device: not counted).
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
    const ANSWERED = [false, true, true, true, true, true, true, false, true];
    const indexes = values.kinds ? values.kinds.split(',').map(Number) : kinds.map((_kind, index) => index);
    const chosen = indexes.map((index) => kinds[index] as (i: number) => [string, string]);
    const answers = indexes.map((index) => ANSWERED[index] ?? false);
    kinds.splice(0, kinds.length, ...chosen);

    const observer = await connectWhenUp(port);
    let answered = 0;
    let droppedOverloaded = 0;
    let lastAnswerAt = 0;
    observer.on('message', (topic, payload) => {
      lastAnswerAt = Date.now();
      if (topic.startsWith('tplink/bridge/response/')) answered += 1;
      else {
        const event = JSON.parse(payload.toString('utf8')) as { type: string; data: { dropped?: number } };
        if (event.type === 'command_rejected') answered += 1;
        if (event.type === 'overloaded') droppedOverloaded += event.data.dropped ?? 0;
      }
    });
    await observer.subscribeAsync(['tplink/bridge/event', 'tplink/bridge/response/#'], { qos: 0 });
    let peak = idle;
    let sent = 0;
    let expectAnswers = 0;
    const started = Date.now();
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 200);
    const stream = client.stream as { writableLength?: number };
    // Paced by the clock: as many as `rate` x elapsed asks for, so a late tick catches up
    // (the old 10 ms ticks offered 3,300-4,500/s of 5,000 on a loaded machine).
    while (Date.now() - started < SECONDS * 1000) {
      const due = Math.floor(((Date.now() - started) / 1000) * RATE);
      while (sent < due) {
        const kind = sent % kinds.length;
        const [topic, payload] = (kinds[kind] as (i: number) => [string, string])(sent);
        client.publish(topic, payload, { qos: 0 });
        if (answers[kind]) expectAnswers += 1;
        sent += 1;
      }
      await sleep(2);
    }
    const elapsedS = (Date.now() - started) / 1000;
    // Offered = written to the socket: what MQTT.js still buffers has not reached the broker yet.
    while ((stream.writableLength ?? 0) > 0 && Date.now() - started < SECONDS * 1000 + 30_000) await sleep(20);
    const flushedS = (Date.now() - started) / 1000;
    // Then until the answers stop (or 30 s).
    while (Date.now() - Math.max(lastAnswerAt, started + SECONDS * 1000) < 2000 && Date.now() - started < SECONDS * 1000 + 30_000) await sleep(100);
    peak = Math.max(peak, rssMb(pid));
    clearInterval(sampler);
    await client.endAsync();
    await observer.endAsync();
    const answeringS = (Math.max(lastAnswerAt, started) - started) / 1000;
    const listReads = sim.requests.filter((request) => request.api === 'getDeviceList' || request.api === 'things').length;

    const signalled = Date.now();
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
    const exitMs = Date.now() - signalled;
    const growth = peak - idle;
    process.stdout.write(
      `flood: ${sent} messages in ${elapsedS.toFixed(1)} s, ${kinds.length} kinds; on the wire by ${flushedS.toFixed(1)} s\n` +
        `offered ${Math.round(sent / Math.max(elapsedS, flushedS))}/s of ${RATE}/s asked, answered ${answered} of ${expectAnswers} (${Math.round(answered / Math.max(answeringS, 0.001))}/s until ${answeringS.toFixed(1)} s), dropped_overloaded ${droppedOverloaded}\n` +
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
