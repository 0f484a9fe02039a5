/**
 * The `login` and `devices` commands. `login` is the only place that may
 * ask a person for a two-factor code; `run` never prompts. Nothing printed
 * here carries a password or token (CloudError messages never do).
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { cloudActive, type AppConfig } from '../config/load.js';
import type { Logger } from '../logger.js';
import { secrets } from '../logger.js';
import { isCloudError } from '../clouds/common/errors.js';
import type { CloudName } from '../model/node.js';
import { formatTable, listDevices } from './devices.js';
import { NO_ACCOUNT_HINT } from './hints.js';
import { PACKAGE_NAME } from '../version.js';
import { KasaClient } from '../clouds/kasa/client.js';
import { TapoClient } from '../clouds/tapo/client.js';
import { TokenStore } from '../clouds/common/token-store.js';

/** Where the commands read and write; tests pass their own. */
export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Asks a question on the terminal; undefined when there is no terminal. */
  ask?: ((question: string) => Promise<string>) | undefined;
}

function terminalAsk(): CommandIo['ask'] {
  if (!process.stdin.isTTY) return undefined;
  return async (question) => {
    // The prompt goes to stderr so `login` output stays clean on stdout.
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
}

const defaultIo = (): CommandIo => ({ stdout: process.stdout, stderr: process.stderr, ask: terminalAsk() });

export interface Clients {
  store: TokenStore;
  kasa?: KasaClient;
  tapo?: TapoClient;
}

/** Clients of every cloud that is enabled and has an account. */
export function createClients(config: AppConfig, logger: Logger): Clients {
  const store = new TokenStore(config.stateDir);
  const common = { cloud: config.cloud, store, logger };
  return {
    store,
    ...(cloudActive(config, 'kasa') ? { kasa: new KasaClient({ ...common, config: config.kasa, requestsPerSecond: config.rateLimit.kasaPerSecond }) } : {}),
    ...(cloudActive(config, 'tapo') ? { tapo: new TapoClient({ ...common, config: config.tapo, requestsPerSecond: config.rateLimit.tapoPerSecond }) } : {}),
  };
}

async function closeAll(clients: Clients): Promise<void> {
  await Promise.all([clients.kasa?.close(), clients.tapo?.close()]);
}

/** As `run` prints it: exit 2, a configuration mistake. */
const NO_ACCOUNT_LINE = `${PACKAGE_NAME}: configuration error: ${NO_ACCOUNT_HINT}\n`;

/** The error's message without its own `<cloud>: ` prefix (the line already starts with it). */
function describeError(cloud: CloudName, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return secrets.scrub(message.startsWith(`${cloud}: `) ? message.slice(cloud.length + 2) : message);
}

function flags(args: string[]): { code?: string; json: boolean } {
  // Not strict: the main CLI passes config flags (--config, --kasa-username...) through.
  const { values } = parseArgs({
    args,
    options: { code: { type: 'string' }, json: { type: 'boolean' } },
    strict: false,
    allowPositionals: true,
  });
  return { ...(typeof values.code === 'string' ? { code: values.code } : {}), json: values.json === true };
}

/** `tplink-cloud-mqtt login [--code CODE]`: logs in to every configured cloud and stores the tokens. */
export async function loginCommand(args: string[], config: AppConfig, logger: Logger, io: CommandIo = defaultIo()): Promise<number> {
  const { code } = flags(args);
  const clients = createClients(config, logger);
  const targets = (['kasa', 'tapo'] as const).filter((cloud): cloud is CloudName => clients[cloud] !== undefined);
  if (targets.length === 0) {
    io.stderr.write(NO_ACCOUNT_LINE);
    return 2;
  }
  let failures = 0;
  try {
    for (const cloud of targets) {
      const client = clients[cloud] as KasaClient | TapoClient;
      const ask = io.ask;
      try {
        await client.login({
          interactive: true,
          ...(code ? { mfaCode: code } : {}),
          ...(!code && ask ? { askCode: () => ask(`${cloud}: verification code (sent by e-mail): `) } : {}),
        });
        const v2 = client.usesV2 ? ' (V2 API)' : '';
        io.stdout.write(`${cloud}: logged in as ${config[cloud].username}${v2}; tokens saved in ${clients.store.dir}\n`);
      } catch (error) {
        failures++;
        // Said once: the cloud error already names `login --code` when a code was sent.
        const noTerminal = isCloudError(error) && error.kind === 'mfa_required' && !code && !ask;
        io.stdout.write(
          noTerminal
            ? `${cloud}: login failed: a verification code was sent by e-mail, and there is no terminal to ask for it on: run \`${PACKAGE_NAME} login --code <code>\` with that code\n`
            : `${cloud}: login failed: ${describeError(cloud, error)}\n`,
        );
      }
    }
  } finally {
    await closeAll(clients);
  }
  return failures === 0 ? 0 : 1;
}

/**
 * `tplink-cloud-mqtt devices [--json]`: every node of both clouds, as the
 * bridge reads and names them. stdout holds the table or JSON only; the
 * reads' warnings go to the log (stderr for this command).
 */
export async function devicesCommand(args: string[], config: AppConfig, logger: Logger, io: CommandIo = defaultIo()): Promise<number> {
  const { json } = flags(args);
  if (!cloudActive(config, 'kasa') && !cloudActive(config, 'tapo')) {
    io.stderr.write(NO_ACCOUNT_LINE);
    return 2;
  }
  const { rows, failed } = await listDevices(config, new TokenStore(config.stateDir), logger);
  for (const [cloud, error] of failed) io.stderr.write(`${cloud}: device list failed: ${describeError(cloud, error)}\n`);
  io.stdout.write(json ? `${JSON.stringify(rows, null, 2)}\n` : formatTable(rows));
  return failed.size === 0 ? 0 : 1;
}
