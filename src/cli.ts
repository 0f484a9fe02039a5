#!/usr/bin/env node
/**
 * tplink-cloud-mqtt <command>. Each command's module is imported only when
 * that command runs, so `--help` and `simulate` stay light.
 */
import { ConfigError, loadConfig, type AppConfig } from './config.js';
import { createLogger, secrets, type Logger } from './logger.js';
import { PACKAGE_NAME, VERSION } from './version.js';

const HELP = `${PACKAGE_NAME} ${VERSION}: TP-Link Kasa and Tapo cloud devices on MQTT

Usage: ${PACKAGE_NAME} [command] [options]

Commands:
  run        Run the bridge (default)
  demo       Simulated cloud + embedded broker + bridge in one process
  simulate   Run the simulated Kasa and Tapo cloud alone
             [--fixtures DIR] [--devices N] [--latency-ms N] [--token-ttl-s N]
  login      Log in to the configured clouds and store the tokens
             (asks for a two-factor code when needed, or --code CODE)
  devices    List every device of both clouds [--json]

Options:
  -c, --config FILE   JSON config file (or TPCM_CONFIG)
  -h, --help          Show this help
  -v, --version       Show the version
  Every setting also has a flag, e.g. --mqtt-url, --log-level:
  see README.md, "Configuration".
`;

type Command = 'run' | 'demo' | 'simulate' | 'login' | 'devices';
const COMMANDS: readonly Command[] = ['run', 'demo', 'simulate', 'login', 'devices'];

function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (argv.includes('--version') || argv.includes('-v')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const first = argv[0];
  const command: Command = first !== undefined && !first.startsWith('-') ? (isCommand(first) ? first : usageError(first)) : 'run';
  const args = first === command ? argv.slice(1) : argv;

  if (command === 'simulate') {
    const { simulateCommand } = await import('./simulator/cli.js');
    await simulateCommand(args);
    return 0;
  }

  const config = loadConfig({ args });
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty });
  return runCommand(command, args, config, logger);
}

async function runCommand(command: Exclude<Command, 'simulate'>, args: string[], config: AppConfig, logger: Logger): Promise<number> {
  switch (command) {
    case 'login': {
      const { loginCommand } = await import('./cloud/cli.js');
      return loginCommand(args, config, logger);
    }
    case 'devices': {
      const { devicesCommand } = await import('./cloud/cli.js');
      return devicesCommand(args, config, logger);
    }
    case 'run': {
      const { runCommand: run } = await import('./run.js');
      return run(config, logger);
    }
    case 'demo': {
      const { demoCommand } = await import('./demo.js');
      return demoCommand(args, config, logger);
    }
  }
}

function usageError(word: string): never {
  process.stderr.write(`${PACKAGE_NAME}: unknown command "${word}" (see --help)\n`);
  process.exit(2);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${PACKAGE_NAME}: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${PACKAGE_NAME}: ${secrets.scrub(message)}\n`);
    process.exit(1);
  },
);
