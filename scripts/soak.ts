/**
 * Soak: the bridge (embedded broker) against the simulated cloud for N
 * minutes, with random cloud trouble and random commands, judged from the
 * outside. Prints RSS over time and, at the end,
 *   sent N carried_out N failed N lost N
 * and exits non-zero when a command was lost (or a rejection went unhandled).
 *
 *   npm run soak -- --minutes 30
 *   npm run soak -- --seconds 90 [--seed 7] [--command-interval-ms 150]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { Bridge } from '../src/runtime/bridge.js';
import { loadConfig, type AppConfig } from '../src/config/load.js';
import { configForSimulator } from '../src/cli/demo.js';
import type { DeviceNode } from '../src/model/node.js';
import { createLogger, silentLogger } from '../src/logger.js';
import { startSimulator, seededRandom, type Simulator } from 'tplink-cloud-sim';
import { Weather } from './soak-faults.js';
import { Tracker } from './soak-tracker.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    seconds: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'command-interval-ms': { type: 'string', default: '200' },
    'log-level': { type: 'string', default: 'silent' },
  },
});
const durationMs = values.seconds !== undefined ? Number(values.seconds) * 1000 : Number(values.minutes ?? '1') * 60_000;
const commandIntervalMs = Number(values['command-interval-ms']);
if (!(durationMs > 0) || !(commandIntervalMs > 0)) {
  process.stderr.write('usage: npm run soak -- --minutes N | --seconds N [--seed N] [--command-interval-ms N]\n');
  process.exit(2);
}
const PHASE_MS = Math.min(20_000, Math.max(5_000, durationMs / 12));
const SAMPLE_MS = Math.min(30_000, Math.max(5_000, durationMs / 12));

function soakConfig(sim: Simulator): AppConfig {
  const base = loadConfig({ args: [], env: {} });
  return configForSimulator(
    {
      ...base,
      stateDir: mkdtempSync(join(tmpdir(), 'tpcm-soak-')),
      embeddedBroker: { host: '127.0.0.1', port: 0, maxPacketSize: 262_144 },
      poll: { intervalS: 3, listIntervalS: 30, energyIntervalS: 10, settingsIntervalS: 60 },
      firmware: { ...base.firmware, checkIntervalH: 1 },
      rateLimit: { kasaPerSecond: 8, tapoPerSecond: 8 },
      commands: { ...base.commands, ttlS: 15, confirmDelayS: 1 },
      cloud: { requestTimeoutS: 2, retryDeadlineS: 6, authCooldownS: 5 },
    },
    sim,
  );
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)}MB`;

async function main(): Promise<number> {
  const rng = seededRandom(Number(values.seed)); // so a run can be repeated
  const unhandled: unknown[] = [];
  process.on('unhandledRejection', (reason) => unhandled.push(reason));

  const sim = await startSimulator({ recordLimit: 5_000, shadowApplyDelayMs: 200 });
  const config = soakConfig(sim);
  const level = values['log-level'] ?? 'silent';
  const bridge = new Bridge(config, level === 'silent' ? silentLogger() : createLogger({ level, pretty: false }));
  await bridge.start();
  const lostAfterMs = (config.commands.ttlS + config.cloud.retryDeadlineS + 3 * config.cloud.requestTimeoutS) * 1000 + 10_000;
  const tracker = new Tracker(sim, lostAfterMs);
  const weather = new Weather(sim, rng);

  const observer = await mqtt.connectAsync(bridge.broker?.url ?? '', { clientId: 'soak-observer' });
  observer.on('message', (_topic, payload) => tracker.onEvent(payload.toString('utf8'), Date.now()));
  await observer.subscribeAsync('tplink/bridge/event', { qos: 1 });

  const started = Date.now();
  const elapsed = (): string => `${Math.round((Date.now() - started) / 1000)}s`.padStart(6);
  const sample = (): void => {
    const memory = process.memoryUsage();
    const { sent, carried_out: done, failed, lost } = tracker.counts;
    process.stdout.write(
      `t=${elapsed()} rss=${mb(memory.rss)} heap=${mb(memory.heapUsed)} sent=${sent} carried_out=${done} failed=${failed} lost=${lost} pending=${tracker.pending} phase=${weather.phase}\n`,
    );
  };
  process.stdout.write(`soak: ${durationMs / 1000}s, ${bridge.store.size} nodes, a command every ${commandIntervalMs}ms, phases of ${PHASE_MS / 1000}s\n`);
  sample();

  const switchable = (): DeviceNode[] => bridge.store.all().filter((node) => node.kind !== 'strip');
  const timers = [
    setInterval(() => {
      const free = switchable().filter((node) => !tracker.busy(node.id));
      const node = free[Math.floor(rng() * free.length)];
      if (!node) return;
      const on = tracker.send(node, Date.now());
      observer.publish(`${config.mqtt.baseTopic}/${bridge.names.nameOf(node.id) ?? node.id}/set`, on ? 'ON' : 'OFF', { qos: 1 });
    }, commandIntervalMs),
    setInterval(() => weather.next(), PHASE_MS),
    setInterval(() => tracker.check(Date.now()), 100),
    setInterval(sample, SAMPLE_MS),
  ];

  await new Promise((resolve) => setTimeout(resolve, durationMs));
  // Stop sending, let the weather clear, and give every command its full time to settle.
  clearInterval(timers[0]);
  clearInterval(timers[1]);
  weather.calm();
  const settleBy = Date.now() + lostAfterMs + 1000;
  while (tracker.pending > 0 && Date.now() < settleBy) await new Promise((resolve) => setTimeout(resolve, 200));
  tracker.check(Date.now() + (tracker.pending > 0 ? lostAfterMs : 0));
  for (const timer of timers) clearInterval(timer);
  sample();

  await observer.endAsync();
  await bridge.stop();
  await sim.close();
  const { sent, carried_out: done, failed, lost, rejected } = tracker.counts;
  process.stdout.write(`sent ${sent} carried_out ${done} failed ${failed} lost ${lost}\n`);
  if (rejected > 0) process.stdout.write(`(${rejected} command_rejected events: every soak command is valid)\n`);
  if (unhandled.length > 0) process.stdout.write(`unhandled rejections: ${unhandled.length} (first: ${String(unhandled[0])})\n`);
  return lost > 0 || rejected > 0 || unhandled.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
