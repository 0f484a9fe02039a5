/**
 * Runs one parsed mosquitto_pub / mosquitto_sub command, either with the
 * real Debian clients or, where they are missing (or
 * TPCM_TEST_MQTT_CLIENTS=mqttjs), with MQTT.js doing what they do. Both give
 * the same observable result: the output lines and the exit status.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import mqtt from 'mqtt';
import type { ClientOptions } from './shell-examples.js';

export type ClientKind = 'mosquitto' | 'mqttjs';

/** Exit status of mosquitto_sub when -W runs out (mosquitto 2.0); the emulation uses it too. */
export const TIMED_OUT = 27;

export interface ClientResult {
  status: number;
  /** What the user would read on stdout, split into lines, without debug output. */
  lines: string[];
  stderr: string;
  /** Ended by stop(), as a user's Ctrl-C would end it. */
  stopped: boolean;
}

export interface ClientRun {
  /** A subscriber: settles once its SUBACK arrived; rejects when it ends first. A publisher: at once. */
  ready: Promise<void>;
  done: Promise<ClientResult>;
  stop(): void;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The real clients, and stdbuf: mosquitto_sub block-buffers its -d output on
 * a pipe until a message arrives, so without line buffering the test could
 * not see its SUBACK.
 */
export const realClientsInstalled = onPath('mosquitto_pub') && onPath('mosquitto_sub') && onPath('stdbuf');

export function chosenClientKind(env: NodeJS.ProcessEnv = process.env): ClientKind {
  return env.TPCM_TEST_MQTT_CLIENTS !== 'mqttjs' && realClientsInstalled ? 'mosquitto' : 'mqttjs';
}

export function startClient(kind: ClientKind, options: ClientOptions): ClientRun {
  return kind === 'mosquitto' ? startMosquitto(options) : startMqttJs(options);
}

/** The argv (after the tool name) that reproduces `options` with the real client. */
export function toArgv(options: ClientOptions): string[] {
  const argv: string[] = [];
  const add = (option: string, given: string | number | undefined): void => {
    if (given !== undefined) argv.push(option, String(given));
  };
  const on = (option: string, set: boolean): void => {
    if (set) argv.push(option);
  };
  add('-h', options.host);
  add('-p', options.port);
  for (const topic of options.topics) argv.push('-t', topic);
  if (options.tool === 'mosquitto_pub') {
    if (options.nullMessage) argv.push('-n');
    else add('-m', options.message);
    on('-r', options.retain);
  }
  add('-q', options.qos === 0 ? undefined : options.qos);
  on('-v', options.verbose);
  add('-C', options.count);
  add('-W', options.timeoutS);
  on('-R', options.skipRetained);
  add('-u', options.username);
  add('-P', options.password);
  add('-i', options.clientId);
  on('-d', options.debug);
  on('-N', options.noEol);
  on('--quiet', options.quiet);
  return argv;
}

// `-d` output of mosquitto 2.0: "Client <id> sending CONNECT", "... received SUBACK", "Subscribed (mid: 1): 0".
const DEBUG_LINES = /Client [^\n]*? (?:sending|received) [A-Z]{4,}[^\n]*\n|Subscribed \(mid: \d+\):[^\n]*\n/g;

export function outputLines(stdout: string): string[] {
  const lines = stdout.replace(DEBUG_LINES, '').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

interface Settle {
  ready: Promise<void>;
  markReady(): void;
  failReady(reason: string): void;
}

function readiness(immediate: boolean): Settle {
  let markReady = (): void => undefined;
  let failReady = (_reason: string): void => undefined;
  const ready = immediate
    ? Promise.resolve()
    : new Promise<void>((resolve, reject) => {
        markReady = resolve;
        failReady = (reason) => reject(new Error(reason));
      });
  // A failed readiness is also reported through `done`; nobody need listen to both.
  ready.catch(() => undefined);
  return { ready, markReady: () => markReady(), failReady: (reason) => failReady(reason) };
}

function startMosquitto(options: ClientOptions): ClientRun {
  const subscriber = options.tool === 'mosquitto_sub';
  // Debug output is the only way the real client tells when its SUBACK came; outputLines drops it.
  const argv = toArgv({ ...options, debug: options.debug || subscriber });
  const child = spawn('stdbuf', ['-oL', options.tool, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  const settle = readiness(!subscriber);
  let stdout = '';
  let stderr = '';
  let stopped = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes(' received SUBACK')) settle.markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<ClientResult>((resolve) => {
    child.once('error', (error) => {
      stderr += `${error.message}\n`;
    });
    child.once('close', (code, signal) => {
      settle.failReady(`${options.tool} ended before its SUBACK`);
      resolve({ status: code ?? (signal ? 128 : 1), lines: outputLines(stdout), stderr, stopped });
    });
  });
  return {
    ready: settle.ready,
    done,
    stop: () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopped = true;
      child.kill('SIGTERM');
    },
  };
}

/** What mosquitto_sub 2.0 prints for one message: an empty payload shows only as "<topic> (null)" with -v. */
function printed(options: ClientOptions, topic: string, payload: string): string {
  const eol = options.noEol ? '' : '\n';
  if (payload !== '') return `${options.verbose ? `${topic} ` : ''}${payload}${eol}`;
  return options.verbose && !options.noEol ? `${topic} (null)\n` : '';
}

function startMqttJs(options: ClientOptions): ClientRun {
  const subscriber = options.tool === 'mosquitto_sub';
  const settle = readiness(!subscriber);
  const client = mqtt.connect({
    host: options.host ?? 'localhost',
    port: options.port ?? 1883,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    clientId: options.clientId ?? `mqttjs-docs-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    ...(options.username === undefined ? {} : { username: options.username, password: options.password }),
  });
  let output = '';
  let stderr = '';
  let received = 0;
  let stopped = false;
  let finished = false;
  let resolveDone: (result: ClientResult) => void = () => undefined;
  const done = new Promise<ClientResult>((resolve) => {
    resolveDone = resolve;
  });
  const end = (status: number): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    settle.failReady(`${options.tool} ended before its SUBACK`);
    client.end(status !== 0, () => resolveDone({ status, lines: outputLines(output), stderr, stopped }));
  };
  const fail = (message: string): void => {
    if (!options.quiet) stderr += `Error: ${message}\n`;
    end(1);
  };
  const timer =
    options.timeoutS === undefined
      ? undefined
      : setTimeout(() => {
          stderr += 'Timed out\n';
          end(TIMED_OUT);
        }, options.timeoutS * 1000);

  client.on('error', (error) => fail(error.message));
  client.on('close', () => fail('connection closed'));
  client.on('connect', () => {
    const topic = options.topics[0] as string;
    if (!subscriber) {
      client.publish(topic, options.message ?? '', { qos: options.qos, retain: options.retain }, (error) => (error ? fail(error.message) : end(0)));
      return;
    }
    client.subscribe(options.topics, { qos: options.qos }, (error) => (error ? fail(error.message) : settle.markReady()));
  });
  client.on('message', (topic, payload, packet) => {
    if (finished || (options.skipRetained && packet.retain)) return;
    received += 1;
    output += printed(options, topic, payload.toString('utf8'));
    if (options.count !== undefined && received >= options.count) end(0);
  });
  return {
    ready: settle.ready,
    done,
    stop: () => {
      if (finished) return;
      stopped = true;
      end(0);
    },
  };
}
