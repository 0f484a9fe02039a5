/**
 * Bounded work for messages that are not commands (`get`s, bridge requests,
 * Home Assistant's status): at most `max` in progress at once. One more is
 * dropped unanswered and counted; the count goes out at most once per
 * interval (an `overloaded` event and a warning), never one line per
 * message. Commands (`set`) never pass here: each is journaled and carried
 * out or reported (commands/intake.ts).
 */
export type OverloadReport = (dropped: number, byKind: Record<string, number>) => void;

export class IntakeLimit {
  #busy = 0;
  #dropped = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly max: number,
    private readonly report: OverloadReport,
    private readonly intervalMs = 1_000,
  ) {}

  get busy(): number {
    return this.#busy;
  }

  /** Runs `work` unless `max` messages are in progress; false when it was dropped. */
  async run(kind: string, work: () => Promise<void>): Promise<boolean> {
    if (this.#busy >= this.max) {
      this.#drop(kind);
      return false;
    }
    this.#busy += 1;
    try {
      await work();
    } finally {
      this.#busy -= 1;
    }
    return true;
  }

  /** Reports what is still counted (at stop), and stops the timer. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#dropped.size === 0) return;
    const byKind = Object.fromEntries(this.#dropped);
    this.#dropped = new Map();
    this.report(
      Object.values(byKind).reduce((sum, count) => sum + count, 0),
      byKind,
    );
  }

  #drop(kind: string): void {
    this.#dropped.set(kind, (this.#dropped.get(kind) ?? 0) + 1);
    if (this.#timer) return;
    this.#timer = setTimeout(() => this.flush(), this.intervalMs);
    this.#timer.unref();
  }
}
