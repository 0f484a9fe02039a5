/**
 * A command issued while the cloud is failing is either carried out after
 * recovery (within its time-to-live and the retry deadline) or reported as
 * `command_failed` naming its device — never silently dropped.
 *
 * Each case has a simulator and bridge of its own, so the cases run side by side.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceNode } from '../../src/model/node.js';
import type { FaultKind } from 'tplink-cloud-sim';
import { startHarness, type Harness } from '../bridge/harness.js';
import { events, relayNodes, simDesiredOn, simPower, sleep, until, watchUnhandled } from './helpers.js';

interface CaseConfig {
  retryDeadlineS: number;
  ttlS: number;
  requestTimeoutS?: number;
}

/** Runs `body` on a bridge of its own; no unhandled rejection may happen meanwhile. */
async function withBridge(config: CaseConfig, body: (harness: Harness) => Promise<void>): Promise<void> {
  const stopWatching = watchUnhandled();
  const harness = await startHarness({
    config: {
      cloud: { retryDeadlineS: config.retryDeadlineS, requestTimeoutS: config.requestTimeoutS ?? 0.3 },
      commands: { ttlS: config.ttlS },
    },
  });
  try {
    await harness.waitForMessage('tplink/bridge/info');
    await body(harness);
  } finally {
    await harness.close();
  }
  expect(stopWatching()).toEqual([]);
}

interface Sent {
  node: DeviceNode;
  wanted: 'ON' | 'OFF';
}

/** Sends the opposite of each node's current state, all at once. */
async function sendOpposites(harness: Harness, nodes: DeviceNode[]): Promise<Sent[]> {
  const sent = nodes.map((node): Sent => ({ node, wanted: simPower(harness.sim, node) === 'ON' ? 'OFF' : 'ON' }));
  await Promise.all(sent.map(({ node, wanted }) => harness.publish(`tplink/${harness.nameOf(node.id)}/set`, wanted)));
  return sent;
}

function carriedOut(harness: Harness, { node, wanted }: Sent): boolean {
  if (node.cloud === 'tapo') return simDesiredOn(harness.sim, node) === (wanted === 'ON');
  return simPower(harness.sim, node) === wanted;
}

function reportedFailed(harness: Harness, { node }: Sent, from: number): boolean {
  return events(harness, 'command_failed', from).some((event) => event.data.id === node.id);
}

async function outage(harness: Harness, kind: FaultKind, ms: number): Promise<void> {
  harness.sim.setFaults({ errorRate: 1, errorKinds: [kind] });
  await sleep(ms);
  harness.sim.setFaults({ errorRate: 0 });
}

describe.concurrent('commands during a cloud outage', () => {
  it.each<FaultKind>(['http500', 'busy', 'reset'])('a short %s outage: carried out on recovery, nothing reported failed', (kind) =>
    withBridge({ retryDeadlineS: 3, ttlS: 5 }, async (harness) => {
    const from = harness.messages.length;
    const targets = [...relayNodes(harness, 'kasa').slice(0, 3), ...relayNodes(harness, 'tapo').slice(0, 2)];
    const ended = outage(harness, kind, 600);
    const sent = await sendOpposites(harness, targets);
    await ended;
    await until(() => sent.every((command) => carriedOut(harness, command)), 5000, 'every command carried out');
    expect(events(harness, 'command_failed', from)).toEqual([]);
  }));

  it('an outage longer than the retry deadline: every command reported failed, the real state republished', () =>
    withBridge({ retryDeadlineS: 0.5, ttlS: 5 }, async (harness) => {
    const from = harness.messages.length;
    const targets = [...relayNodes(harness, 'kasa').slice(0, 3), ...relayNodes(harness, 'tapo').slice(0, 2)];
    harness.sim.setFaults({ errorRate: 1, errorKinds: ['http500'] });
    const sent = await sendOpposites(harness, targets);
    await until(() => sent.every((command) => reportedFailed(harness, command, from)), 5000, 'every command reported failed');
    harness.sim.setFaults({ errorRate: 0 });
    for (const command of sent) {
      expect(carriedOut(harness, command), command.node.name).toBe(false);
      const published = harness.lastJson<{ state?: string }>(`tplink/${harness.nameOf(command.node.id)}`)?.state;
      expect(published, command.node.name).not.toBe(command.wanted);
    }
    expect(events(harness, 'command_failed', from)).toHaveLength(sent.length);
  }));

  it('commands stuck behind a hanging cloud: each one carried out or failed (expired), none lost', () =>
    withBridge({ retryDeadlineS: 2.5, ttlS: 0.5, requestTimeoutS: 0.2 }, async (harness) => {
    const from = harness.messages.length;
    // Eight Kasa commands, four request slots: the first four hang and retry, the rest wait in the queue.
    const targets = relayNodes(harness, 'kasa').filter((node) => !node.parentId).slice(0, 4);
    targets.push(...relayNodes(harness, 'kasa').filter((node) => node.parentId).slice(0, 4));
    expect(targets).toHaveLength(8);
    const ended = outage(harness, 'timeout', 900);
    const sent = await sendOpposites(harness, targets);
    await ended;
    const settled = (command: Sent): boolean => carriedOut(harness, command) || reportedFailed(harness, command, from);
    await until(() => sent.every(settled), 6000, 'every command settled');
    const done = sent.filter((command) => carriedOut(harness, command));
    const failed = sent.filter((command) => reportedFailed(harness, command, from));
    expect(done.length + failed.length).toBe(sent.length);
    expect(done.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    for (const event of events(harness, 'command_failed', from)) expect(String(event.data.reason)).toMatch(/expired|transient/);
  }));
});
