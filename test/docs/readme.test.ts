/**
 * README.md is the users' front door: what it says must be what the code
 * does. Generated sections are current; JSON parses; every command, flag,
 * variable, event, request, field and link it names exists; troubleshooting
 * quotes messages the code produces. (Its mosquitto examples are run by
 * readme-examples.test.ts.)
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allFeatures } from '../../src/model/catalogue.js';
import '../../src/clouds/kasa/modules/index.js';
import '../../src/clouds/tapo/modules/index.js';
import { renderReadme, startMarker, endMarker } from '../../scripts/readme-sections.js';
import { SIMULATE_FLAGS } from 'tplink-cloud-sim/cli';
import { COMMANDS, commandSpec } from '../../src/cli/commands.js';
import { checkFlags } from '../../src/cli/flags.js';
import { settingFlags } from '../../src/cli/help.js';
import { environmentVariables } from '../../src/config/load.js';
import { BRIDGE_EVENT_TYPES, REQUEST_KEYS } from '../../src/runtime/api.js';
import { ROOT } from '../helpers/cli.js';
import { splitShellWords } from './shell-examples.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const source = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => readFileSync(join(ROOT, 'src', file), 'utf8'))
  .join('\n');

/** The text of the section under `heading` (a `#`-line), up to the next heading of its level or above. */
function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}"`);
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const rest = readme.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return next < 0 ? rest : rest.slice(0, next);
}

/** Fenced blocks with their info string. */
function codeBlocks(): { info: string; body: string }[] {
  return [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({ info: match[1] ?? '', body: match[2] ?? '' }));
}

const ticked = (text: string): string[] => [...text.matchAll(/`([^`\n]+)`/g)].map((match) => match[1] ?? '');

/** The backticked names in the first cell of each table row: `| \`a\`, \`b\` |`. */
function firstColumn(text: string): string[] {
  return [...text.matchAll(/^\| (`[^|]+`) \|/gm)].flatMap((match) => ticked(match[1] ?? ''));
}

describe('README.md', () => {
  it('has its generated sections (configuration table, device families) up to date: run `npm run docs` when this fails', async () => {
    for (const name of ['config-table', 'state-fields', 'device-families']) {
      expect(readme).toContain(startMarker(name));
      expect(readme).toContain(endMarker(name));
    }
    expect(await renderReadme(readme)).toBe(readme);
  }, 30_000);

  it('gives the test command CI runs, and a two-command quick start', () => {
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^npm test$/m);
    const quick = codeBlocks().find((block) => block.body.includes('npm run demo'));
    expect(quick?.body.trim().split('\n')).toEqual([expect.stringMatching(/^npm ci && npm run demo\b/), expect.stringMatching(/^npm ci && npm test\b/)]);
  });

  it('has JSON examples that parse', () => {
    const json = codeBlocks().filter((block) => block.info === 'json');
    expect(json.length).toBeGreaterThan(5);
    for (const block of json) expect(() => void JSON.parse(block.body), block.body).not.toThrow();
  });

  it('documents every state field a family has, and only real ones', () => {
    const documented = firstColumn(section('#### State fields'));
    expect([...documented].sort()).toEqual([...allFeatures().map((feature) => feature.id), 'color_mode'].sort());
    const families = readme.slice(readme.indexOf(startMarker('device-families')), readme.indexOf(endMarker('device-families')));
    const used = new Set([...families.matchAll(/^\|[^|]+\|[^|]+\|([^|]+)\|/gm)].flatMap((row) => ticked(row[1] ?? '')));
    used.delete('<base>/<name>');
    for (const field of used) expect(documented).toContain(field);
  });

  it('lists exactly the bridge events and requests of the MQTT API (src/runtime/api.ts)', () => {
    const events = [...section('#### Events').matchAll(/^\| `(\w+)` \|/gm)].map((row) => row[1]);
    expect(events).toEqual([...BRIDGE_EVENT_TYPES]);
    expect(firstColumn(section('#### Requests'))).toEqual([...REQUEST_KEYS]);
  });

  it('quotes, in every troubleshooting heading, a message the code really produces', () => {
    const headings = [...section('## Troubleshooting').matchAll(/^#### (.+)$/gm)].map((match) => match[1] ?? '');
    expect(headings.length).toBeGreaterThan(8);
    const quoted = headings.flatMap(ticked);
    expect(quoted.length).toBeGreaterThan(10);
    for (const fragment of quoted) expect(source.includes(fragment), `"${fragment}" is in src/`).toBe(true);
  });

  it('names only commands and flags the CLI has, used as the CLI accepts them', () => {
    const lines = [
      ...codeBlocks().filter((block) => ['sh', ''].includes(block.info)).flatMap((block) => block.body.split('\n')),
      ...ticked(readme),
    ];
    let checked = 0;
    for (const line of lines) {
      const match = /(?:^|\s)(?:tplink-cloud-mqtt|node dist\/cli\.js|npm run demo --)[ \t]+([a-z-].*)$/.exec(line.replace(/\s+#.*$/, ''));
      if (!match || /[<[…]/.test(match[1] ?? '')) continue;
      const words = splitShellWords(match[1] ?? '').words;
      const [first = 'run', ...rest] = line.includes('npm run demo') ? ['demo', ...words] : words;
      if (first.startsWith('-')) continue;
      const spec = commandSpec(first);
      expect(spec, `README command "${line.trim()}"`).toBeDefined();
      if (spec) expect(() => checkFlags(spec, rest), line).not.toThrow();
      checked++;
    }
    expect(checked).toBeGreaterThan(8);
    const known = new Set([
      ...COMMANDS.flatMap((spec) => [...spec.flags.map((flag) => flag.flag), ...settingFlags(spec.settings).map((flag) => flag.flag)]),
      // `simulate` takes the simulator package's flags.
      ...SIMULATE_FLAGS.map((flag) => flag.flag),
      '--help', '--version', '--config',
      // Other tools' flags README shows: docker, npm, the benchmark and soak scripts, node, mosquitto.
      '--rm', '--name', '--restart', '--format', '--omit', '--minutes', '--latency-runs', '--memory-runs', '--flags', '--phases', '--timeline', '--heap-snapshot', '--alloc-profile', '--max-semi-space-size', '--optimize-for-size', '--semi-space-growth-factor',
      // The misspelling in the example of a start-up error.
      '--mqtt-ulr',
    ]);
    for (const flag of new Set(readme.match(/(?<![\w-])--[a-z][a-z0-9-]+/g))) expect(known, `README mentions ${flag}`).toContain(flag);
  });

  it('names only environment variables the bridge (or its test suite) reads', () => {
    const known = new Set([...environmentVariables(), 'TPCM_TEST_LOG', 'TPCM_FIXTURES_DIR', 'TPCM_TEST_MQTT_CLIENTS']);
    const named = new Set(readme.match(/\b(?:TPCM|KASA|TAPO|MQTT)_[A-Z0-9_]+\b/g));
    expect(named.size).toBeGreaterThan(10);
    for (const name of named) expect(known, `README names ${name}`).toContain(name);
  });

  it('links only to files and headings that exist', () => {
    const anchors = new Set(
      [...readme.matchAll(/^#+ (.+)$/gm)].map((match) =>
        (match[1] ?? '').toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'),
      ),
    );
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
    expect(links.length).toBeGreaterThan(10);
    for (const link of links) {
      if (/^https?:/.test(link)) continue;
      if (link.startsWith('#')) expect(anchors, `anchor ${link}`).toContain(link.slice(1));
      else expect(existsSync(join(ROOT, link)), `link ${link}`).toBe(true);
    }
  });
});
