/**
 * The simulated cloud as the benchmarks use it: a clock that can be frozen
 * (so a poll with nothing changed really has nothing changed: energy
 * counters follow the simulator's clock) and sub-millisecond arrival times
 * for recorded requests, with waiters for "the first request like this".
 *
 * The simulator stamps `RecordedRequest.time` with Date.now() (1 ms
 * resolution). The benchmarks stamp each record again, with the
 * high-resolution clock, at the moment the simulator appends it to its
 * request log (after reading the body, like its own stamp).
 */
import { startSimulator, type RecordedRequest, type Simulator, type SimulatorOptions } from 'tplink-cloud-sim';
import { nowMs } from './stats.js';

export class SimClock {
  #frozenAt: number | undefined;
  readonly now = (): number => this.#frozenAt ?? Date.now();
  freeze(): void {
    this.#frozenAt = Date.now();
  }
  resume(): void {
    this.#frozenAt = undefined;
  }
}

interface Waiter {
  match: (request: RecordedRequest) => boolean;
  resolve: (request: RecordedRequest) => void;
  timer: NodeJS.Timeout;
}

export class BenchSimulator {
  readonly #arrivals = new WeakMap<RecordedRequest, number>();
  readonly #waiters = new Set<Waiter>();

  private constructor(
    readonly sim: Simulator,
    readonly clock: SimClock,
  ) {
    const log = sim.requests as RecordedRequest[];
    const push = log.push.bind(log);
    // The log keeps its identity (clearRequests empties it in place), so this hook lasts.
    log.push = (...items: RecordedRequest[]): number => {
      const at = nowMs();
      for (const item of items) this.#arrived(item, at);
      return push(...items);
    };
  }

  static async start(options: SimulatorOptions): Promise<BenchSimulator> {
    const clock = new SimClock();
    const sim = await startSimulator({ host: '127.0.0.1', shadowApplyDelayMs: 0, ...options, clock: clock.now });
    return new BenchSimulator(sim, clock);
  }

  /** High-resolution arrival time (ms since epoch) of a recorded request. */
  arrivalOf(request: RecordedRequest): number {
    return this.#arrivals.get(request) ?? request.time;
  }

  /** Resolves with the first request matching `match` that arrives from now on. */
  next(match: (request: RecordedRequest) => boolean, timeoutMs: number): Promise<RecordedRequest> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (request) => {
          clearTimeout(waiter.timer);
          resolve(request);
        },
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(new Error(`no matching cloud request within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Requests recorded since `from` (an index into sim.requests), counted by api. */
  countByApi(from = 0): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const request of this.sim.requests.slice(from)) counts[request.api] = (counts[request.api] ?? 0) + 1;
    return counts;
  }

  close(): Promise<void> {
    for (const waiter of this.#waiters) clearTimeout(waiter.timer);
    this.#waiters.clear();
    return this.sim.close();
  }

  #arrived(request: RecordedRequest, at: number): void {
    this.#arrivals.set(request, at);
    for (const waiter of this.#waiters) {
      if (!waiter.match(request)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(request);
    }
  }
}
