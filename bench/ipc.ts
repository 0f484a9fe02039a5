import type { PhasePeak } from './mem-sampler.js';

/** Messages between the benchmark and the bridge child process (bridge-process.ts). */
import type { AppConfig } from '../src/config/load.js';

export interface PublishCounts {
  state: number;
  availability: number;
  discovery: number;
  other: number;
}

export type ChildRequest =
  | { type: 'start'; config: AppConfig }
  | { type: 'cycle'; id: number; what: 'state' | 'energy' | 'both' | 'settings' }
  | { type: 'memory'; id: number }
  | { type: 'phases'; id: number }
  | { type: 'snapshot'; id: number; path: string }
  | { type: 'alloc-profile'; id: number; path: string }
  | { type: 'stop'; id: number };

export interface ReadyReport {
  type: 'ready';
  /** ms from this process's start (performance time origin) to its entry module running. */
  bootMs: number;
  /** Duration of bridge.start(): lists, states and energy read, discovery and state published. */
  startMs: number;
  /** Wall clock (ms since epoch, sub-ms) when bridge.start() resolved. */
  readyAt: number;
  brokerUrl: string;
  nodes: number;
  /** State topic of every node, to check they are all published. */
  stateTopics: string[];
  /** Discovery config topics the bridge should have published (nodes and its own device). */
  discoveryTopics: string[];
  counts: PublishCounts;
  rssBeforeStartMb: number;
  rssMb: number;
}

export interface CycleReport {
  type: 'cycle';
  id: number;
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Messages published during the cycle. */
  published: PublishCounts;
  rssMb: number;
}

export interface MemoryReport {
  type: 'memory';
  id: number;
  rssMb: number;
  heapUsedMb: number;
  /** After global.gc() (the child runs with --expose-gc). */
  rssAfterGcMb: number;
  heapUsedAfterGcMb: number;
  heapTotalAfterGcMb: number;
  externalAfterGcMb: number;
  /** Peak RSS of the process so far (getrusage maxrss). */
  maxRssMb: number;
}

export type ChildReply =
  | ReadyReport
  | CycleReport
  | MemoryReport
  | { type: 'phases'; id: number; phases: PhasePeak[] }
  | { type: 'snapshot'; id: number; path: string }
  | { type: 'alloc-profile'; id: number; path: string }
  | { type: 'stopped'; id: number }
  | { type: 'error'; id?: number; message: string };

export function mb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}
