/**
 * `tplink-cloud-sim` (also `tplink-cloud-mqtt simulate`): runs the simulated
 * cloud standalone and prints one JSON line with its URLs and credentials
 * once it listens.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator } from './index.js';
import { SIMULATE_FLAGS, STANDALONE_RECORD_LIMIT, type FlagHelp } from './flags.js';

export { SIMULATE_FLAGS } from './flags.js';
import type { FaultKind, SimulatorOptions } from './types.js';

const PARSE_OPTIONS = Object.fromEntries(
  SIMULATE_FLAGS.map((flag) => [flag.flag.slice(2), { type: flag.value === undefined ? ('boolean' as const) : ('string' as const) }]),
);

const FAULT_KINDS: readonly FaultKind[] = ['http500', 'busy', 'timeout', 'reset', 'malformed', 'schema'];

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} needs a non-negative number, got "${value}"`);
  return parsed;
}

export function parseSimulateArgs(args: string[]): SimulatorOptions {
  // Strict: a mistyped flag must not silently start a simulator without the fault asked for.
  const { values } = parseArgs({ args, strict: true, options: PARSE_OPTIONS });
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const options: SimulatorOptions = {};
  const set = <K extends keyof SimulatorOptions>(key: K, value: SimulatorOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  const numbers: [keyof SimulatorOptions, string][] = [
    ['devices', 'devices'],
    ['latencyMs', 'latency-ms'],
    ['tokenTtlS', 'token-ttl-s'],
    ['seed', 'seed'],
    ['errorRate', 'error-rate'],
    ['rateLimitPerSecond', 'rate-limit'],
    ['shadowApplyDelayMs', 'shadow-delay-ms'],
    ['recordLimit', 'record-limit'],
  ];
  for (const [key, flag] of numbers) set(key, number(flag, text(flag)));
  set('fixturesDir', text('fixtures'));
  set('host', text('host'));
  set('username', text('username'));
  set('password', text('password'));
  if (values['v2-only'] === true) options.v2Only = true;
  if (values.mfa === true) options.mfaRequired = true;
  if (values['tapo-v1-only'] === true) options.tapoV1Only = true;
  if (values['tapo-v2-only'] === true) options.tapoV2Only = true;
  const certFile = text('tls-cert');
  const keyFile = text('tls-key');
  if ((certFile === undefined) !== (keyFile === undefined)) throw new Error('--tls-cert and --tls-key go together');
  if (certFile !== undefined && keyFile !== undefined) options.tls = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  const errorKinds = text('error-kinds');
  if (errorKinds !== undefined) {
    const kinds = errorKinds.split(',').map((kind) => kind.trim());
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
  const sim = await startSimulator({
    recordLimit: STANDALONE_RECORD_LIMIT,
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

const COLUMN = 34;

function flagLine(flag: FlagHelp): string {
  const head = `  ${flag.flag}${flag.value ? ` ${flag.value}` : ''}`;
  const first = head.length < COLUMN ? `${head.padEnd(COLUMN)}${flag.doc}` : `${head}\n${' '.repeat(COLUMN)}${flag.doc}`;
  return flag.default === undefined ? first : `${first}\n${' '.repeat(COLUMN)}default: ${flag.default}`;
}

/** `--help`, under the name the simulator was started by (its own bin, or the bridge's `simulate`). */
export function simulateHelp(program: string): string {
  return [
    `Usage: ${program} [options]`,
    '',
    'Runs the simulated Kasa and Tapo cloud on loopback and prints one JSON line with its URLs,',
    'username and password; point the bridge at them with TPCM_KASA_URL, TPCM_TAPO_ACCOUNT_URL and the rest.',
    'Stops on SIGINT or SIGTERM.',
    '',
    'Options:',
    ...[...SIMULATE_FLAGS, { flag: '-h, --help', doc: 'Show this help' }].map(flagLine),
    '',
  ].join('\n');
}

/** The whole command line: help, a refused flag (one line, exit 2), or a run until stopped (exit 0). */
export async function simulatorMain(args: string[], program = 'tplink-cloud-sim', io: SimulateIo = {}): Promise<number> {
  const stdout = io.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const stderr = io.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (args.includes('--help') || args.includes('-h')) {
    stdout(simulateHelp(program).trimEnd());
    return 0;
  }
  try {
    parseSimulateArgs(args);
  } catch (error) {
    stderr(`${program}: ${error instanceof Error ? error.message : String(error)} (see ${program} --help)`);
    return 2;
  }
  await simulateCommand(args, io);
  return 0;
}
