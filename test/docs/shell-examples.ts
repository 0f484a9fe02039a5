/**
 * The `mosquitto_pub` / `mosquitto_sub` examples of a Markdown document, as
 * data a test can run: fenced shell blocks, the commands in them, their
 * words (a small POSIX-ish splitter, no shell involved) and their options.
 * Whatever cannot be reproduced faithfully is reported as unsupported
 * instead of being approximated, so documentation only shows what a test
 * really ran.
 */

export type Tool = 'mosquitto_pub' | 'mosquitto_sub';

const TOOLS: readonly Tool[] = ['mosquitto_pub', 'mosquitto_sub'];
const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell', 'console']);

export interface ExampleCommand {
  /** 1-based line of the document where the command starts. */
  line: number;
  /** The command as written (continuation lines included, prompt removed). */
  text: string;
  /** Undefined only for an unsupported command that does not start with a tool. */
  tool: Tool | undefined;
  /** Arguments after the tool name. */
  args: string[];
  /** Ends with `&`: runs while the rest of its block does ("in another terminal"). */
  background: boolean;
  /** Why this command cannot be run as written. */
  unsupported?: string;
}

export interface ExampleBlock {
  /** Line of the opening fence. */
  line: number;
  language: string;
  commands: ExampleCommand[];
}

export interface ShellWords {
  words: string[];
  background: boolean;
  /** The text ends inside quotes or after a backslash: the next line belongs to it. */
  incomplete: boolean;
  /** First construct a plain argv cannot express (operators, expansions...). */
  problem?: string;
}

const OPERATOR_CHARS = new Set(['|', ';', '<', '>', '(', ')']);
const DOUBLE_QUOTE_ESCAPABLE = new Set(['"', '\\', '$', '`']);

/**
 * Splits one command the way sh would for the subset used in docs: single
 * quotes, double quotes (with \" \\ \$ \`), backslash escapes and
 * backslash-newline continuations, `#` comments at a word start and one
 * trailing `&`. Pipes, redirections, lists and expansions are reported.
 */
export function splitShellWords(text: string): ShellWords {
  const words: string[] = [];
  let word: string | undefined;
  let background = false;
  let problem: string | undefined;
  const report = (message: string): void => {
    problem ??= message;
  };
  const finish = (): void => {
    if (word === undefined) return;
    if (background) report('`&` must end the command');
    words.push(word);
    word = undefined;
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      finish();
      i += 1;
    } else if (ch === '#' && word === undefined) {
      break;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { words, background, incomplete: true, problem };
      word = (word ?? '') + text.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      let value = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j += 1) {
        const next = text[j + 1];
        if (text[j] === '\\' && next !== undefined && (DOUBLE_QUOTE_ESCAPABLE.has(next) || next === '\n')) {
          if (next !== '\n') value += next;
          j += 1;
        } else {
          if (text[j] === '$' || text[j] === '`') report(`shell expansion (${text[j]}) inside double quotes`);
          value += text[j];
        }
      }
      if (j >= text.length) return { words, background, incomplete: true, problem };
      word = (word ?? '') + value;
      i = j + 1;
    } else if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) return { words, background, incomplete: true, problem };
      if (next !== '\n') word = (word ?? '') + next;
      i += 2;
    } else if (ch === '&') {
      finish();
      if (text[i + 1] === '&') report('shell operator `&&`');
      else if (background) report('`&` must end the command');
      background = true;
      i += text[i + 1] === '&' ? 2 : 1;
    } else if (OPERATOR_CHARS.has(ch)) {
      finish();
      report(`shell operator \`${ch}\``);
      i += 1;
    } else {
      if (ch === '$' || ch === '`') report(`shell expansion (${ch})`);
      word = (word ?? '') + ch;
      i += 1;
    }
  }
  finish();
  return problem === undefined ? { words, background, incomplete: false } : { words, background, incomplete: false, problem };
}

interface Fence {
  marker: string;
  indent: number;
  language: string;
  line: number;
  body: string[];
}

const OPENING_FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;

