/**
 * `tplink-cloud-mqtt simulate`: runs the simulated cloud standalone and
 * prints one JSON line with its URLs and credentials once it listens.
 */
import { parseArgs } from 'node:util';
import { startSimulator } from './index.js';
import type { FaultKind, SimulatorOptions } from './types.js';

export const SIMULATE_USAGE = `Usage: tplink-cloud-mqtt simulate [options]
  --fixtures DIR        load every Kasa/Tapo fixture under DIR
  --devices N           add N synthetic devices (realistic mix)
  --latency-ms N        delay every answer
  --token-ttl-s N       token lifetime (0 = never expires)
  --seed N              seed for ids and random choices
  --host H              listen address (default 127.0.0.1)
  --username U --password P
  --error-rate R        probability 0..1 of an injected fault
  --error-kinds LIST    comma list of http500,busy,timeout,reset,malformed,schema
  --rate-limit N        requests per second per cloud
  --shadow-delay-ms N   delay before Tapo desired state is reported
  --record-limit N      keep about N recorded requests (default 10000)
  --v2-only             V1 Kasa login answers -23003
  --mfa                 V2 login needs the second factor (code printed on stderr)`;

const FAULT_KINDS: readonly FaultKind[] = ['http500', 'busy', 'timeout', 'reset', 'malformed', 'schema'];

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} needs a non-negative number, got "${value}"`);
  return parsed;
}

export function parseSimulateArgs(args: string[]): SimulatorOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      fixtures: { type: 'string' },
      devices: { type: 'string' },
      'latency-ms': { type: 'string' },
      'token-ttl-s': { type: 'string' },
      seed: { type: 'string' },
      host: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'error-rate': { type: 'string' },
      'error-kinds': { type: 'string' },
      'rate-limit': { type: 'string' },
      'shadow-delay-ms': { type: 'string' },
      'record-limit': { type: 'string' },
      'v2-only': { type: 'boolean' },
      mfa: { type: 'boolean' },
    },
  });
  const options: SimulatorOptions = {};
  const set = <K extends keyof SimulatorOptions>(key: K, value: SimulatorOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('fixturesDir', values.fixtures);
  set('devices', number('devices', values.devices));
  set('latencyMs', number('latency-ms', values['latency-ms']));
  set('tokenTtlS', number('token-ttl-s', values['token-ttl-s']));
  set('seed', number('seed', values.seed));
  set('host', values.host);
  set('username', values.username);
  set('password', values.password);
  set('errorRate', number('error-rate', values['error-rate']));
  set('rateLimitPerSecond', number('rate-limit', values['rate-limit']));
  set('shadowApplyDelayMs', number('shadow-delay-ms', values['shadow-delay-ms']));
  set('recordLimit', number('record-limit', values['record-limit']));
  set('v2Only', values['v2-only']);
  set('mfaRequired', values.mfa);
  if (values['error-kinds'] !== undefined) {
    const kinds = values['error-kinds'].split(',').map((kind) => kind.trim());
    const bad = kinds.filter((kind) => !(FAULT_KINDS as readonly string[]).includes(kind));
    if (bad.length > 0) throw new Error(`--error-kinds: unknown ${bad.join(', ')}`);
    options.errorKinds = kinds as FaultKind[];
  }
  return options;
}

export interface SimulateIo {
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  /** Stops the simulator when aborted (in addition to SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

export async function simulateCommand(args: string[], io: SimulateIo = {}): Promise<void> {
  const stdout = io.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const stderr = io.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  const options = parseSimulateArgs(args);
  // A standalone run may serve benchmarks for hours: keep the request log bounded.
  const sim = await startSimulator({
    recordLimit: 10_000,
    ...options,
    log: (line) => stderr(`[simulator] ${line}`),
  });
  stdout(
    JSON.stringify({
      kasa: sim.urls.kasa,
      tapo: sim.urls.tapo,
      username: sim.username,
      password: sim.password,
    }),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop);
  });
  await sim.close();
}
