/**
 * The command line, short of being a process: `cliMain(argv, io)` picks the
 * command, prints help, the version or the one line that says what to fix,
 * and answers with the exit status; src/cli.ts (the bin) turns that into the
 * process's exit. What the dispatcher prints and the environment the
 * configuration is read from come through `io`, so the tests check every
 * message without starting a process each time; a command that runs (run,
 * demo, login, devices, simulate) prints through its own module as before.
 *
 * Each command's module is imported only when that command runs, so `--help`
 * stays light (and `demo` and `simulate` alone load the simulator package).
 */
import { COMMANDS, commandSpec } from './commands.js';
import { UsageError, checkFlags } from './flags.js';
import { commandHelp, globalHelp, type CommandSpec } from './help.js';
import { loadConfig, type AppConfig } from '../config/load.js';
import { startupFailure } from './hints.js';
import { loadSimulatorCli } from './simulator.js';
import { createLogger, secrets, type Logger } from '../logger.js';
import { PACKAGE_NAME, VERSION } from '../version.js';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Where settings come from besides the flags and the config file. */
  env: NodeJS.ProcessEnv;
}

export interface CliOutcome {
  code: number;
  /** Stopped early with its line(s) on stderr: the process ends at once, open handles or not. */
  failed: boolean;
}

const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

export async function cliMain(argv: string[], io: CliIo = processIo()): Promise<CliOutcome> {
  try {
    return { code: await main(argv, io), failed: false };
  } catch (error) {
    const fail = (lines: string[], code: number): CliOutcome => {
      for (const line of lines) io.stderr.write(`${PACKAGE_NAME}: ${secrets.scrub(line)}\n`);
      return { code, failed: true };
    };
    if (error instanceof UsageError) return fail([error.message], 2);
    const failure = startupFailure(error);
    if (failure) return fail(failure.lines, failure.exitCode);
    return fail([error instanceof Error ? error.message : String(error)], 1);
  }
}

const wants = (args: readonly string[], ...flags: string[]) => args.some((arg) => flags.includes(arg));

async function main(argv: string[], io: CliIo): Promise<number> {
  const print = (text: string): number => {
    io.stdout.write(text);
    return 0;
  };
  const first = argv[0];
  const explicit = first !== undefined && !first.startsWith('-');
  if (first === 'help' && argv[1] !== undefined && argv[1] !== 'simulate') return print(commandHelp(specOf(argv[1])));
  if (first === 'help' && argv[1] === 'simulate') return main(['simulate', '--help'], io);
  if (first === 'help') return print(globalHelp(COMMANDS));
  if (!explicit && wants(argv, '--help', '-h')) return print(globalHelp(COMMANDS));
  if (wants(argv, '--version', '-v')) return print(`${VERSION}\n`);

  const spec = specOf(explicit ? first : 'run');
  const args = explicit ? argv.slice(1) : argv;
  if (spec.name === 'simulate') return simulate(args);
  if (wants(args, '--help', '-h')) return print(commandHelp(spec));
  if (spec.name === 'health') return health(spec, args, io);
  checkFlags(spec, args);

  const config = loadConfig({ args, env: io.env, ...(spec.defaults ? { commandDefaults: spec.defaults } : {}) });
  // `devices` prints its table or JSON on stdout: its log goes to stderr.
  const logger = createLogger({
    level: config.log.level,
    pretty: config.log.pretty,
    ...(spec.name === 'devices' ? { destination: process.stderr } : {}),
  });
  return runCommand(spec.name, args, config, logger);
}

/**
 * The simulator package parses its own flags and prints its own help; what
 * is printed (--json, the default, or --env: export lines for the bridge)
 * is the bridge's business, as only the bridge knows its variables.
 */
async function simulate(args: string[]): Promise<number> {
  const simulatorCli = await loadSimulatorCli('simulate');
  const own = args.filter((arg) => arg !== '--env' && arg !== '--json');
  if (wants(args, '--help', '-h')) {
    const code = await simulatorCli.simulatorMain(own, `${PACKAGE_NAME} simulate`);
    process.stdout.write(SIMULATE_OUTPUT_HELP);
    return code;
  }
  if (wants(args, '--env')) {
    if (wants(args, '--json')) throw new UsageError(`simulate: --env and --json exclude each other (see ${PACKAGE_NAME} simulate --help)`);
    const { simulateEnv } = await import('./simulate-env.js');
    return simulateEnv(own);
  }
  return simulatorCli.simulatorMain(own, `${PACKAGE_NAME} simulate`);
}

/** The bridge's own `simulate` flags, after the simulator package's help. */
const SIMULATE_OUTPUT_HELP = [
  '',
  `Output (${PACKAGE_NAME} simulate only):`,
  ...(commandSpec('simulate')?.flags ?? []).map((flag) => `  ${flag.flag.padEnd(32)}${flag.doc}`),
  `  e.g. eval "$(${PACKAGE_NAME} simulate --env)" && ${PACKAGE_NAME} run`,
  '',
].join('\n');

/**
 * Docker reserves a health check's exit status 2, so every failure of
 * `health`, a configuration mistake included, is "unhealthy" (1) with its line.
 */
async function health(spec: CommandSpec, args: string[], io: CliIo): Promise<number> {
  try {
    checkFlags(spec, args);
    const { healthCommand } = await import('./health.js');
    return await healthCommand(args, loadConfig({ args, env: io.env }), io);
  } catch (error) {
    const lines = error instanceof UsageError ? [error.message] : (startupFailure(error)?.lines ?? [error instanceof Error ? error.message : String(error)]);
    io.stdout.write(lines.map((line) => `unhealthy: ${secrets.scrub(line)}\n`).join(''));
    return 1;
  }
}

function specOf(name: string): CommandSpec {
  const spec = commandSpec(name);
  if (!spec) throw new UsageError(`unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see --help)`);
  return spec;
}

async function runCommand(command: string, args: string[], config: AppConfig, logger: Logger): Promise<number> {
  switch (command) {
    case 'login': {
      const { loginCommand } = await import('./cloud-commands.js');
      return loginCommand(args, config, logger);
    }
    case 'devices': {
      const { devicesCommand } = await import('./cloud-commands.js');
      return devicesCommand(args, config, logger);
    }
    case 'demo': {
      const { demoCommand } = await import('./demo.js');
      return demoCommand(args, config, logger);
    }
    default: {
      const { runCommand: run } = await import('./run.js');
      return run(config, logger);
    }
  }
}
