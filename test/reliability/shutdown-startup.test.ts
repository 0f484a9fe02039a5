/**
 * SIGTERM while the bridge is still starting (a first read of a slow or
 * large account can take minutes): it must still stop cleanly, publish
 * offline and exit 0 in time, not die on the signal.
 */
import { spawn } from 'node:child_process';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'tplink-cloud-sim';
import { cliEnv, freePort, sleep, until } from './helpers.js';
import { CLI, ROOT } from '../helpers/cli.js';

let sim: Simulator | undefined;

afterAll(async () => {
  await sim?.close();
});

describe('SIGTERM during start-up', () => {
  it('stops cleanly before the first read finished: offline published, exit 0 within 10 s', async () => {
    // 300 ms per request at 2 requests per second: the first full read takes well over 10 s.
    sim = await startSimulator({ latencyMs: 300 });
    const port = await freePort();
    const env = cliEnv(sim, port, { TPCM_RATE_LIMIT_KASA_PER_SECOND: '2', TPCM_RATE_LIMIT_TAPO_PER_SECOND: '2' });
    const child = spawn(process.execPath, [CLI, 'run'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    try {
      let observer: mqtt.MqttClient | undefined;
      const deadline = Date.now() + 15_000;
      while (!observer) {
        observer = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 1000 }).catch(() => undefined);
        if (!observer && Date.now() > deadline) throw new Error(`bridge did not come up\n${output}`);
        if (!observer) await sleep(100);
      }
      const states: string[] = [];
      observer.on('message', (_topic, payload) => states.push(payload.toString('utf8')));
      observer.on('error', () => undefined);
      await observer.subscribeAsync('tplink/bridge/state', { qos: 1 });
      await until(() => states.includes('{"state":"online"}'), 10_000, 'bridge online');
      await until(() => sim !== undefined && sim.requests.some((request) => request.api === 'passthrough'), 10_000, 'first reads under way');
      expect(output).not.toContain('"msg":"bridge started"');

      const signalled = Date.now();
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalled).toBeLessThan(10_000);
      await until(() => states.at(-1) === '{"state":"offline"}', 3000, 'offline published');
      await observer.endAsync(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 40_000);
});
