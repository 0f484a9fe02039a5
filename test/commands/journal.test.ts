/**
 * The command journal on its own: records, damage, compaction, redelivery.
 * What a bridge does with what a previous run left in it:
 * test/reliability/replay.test.ts.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandJournal, JOURNAL_FILE } from '../../src/commands/journal.js';
import { silentLogger } from '../../src/logger.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tpcm-journal-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
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
  it('holdWrites: what is accepted is written when the run ends, or at once with a started line (the request is never sent before it)', () => {
    const dir = tempDir();
    const file = join(dir, JOURNAL_FILE);
    const lines = (): string[] => readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
    const journal = CommandJournal.open(dir, silentLogger());

    // Accepted, not started (it waits in its queue): written as the run ends, before the message is acknowledged.
    journal.holdWrites(() => {
      journal.accept('tplink/a/set', on, { messageId: 1, dup: false }, 1000);
      expect(lines()).toEqual([]);
    });
    expect(lines()).toHaveLength(1);

    // Accepted and started in one run: both lines are in the file once started() returns.
    journal.holdWrites(() => {
      const b = journal.accept('tplink/b/set', on, { messageId: 2, dup: false }, 2000);
      if (!b) throw new Error('not accepted');
      journal.started([b.id]);
      expect(lines().map((line) => Object.keys(JSON.parse(line) as object)[0])).toEqual(['a', 'a', 's']);
    });
    expect(lines()).toHaveLength(3);

    // A run that throws still writes what it accepted.
    expect(() =>
      journal.holdWrites(() => {
        journal.accept('tplink/c/set', on, { messageId: 3, dup: false }, 3000);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    journal.close();
    const reopened = CommandJournal.open(dir, silentLogger());
    expect(reopened.pending.map((entry) => [entry.topic, entry.started])).toEqual([
      ['tplink/a/set', false],
      ['tplink/b/set', true],
      ['tplink/c/set', false],
    ]);
    reopened.close();
  });
});
