/**
 * Tapo shadows are versioned: a PATCH with a stale version answers 409.
 * Under concurrent commands, with the versions the bridge knows made stale
 * behind its back (the app, a button), the final state is the last command
 * and no command is retried more than once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from 'tplink-cloud-sim';
import { startHarness, type Harness } from '../bridge/harness.js';
import { events, relayNodes, simDesiredOn, simId, sleep, until } from './helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.waitForMessage('tplink/bridge/info');
});
afterAll(async () => {
  await h.close();
});

function patchesOf(thingName: string): RecordedRequest[] {
  return h.sim.requests.filter((request) => request.api === 'shadows.patch' && request.deviceId === thingName);
}

/** Another client changed the shadow: its version moves on, the state does not. */
function bumpVersion(thingName: string): void {
  const reported = h.sim.deviceState(thingName)?.reported as { on?: boolean } | undefined;
  h.sim.setDeviceState(thingName, { on: reported?.on ?? false });
}

describe('Tapo version conflicts under concurrent commands', () => {
  it('five rounds of bursts on every Tapo node with stale versions: last command wins, at most one retry per command', async () => {
    const nodes = relayNodes(h, 'tapo');
    expect(nodes.length).toBeGreaterThanOrEqual(5);
    const from = h.messages.length;
    let conflicts = 0;
    for (let round = 0; round < 5; round++) {
      h.sim.clearRequests();
      for (const node of nodes) bumpVersion(simId(node));
      const last = new Map<string, boolean>();
      const burst: Promise<void>[] = [];
      for (let i = 0; i < 6; i++) {
        for (const node of nodes) {
          const on = (i + round) % 2 === 0;
          last.set(node.id, on);
          burst.push(h.publish(`tplink/${h.nameOf(node.id)}/set`, on ? 'ON' : 'OFF'));
        }
        // A second outside change in the middle of the burst, for half of the nodes.
        if (i === 2) for (const node of nodes.slice(0, Math.ceil(nodes.length / 2))) bumpVersion(simId(node));
      }
      await Promise.all(burst);
      await until(() => nodes.every((node) => simDesiredOn(h.sim, node) === last.get(node.id)), 5000, `round ${round}: last command applied`);
      await h.waitFor(() => [...h.bridge.queues.values()].every((queue) => queue.size === 0 && queue.pending === 0), 3000, 'queues idle');
      await sleep(200); // the confirmation reads (commands.confirmDelayS) are done before the next round's bump

      for (const node of nodes) {
        const statuses = patchesOf(simId(node)).map((request) => request.status);
        conflicts += statuses.filter((status) => status === 409).length;
        // Coalescing: six commands cost at most the running one and the merged one, each with at most one retry.
        expect(statuses.length, `${node.name} round ${round}: ${statuses.join(',')}`).toBeLessThanOrEqual(4);
        statuses.forEach((status, index) => {
          // A conflict is retried once, and that retry is accepted: never two conflicts in a row.
          if (status === 409) expect(statuses[index + 1], `${node.name}: ${statuses.join(',')}`).toBe(200);
        });
      }
    }
    // The stale versions really were hit (a read that lands between a bump and a patch may spare one).
    expect(conflicts).toBeGreaterThanOrEqual((5 * nodes.length) / 2);
    expect(events(h, 'command_failed', from)).toEqual([]);
  });
});
