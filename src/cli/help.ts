/**
 * `--help` text for every command, built from the settings schema (the
 * same source as README's configuration table) plus each command's own
 * flags, so no option can be undocumented or show a stale default.
 */
import { SECRET_OPTIONS, booleanOrAuto, settingLeaves, type SettingLeaf } from '../config/schema.js';
import type { AppConfig } from '../config/load.js';
import { PACKAGE_NAME, VERSION } from '../version.js';

/** A flag of a command's own (not a setting). */
export interface FlagHelp {
  /** Long form, with the dashes: `--code`. */
  flag: string;
  /** Placeholder of its value; absent for a switch. */
  value?: string;
  doc: string;
  /** As printed after "default:"; absent when there is none worth printing. */
  default?: string;
}

export type SettingGroup = keyof AppConfig;

export interface CommandSpec {
  name: string;
  summary: string;
  /** What follows the command name on the usage line. */
  usage: string;
  /** Paragraph printed under the usage line. */
  description: string;
  /** Setting groups the command reads: their flags are accepted and listed. */
  settings: readonly SettingGroup[];
  flags: readonly FlagHelp[];
  /** The command's own defaults by setting path, shown by --help and used by loadConfig. */
  defaults?: Readonly<Record<string, unknown>>;
}

/** One option of the settings schema, as the CLI shows and accepts it. */
export interface SettingFlag extends FlagHelp {
  path: string;
  env: string | undefined;
  boolean: boolean;
}

/** How a default reads on the command line: strings bare, empty as (empty). */
export function renderDefault(value: unknown): string {
  if (value === '') return '(empty)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function placeholder(leaf: SettingLeaf): string {
  const key = leaf.path.split('.').at(-1) ?? leaf.path;
  if (Array.isArray(leaf.format)) return (leaf.format as unknown[]).join('|');
  if (leaf.format === Boolean) return '[true|false]';
  if (leaf.format === booleanOrAuto) return '[true|false|auto]';
  if (typeof leaf.default === 'number') return 'N';
  if (/url$/i.test(key)) return 'URL';
  if (key === 'stateDir') return 'DIR';
  if (/^(ca|cert|key)$|File$/.test(key)) return 'FILE';
  return 'TEXT';
}

const inGroups = (groups: readonly SettingGroup[]) => settingLeaves().filter((leaf) => groups.includes(leaf.group));

/** The flags of the settings in `groups`, in schema order. */
export function settingFlags(groups: readonly SettingGroup[], defaults: Readonly<Record<string, unknown>> = {}): SettingFlag[] {
  return inGroups(groups).flatMap((leaf) =>
    leaf.arg === undefined
      ? []
      : [
          {
            path: leaf.path,
            flag: `--${leaf.arg}`,
            value: placeholder(leaf),
            doc: leaf.doc,
            default: renderDefault(leaf.path in defaults ? defaults[leaf.path] : leaf.default),
            env: leaf.env,
            // A switch: `--log-pretty` alone means true.
            boolean: leaf.format === Boolean || leaf.format === booleanOrAuto,
          },
        ],
  );
}

/** Settings of `groups` that have no flag: secrets and structured values. */
function settingsWithoutFlag(groups: readonly SettingGroup[]): string[] {
  return inGroups(groups)
    .filter((leaf) => leaf.arg === undefined)
    .map((leaf) => {
      const secret = (SECRET_OPTIONS as readonly string[]).includes(leaf.path);
      const env = leaf.env ? (secret ? `${leaf.env} or ${leaf.env}_FILE` : leaf.env) : 'config file only';
      return `  ${leaf.path.padEnd(COLUMN - 2)}${env}${secret ? ' (secret: never a flag)' : ''}`;
    });
}

const COLUMN = 34;

function flagLine(flag: FlagHelp, extra: string[] = []): string {
  const head = `  ${flag.flag}${flag.value ? ` ${flag.value}` : ''}`;
  const details = [...extra, ...(flag.default !== undefined ? [`default: ${flag.default}`] : [])];
  const first = head.length < COLUMN ? `${head.padEnd(COLUMN)}${flag.doc}` : `${head}\n${' '.repeat(COLUMN)}${flag.doc}`;
  return details.length > 0 ? `${first}\n${' '.repeat(COLUMN)}${details.join(' · ')}` : first;
}

const COMMON_FLAGS: FlagHelp[] = [
  { flag: '-h, --help', doc: 'Show this help' },
];

const CONFIG_FLAG: FlagHelp = { flag: '-c, --config', value: 'FILE', doc: 'JSON config file (or TPCM_CONFIG)' };

export function commandHelp(spec: CommandSpec): string {
  const sections = [
    `Usage: ${PACKAGE_NAME} ${spec.name}${spec.usage ? ` ${spec.usage}` : ''}`,
    '',
    spec.description,
    '',
    'Options:',
    ...[...spec.flags, ...(spec.settings.length > 0 ? [CONFIG_FLAG] : []), ...COMMON_FLAGS].map((flag) => flagLine(flag)),
  ];
  if (spec.settings.length > 0) {
    sections.push(
      '',
      'Settings (also from the environment variable shown, or the config file; flags win):',
      ...settingFlags(spec.settings, spec.defaults).map((flag) => flagLine(flag, flag.env ? [`env ${flag.env}`] : [])),
    );
    const rest = settingsWithoutFlag(spec.settings);
    if (rest.length > 0) sections.push('', 'Settings without a flag:', ...rest);
  }
  return `${sections.join('\n')}\n`;
}

export function globalHelp(specs: readonly CommandSpec[]): string {
  const width = Math.max(...specs.map((spec) => spec.name.length)) + 3;
  return [
    `${PACKAGE_NAME} ${VERSION}: TP-Link Kasa and Tapo cloud devices on MQTT`,
    '',
    `Usage: ${PACKAGE_NAME} [command] [options]`,
    '',
    'Commands:',
    ...specs.map((spec) => `  ${spec.name.padEnd(width)}${spec.summary}`),
    '',
    'Options:',
    '  -h, --help       Show this help (after a command: that command\'s options and defaults)',
    '  -v, --version    Show the version',
    '',
    `Run "${PACKAGE_NAME} <command> --help" for a command's options; README.md has the full reference.`,
    '',
  ].join('\n');
}
