/**
 * Restarts soak: no accepted command is lost, none is carried out twice.
 * For each interruption — SIGKILL of the bridge, SIGTERM of the bridge, a
 * mosquitto restart — `--queued` commands pile up behind a slow cloud, the
 * interruption comes mid-way, `--while-down` more are published, and the
 * bridge goes on. Needs mosquitto (apt-get install mosquitto). Prints per
 * scenario
 *   sent N carried_out N failed N expired N lost N duplicated N
 * and exits non-zero when a command was lost or duplicated.
 *
 *   npm run soak:restarts                       # 120 + 60 per scenario, 300 ms cloud
 *   npm run soak:restarts -- --queued 24 --while-down 12 --only SIGKILL
 *   npm run soak:restarts -- --ttl-s 2 --down-ms 4000   # a long outage: kept commands expire
 */
import { parseArgs } from 'node:util';
import { hasMosquitto } from '../test/reliability/mosquitto.js';
import { runRestartScenario, type Interruption, type ScenarioResult } from './restart-scenario.js';

const { values } = parseArgs({
  options: {
    queued: { type: 'string', default: '120' },
    'while-down': { type: 'string', default: '60' },
    'latency-ms': { type: 'string', default: '300' },
    'ttl-s': { type: 'string', default: '120' },
    'down-ms': { type: 'string', default: '1000' },
    only: { type: 'string' },
  },
});

const ALL: Interruption[] = ['SIGKILL', 'SIGTERM', 'broker-restart'];

function line(result: ScenarioResult): string {
  const exit = result.exitMs === undefined ? '' : ` exit_ms ${result.exitMs}`;
  return `${result.interruption.padEnd(14)} sent ${result.sent} carried_out ${result.carriedOut} failed ${result.failed} expired ${result.expired} lost ${result.lost} duplicated ${result.duplicated} (written before the interruption: ${result.writtenBefore}${exit})`;
}

async function main(): Promise<number> {
  if (!hasMosquitto) {
    process.stderr.write('soak:restarts needs mosquitto (apt-get install mosquitto)\n');
    return 2;
  }
  const scenarios = values.only ? ALL.filter((name) => name === values.only) : ALL;
  if (scenarios.length === 0) {
    process.stderr.write(`--only takes one of ${ALL.join(', ')}\n`);
    return 2;
  }
  let bad = 0;
  for (const interruption of scenarios) {
    const result = await runRestartScenario({
      interruption,
      queued: Number(values.queued),
      whileDown: Number(values['while-down']),
      latencyMs: Number(values['latency-ms']),
      ttlS: Number(values['ttl-s']),
      downMs: Number(values['down-ms']),
      log: (text) => process.stdout.write(`  ${text}\n`),
    });
    process.stdout.write(`${line(result)}\n`);
    if (result.lost > 0) process.stdout.write(`  lost: ${result.lostTopics.join(', ')}\n`);
    if (result.lost > 0 || result.duplicated > 0) bad += 1;
  }
  return bad > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak:restarts failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
