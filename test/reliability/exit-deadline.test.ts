/**
 * `run` exits within 10 s of SIGTERM whatever is pending: here every cloud
 * request fails (HTTP 500) and cloud.retryDeadlineS is 60 s, so retries
 * sleep in back-off timers and commands wait behind them. Such timers once
 * kept the process alive 28 s after "bridge stopped" (Docker kills at 10 s).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startSimulator } from 'tplink-cloud-sim';
import { describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../src/commands/journal.js';
import { CLI, ROOT } from '../helpers/cli.js';
import { cliEnv, freePort, isWrite, until } from './helpers.js';

describe('SIGTERM with retries pending', () => {
  it('exits 0 within 10 s, the commands it could not carry out kept for the next start', async () => {
    const sim = await startSimulator({ shadowApplyDelayMs: 0 });
    const port = await freePort();
    const env = cliEnv(sim, port, { TPCM_CLOUD_RETRY_DEADLINE_S: '60', TPCM_CLOUD_REQUEST_TIMEOUT_S: '5' });
    // The compiled command line (test/helpers/cli.ts): starts in half the time of tsx.
    const child = spawn(process.execPath, [CLI, 'run'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      await until(() => output.includes('"msg":"bridge started"'), 30_000, 'bridge started');
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
      const devices = await new Promise<{ topic: string; kind: string }[]>((done) => {
        client.on('message', (_topic, payload) => done(JSON.parse(payload.toString('utf8')) as { topic: string; kind: string }[]));
        void client.subscribeAsync('tplink/bridge/devices', { qos: 1 });
      });
      sim.setFaults({ errorRate: 1, errorKinds: ['http500'] });
      const targets = devices.filter((device) => device.kind !== 'strip').slice(0, 10);
      await Promise.all(targets.map((device) => client.publishAsync(`tplink/${device.topic}/set`, 'ON', { qos: 1 })));
      await client.endAsync();
      // A command's write retried: the retries are sleeping in their back-off now.
      const retried = (): boolean => {
        const perDevice = new Map<string, number>();
        for (const request of sim.requests.filter(isWrite)) perDevice.set(request.deviceId ?? '', (perDevice.get(request.deviceId ?? '') ?? 0) + 1);
        return [...perDevice.values()].some((count) => count >= 2);
      };
      await until(retried, 10_000, 'a command retried');

      const signalled = Date.now();
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((done) => child.once('exit', (exitCode) => done(exitCode)));
      expect(Date.now() - signalled, output.slice(-3000)).toBeLessThan(10_000);
      expect(code).toBe(0);
      // Not failed for "shutdown": kept, for the next start to carry out or report.
      const journal = readFileSync(join(env.TPCM_STATE_DIR ?? '', JOURNAL_FILE), 'utf8');
      expect(journal.split('\n').filter((line) => line.startsWith('{"a":')).length).toBeGreaterThan(0);
      expect(output).not.toContain('command_failed');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await sim.close();
      rmSync(env.TPCM_STATE_DIR ?? '', { recursive: true, force: true });
    }
  }, 60_000);
});
