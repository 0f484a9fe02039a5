/**
 * Every mosquitto_pub / mosquitto_sub example of README.md, run against the
 * demo setup (simulated cloud + bridge + embedded broker) with the real
 * clients when installed, else with MQTT.js doing the same. A sample
 * document with known-good and known-bad examples proves the runner tells
 * them apart; when the real clients are here, both client kinds must agree.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../bridge/harness.js';
import { freePort } from '../reliability/helpers.js';
import { chosenClientKind, realClientsInstalled, startClient, type ClientKind } from './example-clients.js';
import { formatProblem, formsShown, MAIN_FORMS, runExampleBlock, type Problem } from './example-runner.js';
import { extractExamples, parseMosquittoArgs, splitShellWords, type ClientOptions, type ExampleBlock } from './shell-examples.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const clients = chosenClientKind();
const readmeBlocks = extractExamples(readFileSync(README, 'utf8'));

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.waitForMessage('tplink/bridge/info');
}, 30_000);
afterAll(async () => {
  await h?.close();
}, 30_000);

describe(`README.md mosquitto examples (clients: ${clients})`, () => {
  it('README.md shows some', () => {
    expect(readmeBlocks.length, 'no mosquitto_pub/mosquitto_sub command in any sh/bash/shell/console block of README.md').toBeGreaterThan(0);
  });

  it('show each main form at least once', () => {
    const shown = formsShown(h, readmeBlocks);
    expect(MAIN_FORMS.filter((form) => !shown.has(form)), 'forms README.md no longer shows').toEqual([]);
  });

  // Before the blocks run: the demo's devices as a reader finds them.
  it('switch ON or OFF only what is in the other state in the demo, so something visibly changes', () => {
    const plain = readmeBlocks.flatMap((block) => block.commands).flatMap((command) => {
      const parsed = command.tool === 'mosquitto_pub' ? parseMosquittoArgs(command.tool, command.args) : undefined;
      const topic = parsed?.ok ? (parsed.options.topics[0] ?? '') : '';
      const name = /^tplink\/([^/]+)\/set$/.exec(topic)?.[1];
      const payload = parsed?.ok ? parsed.options.message?.toUpperCase() : undefined;
      return name && (payload === 'ON' || payload === 'OFF') ? [{ name, payload }] : [];
    });
    expect(plain.length).toBeGreaterThan(0);
    for (const { name, payload } of plain) {
      const node = h.bridge.store.all().find((candidate) => h.bridge.names.nameOf(candidate.id) === name);
      expect(node?.state.state, `${name} is already ${payload} in the demo`).toBe(payload === 'ON' ? 'OFF' : 'ON');
    }
  });

  for (const block of readmeBlocks) {
    it(`the block at line ${block.line} works as written`, async () => {
      const problems = await runExampleBlock(h, block, { clients });
      expect(problems.map((problem) => formatProblem(problem)), 'README examples that do not do what they show').toEqual([]);
    }, 30_000);
  }
});

const GOOD = `
\`\`\`sh
mosquitto_sub -t 'tplink/bridge/response/#' -v -C 1 &   # in another terminal
mosquitto_pub -t 'tplink/bridge/request/health_check' -m '{"transaction":"t1"}'
mosquitto_pub -t 'tplink/hall_lamp/set' -m 'ON'
mosquitto_pub -t 'tplink/living_room_lamp/set' \\
  -m '{"brightness":40,"color_temp":3000}'
mosquitto_pub -t 'tplink/dining_room_dimmer/set/brightness' -m 45 -q 1
mosquitto_pub -t 'tplink/desk_lamp/set' -m off            # an outlet of the HS300
mosquitto_pub -t 'tplink/fan/set' -m TOGGLE               # a socket of the Tapo P300
mosquitto_pub -t 'tplink/garage_strip/get' -n
mosquitto_pub -t 'homeassistant/status' -m online
mosquitto_sub -t 'tplink/+/availability' -v -C 3
mosquitto_sub -t 'tplink/bridge/state'                    # watches until Ctrl-C
\`\`\`
`;

const BAD = `
\`\`\`sh
mosquitto_pub -t 'tplink/desk_bulb/set' -m '{"brightness":40}'
mosquitto_pub -t 'tplink/hall_lamp/set' -m '{"brightness":40}'
mosquitto_pub -t 'tplink/hall_lamp/state' -m ON
mosquitto_pub -t 'tplink/bridge/request/reboot' -m '{"transaction":"x"}'
mosquitto_sub -t 'tplink/bridge/response/#' -C 1
mosquitto_sub -t 'tplink/nothing_here/#' -v
mosquitto_sub -t 'tplink/#' -F '%t %p'
mosquitto_sub -t 'tplink/#' -v | grep lamp
mosquitto_pub -t 'homeassistant/status' -m offline
mosquitto_pub -t 'tplink/porch_light/set' -m ON -r
\`\`\`
`;

const FAST = { clients, waitS: 2, watchS: 1, graceMs: 200 };

function onlyBlock(markdown: string): ExampleBlock {
  const [block, ...more] = extractExamples(markdown);
  if (!block || more.length > 0) throw new Error('the sample must hold exactly one block');
  return block;
}

describe('the runner tells working examples from wrong ones', () => {
  it('finds nothing wrong with examples that work', async () => {
    const problems = await runExampleBlock(h, onlyBlock(GOOD), FAST);
    expect(problems.map((problem) => formatProblem(problem, 'sample'))).toEqual([]);
  }, 30_000);

  it('names the line and the reason of each wrong example', async () => {
    let problems: Problem[] = [];
    try {
      problems = await runExampleBlock(h, onlyBlock(BAD), FAST);
    } finally {
      // The retained command must not stay on the shared broker.
      await h.client.publishAsync('tplink/porch_light/set', '', { retain: true });
    }
    const byLine = problems.map((problem) => [problem.line, problem.message]);
    expect(byLine).toEqual([
      [3, expect.stringMatching(/^the demo has no device "desk_bulb" \(it has: .*hall_lamp.*\)$/)],
      [4, expect.stringMatching(/^the bridge rejected it: .*brightness/)],
      [5, 'the bridge does not listen to tplink/hall_lamp/state'],
      [6, expect.stringMatching(/^tplink\/bridge\/response\/reboot answered status error: unknown request "reboot"/)],
      [7, 'expected 1 message(s) on tplink/bridge/response/# within 2 s, saw nothing'],
      [8, 'printed nothing on tplink/nothing_here/#: nothing was published there'],
      [9, 'cannot be run by the docs test: unsupported option -F for mosquitto_sub'],
      [10, 'cannot be run by the docs test: shell operator `|`'],
      [11, 'the bridge only acts on "online" on homeassistant/status, not "offline"'],
      [12, '-r leaves the command retained on the broker, replayed to every new subscriber (the bridge ignores replays): drop -r'],
    ]);
    expect(formatProblem(problems[0] as Problem)).toMatch(/^README\.md:3: mosquitto_pub -t 'tplink\/desk_bulb\/set' -m '\{"brightness":40\}'\n {4}the demo has no device/);
  }, 30_000);
});

/** A command line as the clients should see it, pointed at `port`. */
function command(text: string, port: number): ClientOptions {
  const [tool, ...words] = splitShellWords(text).words;
  if (tool !== 'mosquitto_pub' && tool !== 'mosquitto_sub') throw new Error(`not a mosquitto command: ${text}`);
  const parsed = parseMosquittoArgs(tool, words);
  if (!parsed.ok) throw new Error(parsed.reason);
  return { ...parsed.options, host: '127.0.0.1', port };
}

