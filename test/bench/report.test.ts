/** The benchmark's judgement of request counts: "= minimum" means equal, and a cycle that asked nothing is no pass. */
import { describe, expect, it } from 'vitest';
import { atMinimum } from '../../bench/report.js';

describe('bench report: request counts at their minimum', () => {
  it('passes a cycle that made exactly its minimum of requests', () => {
    expect(atMinimum({ requests: 700, minimum: 700 })).toBe(true);
  });

  it('misses a cycle above or below its minimum (below: some node was not read)', () => {
    expect(atMinimum({ requests: 701, minimum: 700 })).toBe(false);
    expect(atMinimum({ requests: 699, minimum: 700 })).toBe(false);
  });

  it('misses a cycle whose minimum is 0: the measurement found nothing to ask, which is a broken run', () => {
    // An energy cycle of a bridge built without its cloud modules asked nothing and passed "0 <= 0".
    expect(atMinimum({ requests: 0, minimum: 0 })).toBe(false);
  });
});
