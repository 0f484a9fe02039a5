/**
 * Messages a newcomer meets, consistent from one command to the next: the
 * `tplink-cloud-mqtt:` prefix and variable names everywhere, the bad value
 * echoed, "did you mean" for config files as for flags, a two-factor hint
 * said once, passwords masked only where printed as values, no WARN for
 * reads cut short by a clean stop, and logs for people on a terminal.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretRegistry, createLogger, wantsPretty } from '../../src/logger.js';
import { startSimulator, type Simulator } from 'tplink-cloud-sim';
import { CLI, ROOT, cliInProcess, errorLines, runCli } from '../helpers/cli.js';
import { cliEnv, freePort } from '../reliability/helpers.js';

let sim: Simulator;
const dirs: string[] = [];
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tpcm-messages-'));
  dirs.push(dir);
  return dir;
}

/** cliEnv with a state folder that this file removes again. */
function env(target: Simulator, port: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base = cliEnv(target, port, extra);
  rmSync(base.TPCM_STATE_DIR ?? '', { recursive: true, force: true });
  return { ...base, TPCM_STATE_DIR: tempDir(), ...extra };
}

describe.concurrent('start-up messages', () => {
  it.each(['devices', 'login', 'run'])('%s without an account: the prefix and the variables to set, exit 2', async (command) => {
    // login and devices print this themselves: processes. run's line is the command line's own
    // (startup-errors.test.ts runs that one as a process too).
    const result = command === 'run' ? await cliInProcess([command]) : await runCli([command]);
    expect(result.code).toBe(2);
    expect(errorLines(result)).toEqual([
      'tplink-cloud-mqtt: configuration error: no cloud account configured: set KASA_USERNAME and KASA_PASSWORD and/or TAPO_USERNAME and TAPO_PASSWORD (or kasa.* / tapo.* in a config file); "tplink-cloud-mqtt demo" runs without one',
    ]);
  });

  it('a password given as a flag names its variables', async () => {
    const result = await cliInProcess(['run', '--kasa-password', 'x']);
    expect(result.code).toBe(2);
    expect(errorLines(result)[0]).toMatch(/^tplink-cloud-mqtt: run: --kasa-password is not an option: .*set KASA_PASSWORD or KASA_PASSWORD_FILE/);
    expect(result.stderr).not.toContain(' x ');
  });

  it('a bad value is echoed with where it came from', async () => {
    const flag = await cliInProcess(['run', '--poll-interval-s', 'abc']);
    expect(errorLines(flag)).toEqual(['tplink-cloud-mqtt: configuration error: poll.intervalS: must be a number greater than 0: value was "abc" (from --poll-interval-s)']);
    const variable = await cliInProcess(['run'], { TPCM_POLL_INTERVAL_S: 'soon' });
    expect(errorLines(variable)[0]).toMatch(/value was "soon" \(from TPCM_POLL_INTERVAL_S\)$/);
  });

  it('a mistyped config file key gets "did you mean", as a mistyped flag does', async () => {
    const file = join(tempDir(), 'config.json');
    writeFileSync(file, JSON.stringify({ mqtt: { ulr: 'mqtt://localhost:1883' } }));
    const result = await cliInProcess(['run', '--config', file]);
    expect(result.code).toBe(2);
    expect(errorLines(result)).toEqual(['tplink-cloud-mqtt: configuration error: mqtt.ulr: unknown setting (did you mean mqtt.url?)']);
  });

  it('a password that is a common word masks only itself, never that word in a message', async () => {
    const result = await runCli(['run'], env(sim, 0, { TPCM_LOG_LEVEL: 'silent', KASA_PASSWORD: 'wrong', TAPO_USERNAME: '' }));
    expect(result.code).toBe(1);
    expect(errorLines(result)[0]).toMatch(/^tplink-cloud-mqtt: kasa: login refused: wrong e-mail or password \(-20601\)/);
    expect(result.stderr).not.toContain('[redacted]');
  });

  it('login without a terminal says once how to give the two-factor code', async () => {
    const mfa = await startSimulator({ v2Only: true, mfaRequired: true });
    try {
      const result = await runCli(['login'], env(mfa, 0, { TPCM_LOG_LEVEL: 'silent', TAPO_USERNAME: '' }));
      expect(result.code).toBe(1);
      expect(result.stdout.trim().split('\n')).toEqual([
        'kasa: login failed: a verification code was sent by e-mail, and there is no terminal to ask for it on: run `tplink-cloud-mqtt login --code <code>` with that code',
      ]);
    } finally {
      await mfa.close();
    }
  });
});