/** Every fenced shell block with at least one mosquitto command, in document order. */
export function extractExamples(markdown: string): ExampleBlock[] {
  const blocks: ExampleBlock[] = [];
  let fence: Fence | undefined;
  markdown.split(/\r?\n/).forEach((raw, index) => {
    if (!fence) {
      const open = OPENING_FENCE.exec(raw);
      if (open) {
        const [, indent = '', marker = '', info = ''] = open;
        fence = { marker, indent: indent.length, language: info.toLowerCase(), line: index + 1, body: [] };
      }
      return;
    }
    const trimmed = raw.trim();
    if (trimmed.length >= fence.marker.length && trimmed === (fence.marker[0] as string).repeat(trimmed.length)) {
      if (SHELL_LANGUAGES.has(fence.language)) {
        const commands = commandsOf(fence);
        if (commands.length > 0) blocks.push({ line: fence.line, language: fence.language, commands });
      }
      fence = undefined;
      return;
    }
    fence.body.push(raw.replace(new RegExp(`^ {0,${fence.indent}}`), ''));
  });
  return blocks;
}

/** Mosquitto commands of one block; other commands are only read far enough to skip them whole. */
function commandsOf(fence: Fence): ExampleCommand[] {
  const commands: ExampleCommand[] = [];
  const console = fence.language === 'console';
  for (let index = 0; index < fence.body.length; index += 1) {
    const first = (fence.body[index] as string).trimStart();
    const prompted = /^\$\s/.test(first) || first === '$';
    // In a console block only prompted lines are commands; the rest is their output.
    if (console && !prompted) continue;
    const line = fence.line + 1 + index;
    let text = prompted ? first.replace(/^\$\s*/, '') : first;
    let split = splitShellWords(text);
    while (split.incomplete && index + 1 < fence.body.length) {
      index += 1;
      text += `\n${console ? (fence.body[index] as string).replace(/^>\s?/, '') : fence.body[index]}`;
      split = splitShellWords(text);
    }
    const command = classify(line, text, split);
    if (command) commands.push(command);
  }
  return commands;
}

function classify(line: number, text: string, split: ShellWords): ExampleCommand | undefined {
  const [head, ...args] = split.words;
  const tool = TOOLS.find((candidate) => candidate === head);
  const mentioned = split.words.find((word) => TOOLS.some((candidate) => candidate === word));
  if (!tool && !mentioned) return undefined;
  const command: ExampleCommand = { line, text: text.trim(), tool, args: tool ? args : [], background: split.background };
  if (!tool) command.unsupported = `only commands that start with ${mentioned} can be run, not \`${head ?? ''} …\``;
  else if (split.incomplete) command.unsupported = 'unterminated quote or continuation';
  else if (split.problem) command.unsupported = split.problem;
  return command;
}

export interface ClientOptions {
  tool: Tool;
  host?: string;
  port?: number;
  /** Exactly one for mosquitto_pub; one or more filters for mosquitto_sub. */
  topics: string[];
  /** mosquitto_pub: the payload; '' with -n. */
  message?: string;
  nullMessage: boolean;
  retain: boolean;
  qos: 0 | 1 | 2;
  verbose: boolean;
  count?: number;
  timeoutS?: number;
  skipRetained: boolean;
  username?: string;
  password?: string;
  clientId?: string;
  debug: boolean;
  noEol: boolean;
  quiet: boolean;
}

export type ParsedArgs = { ok: true; options: ClientOptions } | { ok: false; reason: string };

interface OptionSpec {
  tools: readonly Tool[];
  /** Applies the option; a string is why its value is not acceptable. */
  apply: (options: ClientOptions, value: string) => string | undefined;
  takesValue: boolean;
}

const PUB: readonly Tool[] = ['mosquitto_pub'];
const SUB: readonly Tool[] = ['mosquitto_sub'];

function positiveInteger(value: string, max: number): number | undefined {
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  return parsed >= 1 && parsed <= max ? parsed : undefined;
}

const value = (tools: readonly Tool[], apply: OptionSpec['apply']): OptionSpec => ({ tools, apply, takesValue: true });

const text = (tools: readonly Tool[], key: 'host' | 'username' | 'password' | 'clientId'): OptionSpec =>
  value(tools, (options, given) => {
    options[key] = given;
    return undefined;
  });

const integer = (tools: readonly Tool[], key: 'port' | 'count' | 'timeoutS', max: number): OptionSpec =>
  value(tools, (options, given) => {
    options[key] = positiveInteger(given, max);
    return options[key] === undefined ? `"${given}" is not a whole number from 1 to ${max}` : undefined;
  });

type Switch = 'nullMessage' | 'retain' | 'verbose' | 'skipRetained' | 'debug' | 'noEol' | 'quiet';
const on = (tools: readonly Tool[], key: Switch): OptionSpec => ({
  tools,
  takesValue: false,
  apply: (options) => {
    options[key] = true;
    return undefined;
  },
});

