#!/usr/bin/env node
/**
 * tplink-cloud-mqtt <command>. Each command's module is imported only when
 * that command runs, so `--help` stays light (and `demo` and `simulate`
 * alone load the simulator package). Anything that
 * stops a command early is printed as one line saying what to fix.
 */
import { COMMANDS, commandSpec } from './cli/commands.js';
import { UsageError, checkFlags } from './cli/flags.js';
import { commandHelp, globalHelp, type CommandSpec } from './cli/help.js';
import { loadConfig, type AppConfig } from './config/load.js';
import { startupFailure } from './cli/hints.js';
import { loadSimulatorCli } from './cli/simulator.js';
import { createLogger, secrets, type Logger } from './logger.js';
import { PACKAGE_NAME, VERSION } from './version.js';

const wants = (args: readonly string[], ...flags: string[]) => args.some((arg) => flags.includes(arg));

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  const explicit = first !== undefined && !first.startsWith('-');
  if (first === 'help' && argv[1] !== undefined && argv[1] !== 'simulate') return print(commandHelp(specOf(argv[1])));
  if (first === 'help' && argv[1] === 'simulate') return main(['simulate', '--help']);
  if (first === 'help') return print(globalHelp(COMMANDS));
  if (!explicit && wants(argv, '--help', '-h')) return print(globalHelp(COMMANDS));
  if (wants(argv, '--version', '-v')) return print(`${VERSION}\n`);

  const spec = specOf(explicit ? first : 'run');
  const args = explicit ? argv.slice(1) : argv;
  if (spec.name === 'simulate') return simulate(args);
  if (wants(args, '--help', '-h')) return print(commandHelp(spec));
  if (spec.name === 'health') return health(spec, args);
  checkFlags(spec, args);

  const config = loadConfig({ args, ...(spec.defaults ? { commandDefaults: spec.defaults } : {}) });
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
    const { simulateEnv } = await import('./cli/simulate-env.js');
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
async function health(spec: CommandSpec, args: string[]): Promise<number> {
  try {
    checkFlags(spec, args);
    const { healthCommand } = await import('./cli/health.js');
    return await healthCommand(args, loadConfig({ args }));
  } catch (error) {
    const lines = error instanceof UsageError ? [error.message] : (startupFailure(error)?.lines ?? [error instanceof Error ? error.message : String(error)]);
    process.stdout.write(lines.map((line) => `unhealthy: ${secrets.scrub(line)}\n`).join(''));
    return 1;
  }
}

function specOf(name: string): CommandSpec {
  const spec = commandSpec(name);
  if (!spec) throw new UsageError(`unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see --help)`);
  return spec;
}

function print(text: string): number {
  process.stdout.write(text);
  return 0;
}

async function runCommand(command: string, args: string[], config: AppConfig, logger: Logger): Promise<number> {
  switch (command) {
    case 'login': {
      const { loginCommand } = await import('./cli/cloud-commands.js');
      return loginCommand(args, config, logger);
    }
    case 'devices': {
      const { devicesCommand } = await import('./cli/cloud-commands.js');
      return devicesCommand(args, config, logger);
    }
    case 'demo': {
      const { demoCommand } = await import('./cli/demo.js');
      return demoCommand(args, config, logger);
    }
    default: {
      const { runCommand: run } = await import('./cli/run.js');
      return run(config, logger);
    }
  }
}

function fail(lines: string[], code: number): never {
  for (const line of lines) process.stderr.write(`${PACKAGE_NAME}: ${secrets.scrub(line)}\n`);
  process.exit(code);
}

/** After a command finished, what may still keep the process alive (a retry's back-off timer, a socket) gets this long. */
const EXIT_GRACE_MS = 500;

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Normally the process ends here by itself; a pending retry timer once kept it alive 28 s
    // after SIGTERM (Docker kills at 10 s). Unref'd: it never delays a process that can end.
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  },
  (error: unknown) => {
    if (error instanceof UsageError) fail([error.message], 2);
    const failure = startupFailure(error);
    if (failure) fail(failure.lines, failure.exitCode);
    fail([error instanceof Error ? error.message : String(error)], 1);
  },
);
