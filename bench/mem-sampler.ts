/**
 * Memory over time inside the bridge child: process.memoryUsage() sampled
 * every few ms through start-up and cycles, kept as the largest sample of
 * each phase (so the sampler itself holds next to nothing), to tell when
 * the peak RSS happens and what it is made of.
 */
import { mb } from './ipc.js';

export interface MemorySample {
  /** ms since the child's phase began. */
  atMs: number;
  rssMb: number;
  heapTotalMb: number;
  heapUsedMb: number;
  externalMb: number;
  arrayBuffersMb: number;
}

export interface PhasePeak {
  phase: string;
  durationMs: number;
  samples: number;
  /** The sample with the highest RSS in this phase. */
  peak: MemorySample;
}

const EVERY_MS = 10;
const TIMELINE_EVERY_MS = 100;

export class MemorySampler {
  readonly #phases: PhasePeak[] = [];
  #current: PhasePeak | undefined;
  #startedAt = 0;
  #lastLog = -1000;
  readonly #timer: NodeJS.Timeout;

  /** @param timeline also print a sample every 100 ms on stderr */
  constructor(
    firstPhase: string,
    private readonly timeline = false,
  ) {
    this.phase(firstPhase);
    this.#timer = setInterval(() => this.sample(), EVERY_MS);
    this.#timer.unref();
  }

  /** Ends the phase in progress (with a last sample) and starts the next. */
  phase(name: string): void {
    if (this.#current) this.sample();
    this.#startedAt = performance.now();
    this.#lastLog = -1000;
    this.#current = { phase: name, durationMs: 0, samples: 0, peak: this.#read() };
    this.#phases.push(this.#current);
  }

  sample(): void {
    const current = this.#current;
    if (!current) return;
    const now = this.#read();
    if (this.timeline && now.atMs - this.#lastLog >= TIMELINE_EVERY_MS) {
      this.#lastLog = now.atMs;
      process.stderr.write(`[memory] ${current.phase} +${now.atMs} rss ${now.rssMb} heap ${now.heapUsedMb}/${now.heapTotalMb} ext ${now.externalMb} ab ${now.arrayBuffersMb}\n`);
    }
    current.samples++;
    current.durationMs = now.atMs;
    if (now.rssMb > current.peak.rssMb) current.peak = now;
  }

  phases(): PhasePeak[] {
    this.sample();
    return this.#phases.map((phase) => ({ ...phase }));
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #read(): MemorySample {
    const usage = process.memoryUsage();
    return {
      atMs: Math.round(performance.now() - this.#startedAt),
      rssMb: mb(usage.rss),
      heapTotalMb: mb(usage.heapTotal),
      heapUsedMb: mb(usage.heapUsed),
      externalMb: mb(usage.external),
      arrayBuffersMb: mb(usage.arrayBuffers),
    };
  }
}
