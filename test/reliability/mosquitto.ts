/**
 * A real mosquitto (Debian package) on a free loopback port, started and
 * stopped by the test. Tests using it skip when mosquitto is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { sleep } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

export const hasMosquitto = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' }).status === 0;

export interface Mosquitto {
  url: string;
  port: number;
  start(): Promise<void>;
  /** SIGTERM, as a service manager stops it (with persistence it saves its sessions). */
  stop(): Promise<void>;
  /** Stops it and removes its folder (config, persistence file). */
  dispose(): Promise<void>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function mosquitto(port: number, options: { persistence: boolean; extra?: string[] }): Mosquitto {
  const dir = tempDir('tpcm-mosquitto-');
  const config = join(dir, 'mosquitto.conf');
  const lines = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    `persistence ${options.persistence ? 'true' : 'false'}`,
    `persistence_location ${dir}/`,
    'log_dest none',
    ...(options.extra ?? []),
  ];
  // As root, mosquitto would switch to the `mosquitto` user, which cannot write our temp folder.
  if (process.getuid?.() === 0) lines.push('user root');
  writeFileSync(config, `${lines.join('\n')}\n`);
  let child: ChildProcess | undefined;

  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async start() {
      const started = spawn('mosquitto', ['-c', config], { stdio: 'ignore' });
      child = started;
      const deadline = Date.now() + 5000;
      while (!(await canConnect(port))) {
        if (started.exitCode !== null) throw new Error(`mosquitto exited with ${started.exitCode}`);
        if (Date.now() > deadline) throw new Error('mosquitto did not start');
        await sleep(20);
      }
      // Something else may hold the port (another test took it after freePort): then mosquitto exits.
      await sleep(100);
      if (started.exitCode !== null) throw new Error(`mosquitto exited with ${started.exitCode} (port ${port} taken?)`);
    },
    stop,
  };
}
