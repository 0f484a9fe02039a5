/**
 * Runs the real command line (`src/cli.ts` through tsx) as a user would,
 * with only the environment given: nothing leaks in from the test runner.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = resolve(ROOT, 'src/cli.ts');
/** tsx, resolving workspace packages (the simulator for `demo`/`simulate`) to their source. */
export const TSX = ['--import', 'tsx', '--conditions=tplink-source'];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...TSX, CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      timeout: timeoutMs,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The lines a command printed on stderr, without the trailing empty one. */
export function errorLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line) => line !== '');
}
