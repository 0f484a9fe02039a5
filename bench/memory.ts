/**
 * Memory over many poll cycles: peak RSS after the first checkpoint, and
 * growth between checkpoints measured after a forced GC (leak check).
 */
import type { BridgeChild } from './child.js';
import type { MemoryReport } from './ipc.js';
import type { BenchSimulator } from './sim.js';
import { progress, round, summarize, type Percentiles } from './stats.js';

export interface MemoryResult {
  cycles: number;
  /** Memory at each checkpoint (cycle number -> report). */
  checkpoints: Record<number, MemoryReport>;
  first: number;
  last: number;
  /** Growth from the first to the last checkpoint, after GC. */
  heapGrowthAfterGcMb: number;
  rssGrowthAfterGcMb: number;
  rssGrowthRawMb: number;
  cycleWallMs: Percentiles;
}

export async function measureMemory(
  child: BridgeChild,
  bench: BenchSimulator,
  options: { cycles: number; checkpoints: number[]; cycleTimeoutMs: number },
): Promise<MemoryResult> {
  const checkpoints: Record<number, MemoryReport> = {};
  const walls: number[] = [];
  for (let cycle = 1; cycle <= options.cycles; cycle++) {
    // The request log is the simulator's memory, not the bridge's, but keep it small.
    bench.sim.clearRequests();
    walls.push((await child.cycle('both', options.cycleTimeoutMs)).wallMs);
    if (options.checkpoints.includes(cycle)) {
      checkpoints[cycle] = await child.memory();
      progress(`memory: cycle ${cycle}/${options.cycles}, rss ${checkpoints[cycle]?.rssMb} MB`);
    }
  }
  const first = Math.min(...options.checkpoints);
  const last = Math.max(...options.checkpoints);
  const a = checkpoints[first];
  const b = checkpoints[last];
  if (!a || !b) throw new Error('memory: checkpoints missing');
  return {
    cycles: options.cycles,
    checkpoints,
    first,
    last,
    heapGrowthAfterGcMb: round(b.heapUsedAfterGcMb - a.heapUsedAfterGcMb, 1),
    rssGrowthAfterGcMb: round(b.rssAfterGcMb - a.rssAfterGcMb, 1),
    rssGrowthRawMb: round(b.rssMb - a.rssMb, 1),
    cycleWallMs: summarize(walls),
  };
}
