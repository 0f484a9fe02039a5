/**
 * Loads the configuration. Precedence, lowest first:
 * schema defaults < config/default.json < config file (--config FILE or
 * TPCM_CONFIG) < environment variables < CLI flags.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import convict from 'convict';
import { type AppConfig, SECRET_OPTIONS, type SettingLeaf, deviceOverridesProblem, schema, settingLeaves } from './schema.js';

export type { AppConfig, DeviceOverride } from './schema.js';

/** A configuration problem, worded for a one-line message naming the option. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Folder holding default.json; defaults to the package's config/. */
  defaultsDir?: string;
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function loadConfig(options: LoadOptions = {}): AppConfig {
  const args = options.args ?? process.argv.slice(2);
  const env = { ...(options.env ?? process.env) };
  readSecretFiles(env);

  const config = convict(schema, { args, env });
  const defaultsFile = join(options.defaultsDir ?? join(packageRoot, 'config'), 'default.json');
  const files = [defaultsFile];
  const userFile = configFileFrom(args) ?? env.TPCM_CONFIG;
  if (userFile) {
    if (!existsSync(userFile)) throw new ConfigError(`config file not found: ${userFile}`);
    files.push(userFile);
  } else if (!existsSync(defaultsFile)) {
    files.pop();
  }

  for (const file of files) {
    try {
      config.loadFile(file);
    } catch (error) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${firstLine(error)}`);
    }
  }
  try {
    config.validate({ allowed: 'strict' });
  } catch (error) {
    throw new ConfigError(firstLine(error));
  }

  const loaded = config.getProperties();
  const overrides = deviceOverridesProblem(loaded.devices);
  if (overrides) throw new ConfigError(`devices: ${overrides}`);
  loaded.stateDir = expandHome(loaded.stateDir);
  checkCredentials(loaded);
  return loaded;
}

function configFileFrom(args: string[]): string | undefined {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', short: 'c' } },
    strict: false,
    allowPositionals: true,
  });
  return typeof values.config === 'string' ? values.config : undefined;
}

/** Docker-secrets style: KASA_PASSWORD_FILE=/run/secrets/kasa fills KASA_PASSWORD. */
function readSecretFiles(env: NodeJS.ProcessEnv): void {
  for (const leaf of secretLeaves()) {
    const name = leaf.env as string;
    const file = env[`${name}_FILE`];
    if (!file || env[name] !== undefined) continue;
    try {
      env[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new ConfigError(`${leaf.path}: cannot read ${name}_FILE (${file})`);
    }
  }
}

/** The secret settings that an environment variable (and its `_FILE` form) can set. */
function secretLeaves(): SettingLeaf[] {
  return settingLeaves().filter((leaf) => (SECRET_OPTIONS as readonly string[]).includes(leaf.path) && leaf.env !== undefined);
}

function checkCredentials(config: AppConfig): void {
  // The embedded broker would let any client in that sends the username alone
  // (MQTT_PASSWORD unset, or MQTT_PASSWORD_FILE an empty, mis-mounted secret).
  if (config.mqtt.url === '' && config.mqtt.username !== '' && config.mqtt.password === '') {
    throw new ConfigError('mqtt.password: must be set when mqtt.username is set for the embedded broker (an empty password would let in anyone who knows the username)');
  }
  for (const cloud of ['kasa', 'tapo'] as const) {
    const settings = config[cloud];
    if (settings.enabled && settings.username !== '' && settings.password === '') {
      throw new ConfigError(`${cloud}.password: must be set when ${cloud}.username is set`);
    }
  }
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // convict lists one problem per line: "kasa.url: must be an http(s) URL: value was ..."
  const line = text.split('\n').find((part) => part.trim() !== '') ?? text;
  return line
    .replace(/^Error: /, '')
    .replace(/^configuration param '(.+)' not declared in the schema$/, '$1: unknown setting (misspelt? "tplink-cloud-mqtt run --help" lists them all)')
    .trim();
}

/** True when the cloud should be used: enabled and given an account. */
export function cloudActive(config: AppConfig, cloud: 'kasa' | 'tapo'): boolean {
  return config[cloud].enabled && config[cloud].username !== '';
}

/** Variables that may hold a secret directly (each also has a `<NAME>_FILE` form). */
export function secretVariables(): string[] {
  return secretLeaves().map((leaf) => leaf.env as string);
}

/** Every environment variable the configuration reads: settings, `<secret>_FILE` and TPCM_CONFIG. */
export function environmentVariables(): string[] {
  const settings = settingLeaves().flatMap((leaf) => (leaf.env ? [leaf.env] : []));
  return [...settings, ...secretVariables().map((name) => `${name}_FILE`), 'TPCM_CONFIG'];
}
