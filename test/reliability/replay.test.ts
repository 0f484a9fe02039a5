/**
 * A bridge starting with commands kept in its journal from the last run:
 * a fresh one is carried out, one older than commands.ttlS is reported
 * expired, one whose request was on its way is reported interrupted; the
 * last two are never sent, and all three are settled.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type Simulator } from 'tplink-cloud-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../src/commands/journal.js';
import { startHarness, type Harness } from '../bridge/harness.js';
import { tempDir } from '../helpers/temp.js';
import { captureLogger, relayNodes, simPower, until } from './helpers.js';

let h: Harness | undefined;
let sim: Simulator | undefined;
afterEach(async () => {
  await h?.close();
  await sim?.close();
  h = undefined;
  sim = undefined;
});

describe('a bridge starting with commands kept from its last run', () => {
  it('carries out a fresh one, reports an expired one and an interrupted one, and settles all three', async () => {
    sim = await startSimulator({ shadowApplyDelayMs: 0 });
    const stateDir = tempDir('tpcm-replay-');
    h = await startHarness({ simulator: sim, stateDir });
    const [fresh, old, interrupted] = relayNodes(h, 'kasa');
    if (!fresh || !old || !interrupted) throw new Error('not enough plugs');
    const first = h;
    const names = new Map([fresh, old, interrupted].map((node) => [node.id, first.nameOf(node.id)]));
    const topic = (nodeId: string): string => `tplink/${names.get(nodeId) ?? ''}/set`;
    const wanted = simPower(sim, fresh) === 'ON' ? 'OFF' : 'ON';
    const oldBefore = simPower(sim, old);
    const interruptedBefore = simPower(sim, interrupted);
    await h.close();
    h = undefined;

    const lines = [
      { a: 1, t: topic(old.id), p: Buffer.from(oldBefore === 'ON' ? 'OFF' : 'ON').toString('base64'), at: Date.now() - 3_600_000 },
      { a: 2, t: topic(interrupted.id), p: Buffer.from(interruptedBefore === 'ON' ? 'OFF' : 'ON').toString('base64'), at: Date.now() - 1000 },
      { s: [2] },
      { a: 3, t: topic(fresh.id), p: Buffer.from(wanted).toString('base64'), at: Date.now() - 1000 },
    ];
    writeFileSync(join(stateDir, JOURNAL_FILE), `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);

    // The events go out during start-up, before a test client can subscribe to the embedded broker: read them
    // from the log (test/reliability/restarts.test.ts sees them on MQTT, against mosquitto).
    const captured = captureLogger('warn');
    h = await startHarness({ simulator: sim, stateDir, logger: captured.logger });
    const harness = h;
    await until(() => simPower(sim as Simulator, fresh) === wanted, 5000, 'the fresh command carried out');
    const failures = (): { node: string; reason: string }[] =>
      captured.lines.map((line) => JSON.parse(line) as { msg: string; node: string; reason: string }).filter((line) => line.msg === 'command failed');
    await harness.waitFor(() => failures().length >= 2, 5000, 'two failed commands');
    const reasons = Object.fromEntries(failures().map((line) => [line.node, line.reason]));
    expect(reasons[old.id]).toMatch(/^expired: received 36\d\d s ago, longer than commands\.ttlS/);
    expect(reasons[interrupted.id]).toMatch(/^interrupted: /);
    // Neither was sent: the old one is stale, the interrupted one may have arrived already.
    expect(simPower(sim, old)).toBe(oldBefore);
    expect(simPower(sim, interrupted)).toBe(interruptedBefore);
    await harness.waitFor(() => ['"d":1', '"d":2', '"d":3'].every((line) => readFileSync(join(stateDir, JOURNAL_FILE), 'utf8').includes(line)), 5000, 'all three settled in the journal');
  });
});
