/**
 * Refuses a command line the command would not understand. convict reads
 * the setting flags itself but silently ignores a mistyped one, so
 * `--mqtt-ulr` would start the bridge on the embedded broker: a surprise
 * worse than an error.
 */
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

/** Edit distance, to suggest the flag that was meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

function suggestion(flag: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(flag, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= 3 ? ` (did you mean ${best}?)` : '';
}

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
    if (!flag) throw new UsageError(`${spec.name}: unknown option ${rawName}${suggestion(name, known.keys())} (${help})`);
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
