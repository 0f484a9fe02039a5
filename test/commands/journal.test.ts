/**
 * The command journal on its own (records, damage, compaction, redelivery)
 * and what a bridge does with what a previous run left in it.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from 'tplink-cloud-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandJournal, JOURNAL_FILE } from '../../src/commands/journal.js';
import { silentLogger } from '../../src/logger.js';
import { startHarness, type Harness } from '../bridge/harness.js';
import { captureLogger, relayNodes, simPower, until } from '../reliability/helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tpcm-journal-'));
  dirs.push(dir);
  return dir;
}
let h: Harness | undefined;
let sim: Simulator | undefined;
afterEach(async () => {
  await h?.close();
  await sim?.close();
  h = undefined;
  sim = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const on = Buffer.from('ON');

describe('CommandJournal', () => {
  it('keeps what is open across a reopen, drops what settled, remembers what started', () => {
    const dir = tempDir();
    const journal = CommandJournal.open(dir, silentLogger());
    const a = journal.accept('tplink/a/set', on, { messageId: 1, dup: false }, 1000);
    const b = journal.accept('tplink/b/set', Buffer.from('{"brightness":5}'), { messageId: 2, dup: false }, 2000);
    const c = journal.accept('tplink/c/set', on, { dup: false }, 3000);
    if (!a || !b || !c) throw new Error('not accepted');
    journal.started([b.id]);
    journal.settled(a.id);
    journal.close();

    const reopened = CommandJournal.open(dir, silentLogger());
    expect(reopened.pending.map((entry) => [entry.topic, entry.payload.toString(), entry.receivedAt, entry.started, entry.replayed])).toEqual([
      ['tplink/b/set', '{"brightness":5}', 2000, true, true],
      ['tplink/c/set', 'ON', 3000, false, true],
    ]);
    // Compacted at open: only the open entries are left in the file.
    expect(readFileSync(join(dir, JOURNAL_FILE), 'utf8').trim().split('\n')).toHaveLength(3);
    reopened.close();
  });

  it('ignores a line cut short by a kill and a damaged line, keeps the rest', () => {
    const dir = tempDir();
    const journal = CommandJournal.open(dir, silentLogger());
    journal.accept('tplink/a/set', on, { dup: false }, 1000);
    journal.close();
    appendFileSync(join(dir, JOURNAL_FILE), '{"x":1}\n{"a":9,"t":"tplink/b/se');
    const reopened = CommandJournal.open(dir, silentLogger());
    expect(reopened.pending.map((entry) => entry.topic)).toEqual(['tplink/a/set']);
    reopened.close();
  });

  it('a redelivery (dup) of a command it holds, even from the last run, is not accepted twice; a new message with a reused id is', () => {
    const dir = tempDir();
    const journal = CommandJournal.open(dir, silentLogger());
    journal.accept('tplink/a/set', on, { messageId: 7, dup: false });
    journal.close();
    const reopened = CommandJournal.open(dir, silentLogger());
    expect(reopened.accept('tplink/a/set', on, { messageId: 7, dup: true })).toBeUndefined();
    expect(reopened.accept('tplink/a/set', on, { messageId: 7, dup: false })).toBeDefined();
    expect(reopened.accept('tplink/a/set', Buffer.from('OFF'), { messageId: 7, dup: true })).toBeDefined();
    expect(reopened.pending).toHaveLength(3);
    reopened.close();
  });

  it('compacts itself after many settled commands', () => {
    const dir = tempDir();
    const journal = CommandJournal.open(dir, silentLogger());
    for (let i = 0; i < 6_000; i++) {
      const entry = journal.accept('tplink/a/set', on, { dup: false });
      if (entry) journal.settled(entry.id);
    }
    journal.accept('tplink/b/set', on, { dup: false });
    expect(readFileSync(join(dir, JOURNAL_FILE), 'utf8').trim().split('\n').length).toBeLessThan(2_500);
    journal.close();
    expect(CommandJournal.open(dir, silentLogger()).pending.map((entry) => entry.topic)).toEqual(['tplink/b/set']);
  });
});

describe('a bridge starting with commands kept from its last run', () => {
  it('carries out a fresh one, reports an expired one and an interrupted one, and settles all three', async () => {
    sim = await startSimulator({ shadowApplyDelayMs: 0 });
    const stateDir = tempDir();
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
    expect(reasons[old.id]).toMatch(/^expired: received 3600 s ago/);
    expect(reasons[interrupted.id]).toMatch(/^interrupted: /);
    // Neither was sent: the old one is stale, the interrupted one may have arrived already.
    expect(simPower(sim, old)).toBe(oldBefore);
    expect(simPower(sim, interrupted)).toBe(interruptedBefore);
    await harness.waitFor(() => ['"d":1', '"d":2', '"d":3'].every((line) => readFileSync(join(stateDir, JOURNAL_FILE), 'utf8').includes(line)), 5000, 'all three settled in the journal');
  });
});
