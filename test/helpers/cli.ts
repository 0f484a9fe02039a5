/**
 * Runs the real command line as a process, as a user would, with only the
 * environment given: nothing leaks in from the test runner. What only
 * parses and prints (help, a flag or config mistake) is checked in this
 * process instead: cliInProcess runs the same entry the bin runs.
 *
 * Tests start it compiled: test/setup/cli-build.ts compiles src/ (and the
 * simulator package) to .test-build/ at the start of every run, so a process
 * starts on plain `node` (half the start-up of tsx, which compiled the whole
 * bridge again in each process). `fromSource` starts src/cli.ts through tsx
 * instead, the way a development checkout runs it.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { cliMain } from '../../src/cli/main.js';

const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '../..');
/** src/cli.ts, compiled: start it with `node` alone. */
export const CLI = resolve(ROOT, '.test-build', 'cli.js');
/** The simulator package's bin (packages/simulator/src/bin.ts), compiled. */
export const SIMULATOR_BIN = resolve(ROOT, '.test-build', 'node_modules', 'tplink-cloud-sim', 'src', 'bin.js');
/** The command line's source, run through tsx (TSX) as a checkout runs it. */
export const SOURCE_CLI = resolve(ROOT, 'src', 'cli.ts');
/** tsx, resolving workspace packages (the simulator for `demo`/`simulate`) to their source. */
export const TSX = ['--import', 'tsx', '--conditions=tplink-source'];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  timeoutMs?: number;
  /** src/cli.ts through tsx instead of the compiled command line. */
  fromSource?: boolean;
}

/**
 * Processes of runCli at once in one test worker. Cases run concurrently so that their waits
 * overlap, not to start a burst of processes on two cores that slows the other worker's tests.
 */
const MAX_PROCESSES = 2;
let running = 0;
const waiting: Array<() => void> = [];

/** A slot of MAX_PROCESSES; the function returned gives it back (to the next waiting, if any). */
async function processSlot(): Promise<() => void> {
  if (running < MAX_PROCESSES) running += 1;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  return () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, options: CliOptions = {}): Promise<CliResult> {
  const command = options.fromSource ? [...TSX, SOURCE_CLI] : [CLI];
  const release = await processSlot();
  try {
    const { stdout, stderr } = await run(process.execPath, [...command, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      timeout: options.timeoutMs ?? 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  } finally {
    release();
  }
}

/**
 * The command line's entry (src/cli/main.ts, which the bin only wraps in a process) run here,
 * with only the environment given, for what stops or answers before any command runs: the
 * result a process would give. The bin's own part, exit status from outcome, is proven by
 * the tests that start processes.
 */
export async function cliInProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const { code } = await cliMain(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  return { code, stdout, stderr };
}

/** The lines a command printed on stderr, without the trailing empty one. */
export function errorLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line) => line !== '');
}