/**
 * Starts every subscriber, then runs the publishers in order; what each command printed and its status.
 * The topics under docs/ get a branch of the client kind's own, so both kinds run at once without
 * seeing each other's messages; the lines are given back as if it were not there.
 */
async function scenario(kind: ClientKind, port: number, texts: string[]): Promise<{ status: number; lines: string[] }[]> {
  const own = `docs/${kind}/`;
  const options = texts.map((text) => command(text.replaceAll('docs/', own), port));
  const runs = options.map((option) => (option.tool === 'mosquitto_sub' ? startClient(kind, option) : undefined));
  await Promise.all(runs.flatMap((run) => (run ? [run.ready.catch(() => undefined)] : [])));
  for (const [index, option] of options.entries()) {
    if (option.tool !== 'mosquitto_pub') continue;
    runs[index] = startClient(kind, option);
    await runs[index]?.done;
  }
  const results = await Promise.all(runs.map((run) => run?.done ?? Promise.resolve(undefined)));
  return results.map((result) => ({ status: result?.status ?? -1, lines: (result?.lines ?? []).map((line) => line.replaceAll(own, 'docs/')) }));
}

describe.skipIf(!realClientsInstalled)('the MQTT.js emulation behaves as the real clients', () => {
  it('prints the same lines and exits with the same status', async () => {
    const port = Number(new URL(h.bridge.broker?.url ?? '').port);
    const texts = [
      "mosquitto_sub -t 'tplink/+/availability' -v -C 3",
      "mosquitto_sub -t 'tplink/+/availability' -N -C 2",
      "mosquitto_sub -t 'tplink/bridge/state' -W 1",
      "mosquitto_sub -t 'tplink/bridge/state' -R -W 1",
      "mosquitto_sub -t 'docs/agree/#' -t 'docs/other' -v -q 2 -C 3 -W 5",
      "mosquitto_sub -t 'docs/agree/+' -C 2 -W 5",
      "mosquitto_sub -t 'docs/agree/+' -v -N -C 2 -W 5",
      'mosquitto_pub -t docs/agree/empty -n',
      "mosquitto_pub -t docs/agree/text -m 'x \"y\"' -q 2",
      "mosquitto_pub -t docs/other -m '{\"a\":1}' -q 1",
    ];
    const [real, emulated] = await Promise.all([scenario('mosquitto', port, texts), scenario('mqttjs', port, texts)]);
    expect(emulated).toEqual(real);
    expect(real.map((result) => result.status)).toEqual([0, 0, 27, 27, 0, 0, 0, 0, 0, 0]);
    expect(real.slice(4, 7).map((result) => result.lines)).toEqual([
      ['docs/agree/empty (null)', 'docs/agree/text x "y"', 'docs/other {"a":1}'],
      ['x "y"'],
      ['docs/agree/text x "y"'],
    ]);
  }, 30_000);

  it('fails the same way when nothing listens', async () => {
    const port = await freePort();
    const texts = ["mosquitto_sub -t 'a/#' -C 1", 'mosquitto_pub -t a -m x'];
    const [real, emulated] = await Promise.all([scenario('mosquitto', port, texts), scenario('mqttjs', port, texts)]);
    expect(emulated).toEqual(real);
    expect(real.map((result) => result.status)).toEqual([1, 1]);
  }, 30_000);
});