const OPTIONS: Record<string, OptionSpec> = {
  '-h': text(TOOLS, 'host'),
  '-p': integer(TOOLS, 'port', 65_535),
  '-t': value(TOOLS, (options, given) => void options.topics.push(given)),
  '-m': value(PUB, (options, given) => {
    if (options.message !== undefined) return 'more than one message';
    options.message = given;
    return undefined;
  }),
  '-n': on(PUB, 'nullMessage'),
  '-r': on(PUB, 'retain'),
  '-q': value(TOOLS, (options, given) => {
    if (given !== '0' && given !== '1' && given !== '2') return `QoS "${given}" is not 0, 1 or 2`;
    options.qos = Number(given) as 0 | 1 | 2;
    return undefined;
  }),
  '-v': on(SUB, 'verbose'),
  '-C': integer(SUB, 'count', 1_000_000),
  '-W': integer(SUB, 'timeoutS', 3600),
  '-R': on(SUB, 'skipRetained'),
  '-u': text(TOOLS, 'username'),
  '-P': text(TOOLS, 'password'),
  '-i': text(TOOLS, 'clientId'),
  '-d': on(TOOLS, 'debug'),
  '-N': on(SUB, 'noEol'),
  '--quiet': on(TOOLS, 'quiet'),
};

/** Options that read the payload from somewhere a docs test cannot feed. */
const INPUT_OPTIONS: Record<string, string> = { '-l': 'stdin lines', '-s': 'stdin', '-f': 'a file', '--stdin-line': 'stdin lines', '--stdin-file': 'stdin', '--file': 'a file' };

export function parseMosquittoArgs(tool: Tool, words: readonly string[]): ParsedArgs {
  const options: ClientOptions = { tool, topics: [], nullMessage: false, retain: false, qos: 0, verbose: false, skipRetained: false, debug: false, noEol: false, quiet: false };
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] as string;
    const spec = OPTIONS[word];
    if (!spec || !spec.tools.includes(tool)) {
      const input = tool === 'mosquitto_pub' ? INPUT_OPTIONS[word] : undefined;
      if (input) return { ok: false, reason: `${word} reads the message from ${input}, which a test cannot reproduce` };
      const what = word.startsWith('-') ? `option ${word}` : `argument "${word}"`;
      return { ok: false, reason: `unsupported ${what} for ${tool}` };
    }
    const given = spec.takesValue ? words[i + 1] : '';
    if (given === undefined) return { ok: false, reason: `${word} needs a value` };
    if (spec.takesValue) i += 1;
    const reason = spec.apply(options, given);
    if (reason) return { ok: false, reason: `${word}: ${reason}` };
  }
  return finish(options);
}

function finish(options: ClientOptions): ParsedArgs {
  if (options.topics.length === 0) return { ok: false, reason: 'no topic (-t)' };
  const invalid = options.topics.find((topic) => !(options.tool === 'mosquitto_pub' ? validTopic(topic) : validFilter(topic)));
  if (invalid !== undefined) return { ok: false, reason: `invalid ${options.tool === 'mosquitto_pub' ? 'topic' : 'filter'} "${invalid}"` };
  if (options.tool === 'mosquitto_sub') return { ok: true, options };
  if (options.topics.length > 1) return { ok: false, reason: 'mosquitto_pub takes exactly one -t' };
  if (options.nullMessage && options.message !== undefined) return { ok: false, reason: 'both -m and -n' };
  if (!options.nullMessage && options.message === undefined) return { ok: false, reason: 'no message: give -m MESSAGE or -n' };
  return { ok: true, options: { ...options, message: options.message ?? '' } };
}

function validTopic(topic: string): boolean {
  return topic !== '' && !/[+#\u0000]/.test(topic);
}

function validFilter(filter: string): boolean {
  if (filter === '' || filter.includes('\u0000')) return false;
  const levels = filter.split('/');
  return levels.every((level, index) => (level.includes('#') ? level === '#' && index === levels.length - 1 : !level.includes('+') || level === '+'));
}

/** MQTT filter matching; `$` topics are only matched by a filter that names them. */
export function topicMatches(filter: string, topic: string): boolean {
  const wanted = filter.split('/');
  const levels = topic.split('/');
  if (topic.startsWith('$') && (wanted[0] === '+' || wanted[0] === '#')) return false;
  for (let i = 0; i < wanted.length; i += 1) {
    if (wanted[i] === '#') return true;
    if (i >= levels.length || (wanted[i] !== '+' && wanted[i] !== levels[i])) return false;
  }
  return wanted.length === levels.length;
}
