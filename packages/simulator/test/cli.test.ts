import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SIMULATE_FLAGS } from '../src/flags.js';
import { parseSimulateArgs, simulateCommand, simulatorMain } from '../src/cli.js';
import { post, result } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const COMPILED_BIN = join(here, '..', '..', '..', '.test-build', 'node_modules', 'tplink-cloud-sim', 'src', 'bin.js');

interface Printed {
  kasa: { url: string; v2Url: string; regions: Record<string, string> };
  tapo: { accountUrl: string; appServerUrl: string; refreshUrl: string };
  username: string;
  password: string;
}

describe('simulate command', () => {
  it('parses its options', () => {
    expect(
      parseSimulateArgs([
        '--devices', '12', '--latency-ms', '5', '--token-ttl-s', '60', '--seed', '7',
        '--v2-only', '--mfa', '--error-rate', '0.1', '--error-kinds', 'busy,reset',
      ]),
    ).toEqual({
      devices: 12,
      latencyMs: 5,
      tokenTtlS: 60,
      seed: 7,
      v2Only: true,
      mfaRequired: true,
      errorRate: 0.1,
      errorKinds: ['busy', 'reset'],
    });
    expect(() => parseSimulateArgs(['--devices', 'many'])).toThrow(/--devices/);
    expect(() => parseSimulateArgs(['--error-kinds', 'lightning'])).toThrow(/lightning/);
    expect(() => parseSimulateArgs(['--bogus'])).toThrow();
  });

  it('prints its help with every flag and default under the name it was started by, and refuses a bad flag in one line', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (line: string) => out.push(line), stderr: (line: string) => err.push(line) };
    expect(await simulatorMain(['--help'], 'tplink-cloud-mqtt simulate', io)).toBe(0);
    const help = out.join('\n');
    expect(help).toMatch(/^Usage: tplink-cloud-mqtt simulate \[options\]/);
    for (const flag of SIMULATE_FLAGS) {
      const head = `${flag.flag}${flag.value ? ` ${flag.value}` : ''}`;
      expect(help, flag.flag).toContain(head);
      if (flag.default !== undefined) expect(help, `${flag.flag} default`).toContain(`default: ${flag.default}`);
    }
    expect(await simulatorMain(['--devices', 'many'], 'tplink-cloud-sim', io)).toBe(2);
    expect(err).toEqual(['tplink-cloud-sim: --devices needs a non-negative number, got "many" (see tplink-cloud-sim --help)']);
  });

  it('prints one JSON line with URLs and credentials, serves, and stops on abort', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const stop = new AbortController();
    const running = simulateCommand(['--devices', '4', '--mfa'], {
      stdout: (line) => lines.push(line),
      stderr: (line) => errors.push(line),
      signal: stop.signal,
    });
    await expect.poll(() => lines.length).toBe(1);
    const printed = JSON.parse(lines[0] ?? '') as Printed;
    expect(Object.keys(printed).sort()).toEqual(['kasa', 'password', 'tapo', 'username']);
    expect(printed.kasa.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(printed.tapo.accountUrl).toMatch(/\/api\/v1\/account$/);
    const login = await post(printed.tapo.accountUrl, {
      method: 'login',
      params: { cloudUserName: printed.username, cloudPassword: printed.password, terminalUUID: 't-1' },
    });
    expect(result(login).errorCode).toBe('-20677');
    stop.abort();
    await running;
    await expect(post(printed.kasa.url, { method: 'fly' })).rejects.toThrow();
  });

  it('runs as a process: prints the line, then exits cleanly on SIGTERM', async () => {
    // The package's own bin (src/bin.ts), as compiled for this test run by the root's test setup (test/setup/cli-build.ts).
    const child = spawn(process.execPath, [COMPILED_BIN, '--devices', '3'], {
      cwd: join(here, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('error', reject);
      });
      const printed = JSON.parse(first) as Printed;
      expect(printed.username).toBe('demo@example.com');
      expect(printed.password.length).toBeGreaterThanOrEqual(12);
      const login = await post(printed.kasa.url, {
        method: 'login',
        params: { cloudUserName: printed.username, cloudPassword: printed.password, terminalUUID: 't-2' },
      });
      expect(login.json.error_code).toBe(0);
    } finally {
      // Also when a check above failed: no simulator left running after the test.
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 20_000);
});