describe('redaction', () => {
  it('masks a common-word password where it is a value, never the word in text', () => {
    const registry = new SecretRegistry();
    registry.add('wrong');
    registry.add('1800');
    const sentence = 'kasa: login refused: wrong e-mail or password (-20601). No new login is tried for 1800 s';
    expect(registry.scrub(sentence)).toBe(sentence);
    expect(registry.scrub('{"pass":"wrong","n":1800}')).toBe('{"pass":"[redacted]","n":[redacted]}');
    expect(registry.scrub('mqtt://me:wrong@broker:1883 password=wrong&x=1 "{\\"p\\":\\"wrong\\"}"')).toBe(
      'mqtt://me:[redacted]@broker:1883 password=[redacted]&x=1 "{\\"p\\":\\"[redacted]\\"}"',
    );
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', pretty: false, registry, destination: { write: (line: string) => lines.push(line) } });
    logger.warn({ detail: 'wrong' }, 'login refused: wrong e-mail or password');
    const logged = JSON.parse(lines[0] ?? '{}') as { msg: string; detail: string };
    expect(logged).toMatchObject({ msg: 'login refused: wrong e-mail or password', detail: '[redacted]' });
  });

  it('still masks a token-like secret anywhere', () => {
    const registry = new SecretRegistry();
    registry.add('tok-6f1d2e9a');
    expect(registry.scrub('got tok-6f1d2e9a and xtok-6f1d2e9ay')).toBe('got [redacted] and x[redacted]y');
  });
});

describe('stopping during a poll', () => {
  it('SIGTERM while reads are queued: exit 0 and no WARN per node for the reads it cut short', async () => {
    const many = await startSimulator({ devices: 40 });
    try {
      const child = spawn(process.execPath, [CLI, 'run'], {
        cwd: ROOT,
        env: env(many, await freePort(), { TPCM_RATE_LIMIT_KASA_PER_SECOND: '2', TPCM_RATE_LIMIT_TAPO_PER_SECOND: '2', TPCM_LOG_LEVEL: 'info' }),
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      // Connected to the broker and the first read of 40 devices at 2 requests/s under way: a device read answered.
      const reading = () => out.includes('connected to MQTT broker') && many.requests.some((request) => request.api === 'passthrough');
      for (let waited = 0; !reading() && waited < 20_000; waited += 50) await new Promise((done) => setTimeout(done, 50));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const logs = out.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; msg: string });
      expect(logs.some((line) => line.msg === 'bridge stopped')).toBe(true);
      expect(logs.filter((line) => line.level >= 40).map((line) => line.msg)).toEqual([]);
    } finally {
      await many.close();
    }
  }, 40_000);
});

/** What `command` printed on the terminal script(1) gives it (stdout of script), killed after 20 s. */
function scriptOutput(command: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env, timeout: 20_000 });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('close', () => resolve(out));
  });
}

describe('log format', () => {
  it('auto: for people on a terminal, JSON lines otherwise; log.pretty overrides', () => {
    expect(wantsPretty('auto', { isTTY: true })).toBe(true);
    expect(wantsPretty('auto', { isTTY: false })).toBe(false);
    expect(wantsPretty('auto', {})).toBe(false);
    expect(wantsPretty(false, { isTTY: true })).toBe(false);
    expect(wantsPretty(true, { isTTY: false })).toBe(true);
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('the real CLI on a terminal (script(1) gives it one) logs lines for people', async () => {
    const port = await freePort();
    const command = (extra: string) =>
      `${process.execPath} ${CLI} run --mqtt-url mqtt://127.0.0.1:${port} --mqtt-startup-timeout-s 0.3 --kasa-username a@b.c ${extra}`;
    const onTerminal = (extra: string) => scriptOutput(command(extra), { PATH: process.env.PATH, HOME: process.env.HOME, KASA_PASSWORD: 'x-secret-1' });
    // Three processes of their own, run at once.
    const [pretty, unpretty, piped] = await Promise.all([
      onTerminal(''),
      onTerminal('--log-pretty false'),
      // Not a terminal: JSON lines, as before.
      runCli(['run', '--mqtt-url', `mqtt://127.0.0.1:${port}`, '--mqtt-startup-timeout-s', '0.3', '--kasa-username', 'a@b.c'], { KASA_PASSWORD: 'x-secret-1' }),
    ]);
    expect(pretty).toMatch(/INFO.*connecting to MQTT broker/);
    expect(pretty).not.toMatch(/^\{"level"/m);
    expect(unpretty).toMatch(/^\{"level":30,.*"msg":"connecting to MQTT broker"/m);
    expect(piped.stdout).toMatch(/^\{"level":30,.*"msg":"connecting to MQTT broker"/m);
  }, 40_000);
});
