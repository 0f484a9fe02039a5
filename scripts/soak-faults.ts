/**
 * Soak weather: every phase the simulated cloud gets a new random mix of
 * trouble — error bursts of every kind, latency, expiring tokens, devices
 * going offline, a cloud-side rate limit — or a calm spell.
 */
import type { FaultKind, Simulator } from 'tplink-cloud-sim';

const KINDS: FaultKind[] = ['http500', 'busy', 'timeout', 'reset', 'malformed', 'schema'];

export class Weather {
  #offline: string[] = [];
  phase = 'calm';

  constructor(
    private readonly sim: Simulator,
    private readonly rng: () => number,
  ) {}

  next(): void {
    this.calm();
    const parts: string[] = [];
    const roll = (p: number) => this.rng() < p;
    if (roll(0.45)) {
      const kinds = KINDS.filter(() => roll(0.5));
      const errorKinds = kinds.length > 0 ? kinds : ['http500' as const];
      const errorRate = Math.round((0.05 + this.rng() * 0.35) * 100) / 100;
      this.sim.setFaults({ errorRate, errorKinds });
      parts.push(`errors ${errorRate} ${errorKinds.join('+')}`);
    }
    if (roll(0.35)) {
      const latencyMs = Math.round(100 + this.rng() * 700);
      this.sim.setFaults({ latencyMs });
      parts.push(`latency ${latencyMs}ms`);
    }
    if (roll(0.35)) {
      this.sim.expireTokens();
      this.sim.setFaults({ tokenTtlS: 3 + Math.round(this.rng() * 10) });
      parts.push(`tokens expire (ttl ${this.sim.faults.tokenTtlS}s)`);
    }
    if (roll(0.3)) {
      const devices = this.sim.devices().filter((device) => device.children.length === 0 || device.cloud === 'kasa');
      this.#offline = devices.filter(() => roll(0.2)).map((device) => device.id);
      for (const id of this.#offline) this.sim.setOnline(id, false);
      parts.push(`${this.#offline.length} device(s) offline`);
    }
    if (roll(0.25)) {
      this.sim.setFaults({ rateLimitPerSecond: 2 + Math.floor(this.rng() * 4) });
      parts.push(`cloud rate limit ${this.sim.faults.rateLimitPerSecond}/s`);
    }
    this.phase = parts.length > 0 ? parts.join(', ') : 'calm';
  }

  calm(): void {
    this.sim.setFaults({ errorRate: 0, latencyMs: 0, tokenTtlS: 0, rateLimitPerSecond: 0 });
    for (const id of this.#offline) this.sim.setOnline(id, true);
    this.#offline = [];
    this.phase = 'calm';
  }
}
