/**
 * Parent side of a bridge child process: compile, spawn, typed request/reply over
 * IPC with timeouts, and a shutdown that never leaves the child behind.
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AppConfig } from '../src/config/load.js';
import type { ChildReply, ChildRequest, CycleReport, MemoryReport, ReadyReport } from './ipc.js';
import type { PhasePeak } from './mem-sampler.js';
import { nowMs } from './stats.js';

const CHILD_TSCONFIG = fileURLToPath(new URL('./tsconfig.child.json', import.meta.url));
/** Where tsconfig.child.json puts the compiled entry. */
const ENTRY = fileURLToPath(new URL('./results/build/bench/bridge-process.js', import.meta.url));
const PACKAGE_JSON = fileURLToPath(new URL('../package.json', import.meta.url));
const BUILD_PACKAGE_JSON = fileURLToPath(new URL('./results/build/package.json', import.meta.url));

/**
 * Compiles the child (plain JS, as `npm run build` would) so the figures
 * are those of a production process, not of one running a TypeScript loader.
 */
export async function compileChild(): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', CHILD_TSCONFIG], { timeout: 120_000 });
  // The package root of the build: ESM, and the version src/version.ts reads.
  copyFileSync(PACKAGE_JSON, BUILD_PACKAGE_JSON);
}
const STOP_TIMEOUT_MS = 15_000;

type Pending = { resolve: (reply: ChildReply) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

export class BridgeChild {
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #ready: Pending | undefined;
  #exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    /** Wall clock (ms since epoch) just before the spawn. */
    readonly spawnedAt: number,
  ) {
    child.on('message', (message: ChildReply) => this.#onReply(message));
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => {
      const error = new Error(`bridge child exited (code ${code}, signal ${signal})`);
      for (const pending of [...this.#pending.values(), ...(this.#ready ? [this.#ready] : [])]) {
        clearTimeout(pending.timer);
        pending.reject(error);
      }
      this.#pending.clear();
    });
  }

  /** Spawns the child and starts its bridge; resolves once bridge.start() resolved there. */
  static async start(
    config: AppConfig,
    timeoutMs: number,
    nodeFlags: string[] = [],
    childArgs: string[] = [],
  ): Promise<{ child: BridgeChild; ready: ReadyReport }> {
    const spawnedAt = nowMs();
    const proc = fork(ENTRY, childArgs, {
      execArgv: ['--expose-gc', ...nodeFlags],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const child = new BridgeChild(proc, spawnedAt);
    try {
      const reply = await new Promise<ChildReply>((resolve, reject) => {
        child.#ready = { resolve, reject, timer: setTimeout(() => reject(new Error('bridge child did not start in time')), timeoutMs) };
        proc.send({ type: 'start', config });
      });
      if (reply.type !== 'ready') throw new Error(`bridge child: ${reply.type === 'error' ? reply.message : reply.type}`);
      return { child, ready: reply };
    } catch (error) {
      await child.close();
      throw error;
    }
  }

  async cycle(what: 'state' | 'energy' | 'both' | 'settings', timeoutMs: number): Promise<CycleReport> {
    const reply = await this.#request((id) => ({ type: 'cycle', id, what }), timeoutMs);
    if (reply.type !== 'cycle') throw new Error(`bridge child: unexpected ${reply.type}`);
    return reply;
  }

  /** Per phase, the largest memory sample (only for a child started with `--sample-memory`). */
  async phases(): Promise<PhasePeak[]> {
    const reply = await this.#request((id) => ({ type: 'phases', id }), 10_000);
    if (reply.type !== 'phases') throw new Error(`bridge child: unexpected ${reply.type}`);
    return reply.phases;
  }

  /** Writes a heap snapshot of the child (v8.writeHeapSnapshot) to `path`. */
  async heapSnapshot(path: string): Promise<string> {
    const reply = await this.#request((id) => ({ type: 'snapshot', id, path }), 120_000);
    if (reply.type !== 'snapshot') throw new Error(`bridge child: unexpected ${reply.type}`);
    return reply.path;
  }

  /** Stops the allocation profile of a child started with `--alloc-profile` and writes it to `path`. */
  async allocationProfile(path: string): Promise<string> {
    const reply = await this.#request((id) => ({ type: 'alloc-profile', id, path }), 60_000);
    if (reply.type !== 'alloc-profile') throw new Error(`bridge child: unexpected ${reply.type}`);
    return reply.path;
  }

  async memory(): Promise<MemoryReport> {
    const reply = await this.#request((id) => ({ type: 'memory', id }), 10_000);
    if (reply.type !== 'memory') throw new Error(`bridge child: unexpected ${reply.type}`);
    return reply;
  }

  /** Stops the bridge gracefully, then makes sure the process is gone. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.connected) {
      await this.#request((id) => ({ type: 'stop', id }), STOP_TIMEOUT_MS).catch(() => undefined);
    }
    const killer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.child.connected) this.child.disconnect();
      await this.#exited;
    }
    clearTimeout(killer);
  }

  #request(build: (id: number) => ChildRequest, timeoutMs: number): Promise<ChildReply> {
    const id = this.#nextId++;
    return new Promise<ChildReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`bridge child: no answer to request ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.child.send(build(id));
    });
  }

  #onReply(message: ChildReply): void {
    if (message.type === 'ready' || (message.type === 'error' && message.id === undefined)) {
      const ready = this.#ready;
      this.#ready = undefined;
      if (ready) {
        clearTimeout(ready.timer);
        ready.resolve(message);
      }
      return;
    }
    const pending = this.#pending.get(message.id ?? -1);
    if (!pending) return;
    this.#pending.delete(message.id ?? -1);
    clearTimeout(pending.timer);
    if (message.type === 'error') pending.reject(new Error(`bridge child: ${message.message}`));
    else pending.resolve(message);
  }
}
