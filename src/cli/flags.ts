/**
 * Refuses a command line the command would not understand. convict reads
 * the setting flags itself but silently ignores a mistyped one, so
 * `--mqtt-ulr` would start the bridge on the embedded broker: a surprise
 * worse than an error.
 */
import { SECRET_OPTIONS, settingLeaves } from '../config/schema.js';
import { didYouMean } from '../config/suggest.js';
import { PACKAGE_NAME } from '../version.js';
import { settingFlags, type CommandSpec, type FlagHelp } from './help.js';

/** A command line the command cannot run with; printed as one line, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

interface Known {
  takesValue: boolean;
  /** A value may follow but need not (booleans: `--log-pretty`, `--log-pretty false`). */
  optionalValue: boolean;
}

function knownFlags(spec: CommandSpec): Map<string, Known> {
  const known = new Map<string, Known>([['--help', { takesValue: false, optionalValue: false }]]);
  const own = (flag: FlagHelp) => ({ takesValue: flag.value !== undefined, optionalValue: false });
  for (const flag of spec.flags) known.set(flag.flag, own(flag));
  if (spec.settings.length > 0) {
    known.set('--config', { takesValue: true, optionalValue: false });
    for (const flag of settingFlags(spec.settings)) {
      known.set(flag.flag, { takesValue: !flag.boolean, optionalValue: flag.boolean });
      if (flag.boolean) known.set(`--no-${flag.flag.slice(2)}`, { takesValue: false, optionalValue: false });
    }
  }
  return known;
}

const SHORT: Record<string, string> = { '-c': '--config', '-h': '--help' };

/**
 * Passwords are never flags (they would show in `ps`): name the variables
 * that set one instead of only "unknown option".
 */
function secretFlagHint(spec: CommandSpec, flag: string): string | undefined {
  const leaf = settingLeaves().find((candidate) => spec.settings.includes(candidate.group) && (SECRET_OPTIONS as readonly string[]).includes(candidate.path) && `--${kebab(candidate.path)}` === flag);
  if (!leaf?.env) return undefined;
  return `${flag} is not an option: a password is never a flag (it would show in ps); set ${leaf.env} or ${leaf.env}_FILE (a file holding it), or ${leaf.path} in a config file`;
}

const kebab = (path: string): string => path.replace(/\./g, '-').replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

export function checkFlags(spec: CommandSpec, args: readonly string[]): void {
  const known = knownFlags(spec);
  const help = `see ${PACKAGE_NAME} ${spec.name} --help`;
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? '';
    if (!word.startsWith('-') || word === '-') {
      throw new UsageError(`${spec.name}: unexpected argument "${word}" (${help})`);
    }
    const [rawName, inlineValue] = word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    const name = SHORT[rawName] ?? rawName;
    const flag = known.get(name);
    if (!flag) {
      const secret = secretFlagHint(spec, name);
      throw new UsageError(`${spec.name}: ${secret ?? `unknown option ${rawName}${didYouMean(name, known.keys())}`} (${help})`);
    }
    if (inlineValue !== undefined || !(flag.takesValue || flag.optionalValue)) continue;
    const next = args[i + 1];
    if (flag.optionalValue) {
      if (next === 'true' || next === 'false') i++;
      continue;
    }
    if (next === undefined || next.startsWith('--')) throw new UsageError(`${spec.name}: ${rawName} needs a value (${help})`);
    i++;
  }
}
