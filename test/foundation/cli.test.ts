import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';

const run = promisify(execFile);
const cli = new URL('../../src/cli.ts', import.meta.url).pathname;

async function tplink(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cli, ...args], { env: { PATH: process.env.PATH }, timeout: 15_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('command line', () => {
  it('prints help with every command', async () => {
    const { code, stdout } = await tplink('--help');
    expect(code).toBe(0);
    for (const command of ['run', 'demo', 'simulate', 'login', 'devices']) expect(stdout).toContain(`  ${command}`);
  });

  it('prints the version', async () => {
    const { code, stdout } = await tplink('--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(VERSION);
  });

  it('stops on a bad setting with one line naming the option, no stack trace', async () => {
    const { code, stderr } = await tplink('run', '--poll-interval-s', 'soon');
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/configuration error: poll\.intervalS/);
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('refuses an unknown command', async () => {
    const { code, stderr } = await tplink('frobnicate');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command');
  });
});
