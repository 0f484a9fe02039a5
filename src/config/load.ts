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
import { closest } from './suggest.js';
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
  /**
   * A command's own defaults by setting path (`demo` polls every 10 s):
   * above config/default.json, below a config file, variables and flags.
   */
  commandDefaults?: Readonly<Record<string, unknown>>;
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

  // convict's load() puts variables and flags back on top, as loadFile() does.
  const applyCommandDefaults = () => options.commandDefaults && config.load(nested(options.commandDefaults));
  if (files[0] !== defaultsFile) applyCommandDefaults();
  for (const file of files) {
    try {
      config.loadFile(file);
    } catch (error) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${firstLine(error)}`);
    }
    if (file === defaultsFile) applyCommandDefaults();
  }
  try {
    config.validate({ allowed: 'strict' });
  } catch (error) {
    throw new ConfigError(explain(firstLine(error), args, env));
  }

  const loaded = config.getProperties();
  const overrides = deviceOverridesProblem(loaded.devices);
  if (overrides) throw new ConfigError(`devices: ${overrides}`);
  loaded.stateDir = expandHome(loaded.stateDir);
  // A variable or `--log-pretty false` arrives as text.
  const pretty: unknown = loaded.log.pretty;
  loaded.log.pretty = pretty === 'auto' ? 'auto' : pretty === true || pretty === 'true';
  checkCredentials(loaded);
  return loaded;
}

/** { 'poll.intervalS': 10 } -> { poll: { intervalS: 10 } } */
function nested(byPath: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(byPath)) {
    const keys = path.split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys.at(-1) ?? path] = value;
  }
  return root;
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
  return line.replace(/^Error: /, '').trim();
}

/**
 * Completes convict's line: a setting that does not exist gets the closest
 * real one (as a mistyped flag does); a value that does not fit is echoed
 * with where it came from, unless it is a secret. convict turns a number
 * setting's "abc" into NaN and then prints no value at all.
 */
function explain(line: string, args: string[], env: NodeJS.ProcessEnv): string {
  const unknown = /^configuration param '(.+)' not declared in the schema$/.exec(line);
  if (unknown) {
    const path = unknown[1] ?? '';
    const paths = settingLeaves().map((leaf) => leaf.path);
    const best = closest(path, paths);
    const hint = best === undefined ? 'misspelt? "tplink-cloud-mqtt run --help" lists them all' : `did you mean ${best}?`;
    return `${path}: unknown setting (${hint})`;
  }
  const path = /^([\w.]+): /.exec(line)?.[1];
  const leaf = settingLeaves().find((candidate) => candidate.path === path);
  if (!leaf || /: value was /.test(line) || (SECRET_OPTIONS as readonly string[]).includes(leaf.path)) return line;
  const given = rawValue(leaf, args, env);
  return given === undefined ? line : `${line}: value was ${JSON.stringify(given.value)} (from ${given.from})`;
}

/** The text a flag or variable gave a setting, as typed (last flag wins, as in convict). */
function rawValue(leaf: SettingLeaf, args: string[], env: NodeJS.ProcessEnv): { value: string; from: string } | undefined {
  if (leaf.arg !== undefined) {
    const flag = `--${leaf.arg}`;
    for (let i = args.length - 1; i >= 0; i--) {
      const word = args[i] ?? '';
      if (word.startsWith(`${flag}=`)) return { value: word.slice(flag.length + 1), from: flag };
      if (word === flag && args[i + 1] !== undefined) return { value: args[i + 1] ?? '', from: flag };
    }
  }
  const value = leaf.env === undefined ? undefined : env[leaf.env];
  return value === undefined ? undefined : { value, from: leaf.env as string };
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
