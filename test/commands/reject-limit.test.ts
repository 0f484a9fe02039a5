/**
 * Reports of rejected sets share the runtime's bound on answers in progress:
 * a flood of bad sets cannot pile up unbounded event publishes (each waits on
 * the broker); past the bound a rejection is only counted in `overloaded`.
 */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { CommandHandler, type CommandDeps } from '../../src/commands/handler.js';
import { IntakeLimit } from '../../src/runtime/intake-limit.js';

describe('CommandHandler.reject under a flood', () => {
  it('publishes at most the bound at once; the rest are counted as command_rejected', async () => {
    const reports: [number, Record<string, number>][] = [];
    const limit = new IntakeLimit(2, (dropped, byKind) => reports.push([dropped, byKind]));
    const events: unknown[] = [];
    const gates: (() => void)[] = [];
    const publisher = {
      event: (_type: string, data: unknown) => {
        events.push(data);
        return new Promise<void>((resolve) => gates.push(resolve));
      },
    };
    const deps = { publisher, logger: pino({ level: 'silent' }), limit: (kind: string, work: () => Promise<void>) => limit.run(kind, work) };
    const handler = new CommandHandler(deps as unknown as CommandDeps);

    const first = handler.reject('lamp', 'bad payload', Buffer.from('{'));
    const second = handler.reject('no_such', 'unknown device', Buffer.from('ON'));
    await handler.reject('x', 'bad payload', Buffer.from('}')); // over the bound: settles at once, unpublished
    expect(events).toEqual([
      { target: 'lamp', reason: 'bad payload', payload: '{' },
      { target: 'no_such', reason: 'unknown device', payload: 'ON' },
    ]);
    limit.flush();
    expect(reports).toEqual([[1, { command_rejected: 1 }]]);
    for (const open of gates) open();
    await Promise.all([first, second]);
    // Room again: the next rejection has its own event.
    const third = handler.reject('y', 'bad payload', Buffer.from('x'));
    expect(events).toHaveLength(3);
    gates.at(-1)?.();
    await third;
  });
});
