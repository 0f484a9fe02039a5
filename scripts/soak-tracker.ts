/**
 * Soak bookkeeping: every command sent and what became of it, judged from
 * outside the bridge — carried out (the simulated device reached the wanted
 * state), failed (a `command_failed` event named the node), or lost
 * (neither, well after its time-to-live and retry deadline).
 */
import type { DeviceNode } from '../src/model/node.js';
import type { Simulator } from 'tplink-cloud-sim';
import { cloudOn, simId } from '../test/reliability/helpers.js';

export type Outcome = 'pending' | 'carried_out' | 'failed' | 'lost';

interface Command {
  node: DeviceNode;
  on: boolean;
  sentAt: number;
  outcome: Outcome;
}

export class Tracker {
  readonly #commands: Command[] = [];
  /** node id -> times of command_failed events naming it. */
  readonly #failures = new Map<string, number[]>();
  readonly counts: Record<Exclude<Outcome, 'pending'> | 'sent' | 'rejected', number> = {
    sent: 0,
    carried_out: 0,
    failed: 0,
    lost: 0,
    rejected: 0,
  };

  constructor(
    private readonly sim: Simulator,
    /** After this long without an outcome a command counts as lost. */
    private readonly lostAfterMs: number,
  ) {}

  busy(nodeId: string): boolean {
    return this.#commands.some((command) => command.outcome === 'pending' && command.node.id === nodeId);
  }

  get pending(): number {
    return this.#commands.filter((command) => command.outcome === 'pending').length;
  }

  /** Records a command about to be published; returns the wanted state. */
  send(node: DeviceNode, now: number): boolean {
    const on = cloudOn(this.sim, simId(node), node.cloud) !== true;
    this.#commands.push({ node, on, sentAt: now, outcome: 'pending' });
    this.counts.sent += 1;
    return on;
  }

  onEvent(payload: string, now: number): void {
    let event: { type?: string; data?: { id?: unknown } };
    try {
      event = JSON.parse(payload) as typeof event;
    } catch {
      return;
    }
    if (event.type === 'command_rejected') this.counts.rejected += 1;
    if (event.type !== 'command_failed' || typeof event.data?.id !== 'string') return;
    const times = this.#failures.get(event.data.id) ?? [];
    times.push(now);
    this.#failures.set(event.data.id, times);
  }

  /** Settles what can be settled now. */
  check(now: number): void {
    for (const command of this.#commands) {
      if (command.outcome !== 'pending') continue;
      if (cloudOn(this.sim, simId(command.node), command.node.cloud) === command.on) command.outcome = 'carried_out';
      else if ((this.#failures.get(command.node.id) ?? []).some((at) => at >= command.sentAt)) command.outcome = 'failed';
      else if (now - command.sentAt > this.lostAfterMs) command.outcome = 'lost';
      if (command.outcome !== 'pending') this.counts[command.outcome] += 1;
    }
    // Keep memory flat over long runs: settled commands only live on in the counts.
    for (let i = this.#commands.length - 1; i >= 0; i--) {
      if (this.#commands[i]?.outcome !== 'pending') this.#commands.splice(i, 1);
    }
    for (const [id, times] of this.#failures) {
      const recent = times.filter((at) => now - at < this.lostAfterMs * 2);
      if (recent.length === 0) this.#failures.delete(id);
      else this.#failures.set(id, recent);
    }
  }
}
