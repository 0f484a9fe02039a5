/**
 * No accepted command is lost across a restart, none is carried out twice:
 * scripts/restart-scenario.ts (the `npm run soak:restarts` engine) at a
 * small count. Before the command journal, SIGKILL lost most queued
 * commands, SIGTERM reported them failed ("shutdown"), and the persistent
 * session's backlog was rejected as "unknown device".
 *
 * The three interruptions run side by side (each has its own simulator,
 * mosquitto and bridge process): a scenario mostly waits. The cloud is slow
 * (300 ms a request) until the interruption, which is what keeps commands
 * queued; after it, quick, so the restarted bridge's start-up reads of some
 * forty devices do not hold the test up. The bridge is the compiled command
 * line (test/helpers/cli.ts), which starts in half the time of tsx.
 */
import { describe, expect, it } from 'vitest';
import { runRestartScenario, type Interruption } from '../../scripts/restart-scenario.js';
import { CLI } from '../helpers/cli.js';
import { hasMosquitto } from './mosquitto.js';

describe.skipIf(!hasMosquitto).concurrent('restarts with commands queued (persistent mosquitto)', () => {
  it.each<Interruption>(['SIGKILL', 'SIGTERM', 'broker-restart'])('%s: every command carried out or reported, none lost, none twice', async (interruption) => {
    const result = await runRestartScenario({ interruption, queued: 12, whileDown: 6, latencyMs: 300, latencyAfterMs: 20, downMs: 300, ttlS: 60, cli: [CLI] });
    expect(result.sent).toBe(18);
    expect(result.writtenBefore, 'commands were still queued at the interruption').toBeLessThan(12);
    expect(result.lost, `lost: ${result.lostTopics.join(', ')}`).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.carriedOut + result.failed + result.expired).toBe(result.sent);
    // SIGKILL mid-request may leave one or more "interrupted" (reported, never re-sent); nothing else fails.
    if (interruption !== 'SIGKILL') expect(result.failed + result.expired).toBe(0);
    if (interruption === 'SIGTERM') expect(result.exitMs).toBeLessThan(10_000);
  }, 60_000);
});
