import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { checkFlags } from '../../src/cli/flags.js';
import { commandHelp, renderDefault, settingFlags, type CommandSpec } from '../../src/cli/help.js';
import { schema, settingLeaves } from '../../src/config/schema.js';
import { VERSION } from '../../src/version.js';
import { cliInProcess, errorLines, runCli } from '../helpers/cli.js';

// Independent cases, each its own process or in-process run: at once.
describe.concurrent('command line', () => {
  it('prints help with every command', async () => {
    const { code, stdout } = await cliInProcess(['--help']);
    expect(code).toBe(0);
    for (const command of ['run', 'demo', 'simulate', 'login', 'devices', 'health']) expect(stdout).toContain(`  ${command}`);
  });

  it('prints the version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(VERSION);
  });

  it('stops on a bad setting with one line naming the option, no stack trace', async () => {
    const result = await runCli(['run', '--poll-interval-s', 'soon']);
    expect(result.code).toBe(2);
    expect(errorLines(result)).toHaveLength(1);
    expect(result.stderr).toMatch(/configuration error: poll\.intervalS/);
    expect(result.stderr).not.toMatch(/\bat .*\.[jt]s:\d+/);
  });

  it('refuses an unknown command', async () => {
    const { code, stderr } = await cliInProcess(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command');
  });

  it('refuses a mistyped flag instead of ignoring it, and suggests the right one', async () => {
    const result = await cliInProcess(['run', '--mqtt-ulr', 'mqtt://broker:1883']);
    expect(result.code).toBe(2);
    expect(errorLines(result)).toEqual(['tplink-cloud-mqtt: run: unknown option --mqtt-ulr (did you mean --mqtt-url?) (see tplink-cloud-mqtt run --help)']);
  });
});

describe('from source, as a checkout runs it', () => {
  // The other tests start the command line compiled (test/helpers/cli.ts); this one proves tsx on src/ answers the same.
  it('src/cli.ts through tsx prints and exits as the compiled command line does', async () => {
    const help = ['simulate', '--help'];
    const mistake = ['run', '--poll-interval-s', 'soon'];
    const [helpSource, helpCompiled, mistakeSource, mistakeCompiled] = await Promise.all([
      runCli(help, {}, { fromSource: true }),
      runCli(help),
      runCli(mistake, {}, { fromSource: true }),
      runCli(mistake),
    ]);
    // The simulator package's help, loaded from its source, then the bridge's own flags.
    expect(helpSource.code, helpSource.stderr).toBe(0);
    expect(helpSource.stdout).toMatch(/^Usage: tplink-cloud-mqtt simulate [\s\S]*--env/);
    expect(helpSource).toEqual(helpCompiled);
    expect(mistakeSource.code).toBe(2);
    expect(errorLines(mistakeSource)).toEqual([expect.stringMatching(/^tplink-cloud-mqtt: configuration error: poll\.intervalS/)]);
    expect(mistakeSource).toEqual(mistakeCompiled);
  });
});

/**
 * `<command> --help` prints commandHelp(spec) (the two tests after this one show it for `login`
 * and `run`, through the command line's entry); `simulate --help` is the simulator package's own help plus the bridge's
 * output flags, so it alone is read from a process here.
 */
async function helpOf(name: string, spec: CommandSpec): Promise<{ code: number; stdout: string }> {
  return name === 'simulate' ? runCli([name, '--help']) : { code: 0, stdout: commandHelp(spec) };
}

describe.concurrent('--help of every command', () => {
  it.each(COMMANDS.map((spec) => [spec.name, spec] as const))('%s --help lists its options with their defaults', async (name, spec) => {
    const { code, stdout } = await helpOf(name, spec);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: tplink-cloud-mqtt ${name}`);
    const lines = stdout.split('\n');
    const expected = [...spec.flags, ...settingFlags(spec.settings, spec.defaults)];
    for (const flag of expected) {
      const at = lines.findIndex((line) => line.trimStart().startsWith(`${flag.flag}${flag.value ? ` ${flag.value}` : ''}`));
      expect(at, `${name} --help lists ${flag.flag}`).toBeGreaterThanOrEqual(0);
      // The default sits on the flag's own detail line, the one or two lines after it.
      if (flag.default !== undefined) expect(lines.slice(at, at + 3).join('\n'), `${flag.flag} default`).toContain(`default: ${flag.default}`);
    }
    if (spec.settings.length > 0) expect(stdout).toContain('--config FILE');
  });

  it('help <command> is the same as <command> --help: its commandHelp', async () => {
    const [viaHelp, viaFlag] = await Promise.all([cliInProcess(['help', 'login']), cliInProcess(['login', '--help'])]);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaFlag.stdout).toBe(commandHelp(COMMANDS.find((spec) => spec.name === 'login') as CommandSpec));
  });

  it('run --help shows every setting of the schema with its real default, secrets by their variables only', async () => {
    const { stdout } = await cliInProcess(['run', '--help']);
    expect(stdout).toBe(commandHelp(COMMANDS.find((spec) => spec.name === 'run') as CommandSpec));
    expect(stdout).toMatch(/--poll-interval-s N\s+Seconds between state polls[^\n]*\n\s+env TPCM_POLL_INTERVAL_S · default: 30/);
    expect(stdout).toMatch(/--embedded-broker-port N[^\n]*\n\s+env TPCM_EMBEDDED_BROKER_PORT · default: 1883/);
    expect(renderDefault((schema.stateDir as { default: unknown }).default)).toBe('~/.local/state/tplink-cloud-mqtt');
    for (const variable of ['KASA_PASSWORD or KASA_PASSWORD_FILE', 'TAPO_PASSWORD or TAPO_PASSWORD_FILE', 'MQTT_PASSWORD or MQTT_PASSWORD_FILE']) {
      expect(stdout).toContain(variable);
    }
    expect(stdout).not.toMatch(/--\w+-password/);
  });
});

describe('flag check', () => {
  const run = COMMANDS.find((spec) => spec.name === 'run');
  const health = COMMANDS.find((spec) => spec.name === 'health');
  if (!run || !health) throw new Error('missing command specs');

  it('accepts settings flags, values, = forms, boolean forms and the config file', () => {
    expect(() =>
      checkFlags(run, ['--mqtt-url', 'mqtt://b:1883', '--log-pretty', '--homeassistant-enabled', 'false', '--no-log-pretty', '--poll-interval-s=10', '-c', 'x.json']),
    ).not.toThrow();
    expect(() => checkFlags(health, ['--timeout-s', '2', '--json'])).not.toThrow();
  });

  it('refuses what the command does not take', () => {
    expect(() => checkFlags(run, ['--json'])).toThrow(/unknown option --json/);
    expect(() => checkFlags(health, ['--poll-interval-s', '5'])).toThrow(/unknown option --poll-interval-s/);
    expect(() => checkFlags(run, ['--mqtt-url'])).toThrow(/--mqtt-url needs a value/);
    expect(() => checkFlags(run, ['now'])).toThrow(/unexpected argument "now"/);
  });

  it('every setting but secrets and structured values has a flag named after its path', () => {
    const flags = settingFlags(run.settings);
    for (const flag of flags) {
      const kebab = flag.path.replace(/\./g, '-').replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
      expect(flag.flag).toBe(`--${kebab}`);
    }
    const flagless = settingLeaves()
      .map((leaf) => leaf.path)
      .filter((path) => !flags.some((flag) => flag.path === path));
    expect(flagless.sort()).toEqual(['devices', 'kasa.password', 'mqtt.password', 'tapo.password']);
  });
});
