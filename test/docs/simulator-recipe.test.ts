/**
 * README's "Running against the simulator" recipe, run as written: with
 * `tplink-cloud-mqtt` on PATH (a shim that starts this checkout's CLI),
 * `eval "$(tplink-cloud-mqtt simulate --env)" && tplink-cloud-mqtt run`
 * brings up a bridge on the simulated cloud; Ctrl+C (here SIGINT to the
 * bridge) stops it, and the next line stops the background simulator.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportLines } from '../../src/cli/simulate-env.js';
import type { BridgeInfo } from '../../src/runtime/api.js';
import { untilInfo } from '../helpers/bridge-info.js';
import { CLI, ROOT, cliInProcess } from '../helpers/cli.js';
import { freePort } from '../reliability/helpers.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const dirs: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function recipe(): string {
  const start = readme.indexOf('\n### Running against the simulator\n');
  expect(start).toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start))?.[1] ?? '';
  expect(block).toContain('eval "$(tplink-cloud-mqtt simulate --env)" && tplink-cloud-mqtt run');
  return block;
}

describe('simulate --env', () => {
  it('prints an export for every setting the demo points at the simulator, quoted for the shell', () => {
    const lines = exportLines({
      kasa: { url: 'http://127.0.0.1:1', v2Url: 'http://127.0.0.1:2', regions: {} },
      tapo: { accountUrl: 'http://127.0.0.1:3/api/v1/account', appServerUrl: 'http://127.0.0.1:4', refreshUrl: 'http://127.0.0.1:1' },
      username: 'demo@example.com',
      password: "it's $secret",
    });
    expect(lines).toEqual([
      'export KASA_USERNAME=demo@example.com',
      `export KASA_PASSWORD='it'\\''s $secret'`,
      'export TPCM_KASA_URL=http://127.0.0.1:1',
      'export TPCM_KASA_V2_URL=http://127.0.0.1:2',
      'export TAPO_USERNAME=demo@example.com',
      `export TAPO_PASSWORD='it'\\''s $secret'`,
      'export TPCM_TAPO_ACCOUNT_URL=http://127.0.0.1:3/api/v1/account',
      'export TPCM_TAPO_APP_SERVER_URL=http://127.0.0.1:4',
      'export TPCM_TAPO_REFRESH_URL=http://127.0.0.1:1',
    ]);
  });

  it("README's recipe runs as written: a healthy bridge on the simulator, then both stopped", async () => {
    const bin = tempDir('tpcm-recipe-bin-');
    const pids = join(bin, 'pids');
    // The installed command, as `npm install -g` would give it, recording each start.
    writeFileSync(
      join(bin, 'tplink-cloud-mqtt'),
      `#!/bin/sh\necho $$ >> '${pids}'\nexec '${process.execPath}' '${CLI}' "$@"\n`,
    );
    chmodSync(join(bin, 'tplink-cloud-mqtt'), 0o755);
    const port = await freePort();
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: process.env.HOME, TPCM_STATE_DIR: tempDir('tpcm-recipe-state-'), TPCM_EMBEDDED_BROKER_PORT: String(port), TPCM_LOG_LEVEL: 'warn' };
    const shell = spawn('sh', ['-c', recipe()], { cwd: tempDir('tpcm-recipe-cwd-'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    shell.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    shell.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => shell.once('exit', resolve));

    // Both clouds logged in, as the bridge's retained bridge/info says; then health, once.
    const loggedIn = (info: BridgeInfo) => info.clouds.kasa.status === 'ok' && info.clouds.tapo.status === 'ok';
    await untilInfo(`mqtt://127.0.0.1:${port}`, loggedIn, () => shell.exitCode !== null).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${output}`);
    });
    // Through the command line's entry, here: the recipe's own processes are the shell's.
    const health = await cliInProcess(['health', '--embedded-broker-port', String(port)]);
    expect(health.stdout, output).toMatch(/^healthy: kasa ok, tapo ok, \d+ devices/);
    // The second start recorded is `run` (exec keeps the pid): Ctrl+C it.
    const bridgePid = Number(readFileSync(pids, 'utf8').trim().split('\n')[1]);
    process.kill(bridgePid, 'SIGINT');
    // `kill "$SIMULATOR_PID"` fails (exit 1) unless the simulator was still running.
    expect(await exited, output).toBe(0);
  }, 60_000);
});
