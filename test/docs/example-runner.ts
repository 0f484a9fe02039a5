/**
 * Runs one documented block of mosquitto commands against the demo setup
 * (test/bridge/harness.ts) and says what did not work the way a reader of
 * the docs would expect. Host and port are pointed at the harness broker;
 * everything else is run as written.
 */
import type { DeviceNode } from '../../src/model/node.js';
import { parseInbound, type Inbound } from '../../src/mqtt/topics.js';
import type { RecordedRequest } from 'tplink-cloud-sim';
import type { Harness } from '../bridge/harness.js';
import { isWrite } from '../reliability/helpers.js';
import { startClient, TIMED_OUT, type ClientKind, type ClientResult, type ClientRun } from './example-clients.js';
import { parseMosquittoArgs, topicMatches, type ClientOptions, type ExampleBlock, type ExampleCommand } from './shell-examples.js';

export interface Problem {
  line: number;
  command: string;
  message: string;
}

export interface RunnerOptions {
  clients: ClientKind;
  /** Longest wait for an effect: a cloud request, a response, a subscriber's -C messages. */
  waitS: number;
  /** -W given to a foreground subscriber that would otherwise watch forever. */
  watchS: number;
  /** How long a background subscriber without -C or -W keeps watching after its block ran. */
  graceMs: number;
}

const DEFAULTS: Omit<RunnerOptions, 'clients'> = { waitS: 5, watchS: 2, graceMs: 500 };

export function formatProblem(problem: Problem, source = 'README.md'): string {
  return `${source}:${problem.line}: ${problem.command}\n    ${problem.message}`;
}

/** A command ready to run, or why it cannot be. */
export function parseCommand(command: ExampleCommand): { ok: true; options: ClientOptions } | { ok: false; reason: string } {
  if (command.unsupported !== undefined || command.tool === undefined) return { ok: false, reason: command.unsupported ?? 'not a mosquitto command' };
  return parseMosquittoArgs(command.tool, command.args);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it answers or `timeoutMs` passes. */
async function poll<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = probe();
    if (answer !== undefined || Date.now() > deadline) return answer;
    await sleep(20);
  }
}

interface Background {
  command: ExampleCommand;
  options: ClientOptions;
  run: ClientRun;
}

export async function runExampleBlock(h: Harness, block: ExampleBlock, given: Partial<RunnerOptions> & Pick<RunnerOptions, 'clients'>): Promise<Problem[]> {
  const options: RunnerOptions = { ...DEFAULTS, ...given };
  const problems: Problem[] = [];
  const report = (command: ExampleCommand, messages: string[]): void => {
    for (const message of messages) problems.push({ line: command.line, command: command.text, message });
  };
  const background: Background[] = [];
  const commanded = new Map<string, ExampleCommand>();
  const started = Date.now();
  try {
    for (const command of block.commands) {
      const parsed = parseCommand(command);
      if (!parsed.ok) {
        report(command, [`cannot be run by the docs test: ${parsed.reason}`]);
        continue;
      }
      const at = Date.now();
      const adapted = forHarness(h, parsed.options, command.background, options);
      const run = startClient(options.clients, adapted);
      if (command.background) {
        const subscribed = await Promise.race([run.ready.then(() => true, () => false), sleep(options.waitS * 1000).then(() => false)]);
        if (subscribed) background.push({ command, options: parsed.options, run });
        else report(command, [`never got its SUBACK: ${(await stopped(run)).stderr.trim() || 'no answer'}`]);
        continue;
      }
      const result = await run.done;
      if (parsed.options.tool === 'mosquitto_sub') {
        report(command, checkOutput(parsed.options, result, adapted.timeoutS));
        continue;
      }
      if (result.status !== 0) {
        report(command, [`exited with status ${result.status}: ${result.stderr.trim()}`]);
        continue;
      }
      const effect = await checkEffect(h, parsed.options, at, options.waitS * 1000);
      report(command, effect.problems);
      if (effect.node) commanded.set(effect.node.id, command);
    }
    for (const { command, options: sub, run } of background) {
      // A subscriber the reader ends with Ctrl-C: the test ends it once the block had time to be seen.
      const natural = sub.count !== undefined || sub.timeoutS !== undefined;
      await Promise.race([run.done, sleep(natural ? options.waitS * 1000 : options.graceMs)]);
      report(command, checkOutput(sub, await stopped(run), undefined));
    }
    if (commanded.size > 0) await sleep(300);
    for (const event of events(h, started, 'command_failed')) {
      const command = commanded.get(String(event.id));
      if (command) report(command, [`the cloud command failed: ${String(event.reason)}`]);
    }
  } finally {
    for (const { run } of background) run.stop();
  }
  // Background subscribers are judged last; the reader wants the document's order.
  return problems.sort((a, b) => a.line - b.line);
}

async function stopped(run: ClientRun): Promise<ClientResult> {
  run.stop();
  return run.done;
}

function forHarness(h: Harness, options: ClientOptions, background: boolean, runner: RunnerOptions): ClientOptions {
  const url = h.bridge.broker?.url;
  if (!url) throw new Error('the harness has no embedded broker');
  const adapted: ClientOptions = { ...options, host: '127.0.0.1', port: Number(new URL(url).port) };
  // Background subscribers are ended by the runner; a foreground one must end by itself, and soon.
  if (options.tool === 'mosquitto_sub' && !background) {
    const watching = options.count === undefined && options.timeoutS === undefined;
    adapted.timeoutS = watching ? runner.watchS : Math.min(options.timeoutS ?? runner.waitS, runner.waitS);
  }
  return adapted;
}

/** What a subscriber printed must be what its options promise. */
function checkOutput(options: ClientOptions, result: ClientResult, timeoutS: number | undefined): string[] {
  const { lines, status } = result;
  const filters = options.topics.join(' ');
  const seen = lines.length === 0 ? 'nothing' : `${lines.length} line(s), first: ${lines[0]?.slice(0, 120)}`;
  if (status !== 0 && status !== TIMED_OUT) return [`exited with status ${status}: ${result.stderr.trim()}`];
  if (options.count !== undefined) {
    if (status === TIMED_OUT || result.stopped || (!options.noEol && lines.length < options.count)) {
      const within = timeoutS === undefined ? 'while its block ran' : `within ${timeoutS} s`;
      return [`expected ${options.count} message(s) on ${filters} ${within}, saw ${seen}`];
    }
  } else if (lines.length === 0) {
    return [`printed nothing on ${filters}: nothing was published there`];
  }
  if (options.count !== undefined && !options.noEol && lines.length !== options.count) return [`printed ${lines.length} lines, -C ${options.count} promises exactly that many`];
  if (options.noEol) return [];
  for (const line of lines) {
    const space = line.indexOf(' ');
    const topic = options.verbose ? line.slice(0, space < 0 ? line.length : space) : undefined;
    const payload = options.verbose ? (space < 0 ? '' : line.slice(space + 1)) : line;
    if (topic !== undefined && !options.topics.some((filter) => topicMatches(filter, topic))) return [`printed "${topic}", which matches none of ${filters}`];
    if (payload.startsWith('{') && !isJson(payload)) return [`printed a payload that is not valid JSON: ${payload.slice(0, 120)}`];
  }
  return [];
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function inboundOf(h: Harness, topic: string): Inbound | undefined {
  const { homeassistant, mqtt } = h.config;
  return parseInbound(topic, mqtt.baseTopic, homeassistant.enabled ? homeassistant.statusTopic : undefined);
}

/** The request is for `node`: its Kasa device (and outlet, for a write) or its Tapo thing. */
function addresses(node: DeviceNode, request: RecordedRequest): boolean {
  const { address } = node;
  if (address.cloud === 'tapo') return request.deviceId === address.thingName || (request.thingNames ?? []).includes(address.thingName);
  if (request.api !== 'passthrough' || request.deviceId !== address.deviceId) return false;
  return !isWrite(request) || address.childId === undefined || JSON.stringify(request.body).includes(address.childId);
}

interface BridgeEvent {
  type: string;
  data: Record<string, unknown>;
}

function events(h: Harness, since: number, type: string): Record<string, unknown>[] {
  return h.messages
    .filter((message) => message.at >= since && message.topic === `${h.config.mqtt.baseTopic}/bridge/event`)
    .map((message) => JSON.parse(message.payload) as BridgeEvent)
    .filter((event) => event.type === type)
    .map((event) => event.data);
}

interface Effect {
  problems: string[];
  /** The node a command was for, so a later command_failed can be traced back. */
  node?: DeviceNode;
}

/** What publishing this message must make the bridge do, seen from the cloud and the broker. */
async function checkEffect(h: Harness, options: ClientOptions, at: number, timeoutMs: number): Promise<Effect> {
  const topic = options.topics[0] as string;
  const message = options.message ?? '';
  const inbound = inboundOf(h, topic);
  if (!inbound) return { problems: [`the bridge does not listen to ${topic}`] };
  if (options.retain && inbound.type !== 'ha_status') return { problems: ['-r leaves the command retained on the broker, replayed to every new subscriber (the bridge ignores replays): drop -r'] };
  if (inbound.type === 'ha_status') {
    if (message.trim() !== 'online') return { problems: [`the bridge only acts on "online" on ${topic}, not "${message}"`] };
    const prefix = `${h.config.homeassistant.prefix}/`;
    const republished = await poll(() => h.messages.find((m) => m.at >= at && m.topic.startsWith(prefix) && m.topic.endsWith('/config')), timeoutMs);
    return { problems: republished ? [] : [`no discovery config was republished under ${prefix} within ${timeoutMs / 1000} s`] };
  }
  if (inbound.type === 'bridge_request') return { problems: await checkResponse(h, inbound.key, message, at, timeoutMs) };

  const id = h.bridge.names.resolve(inbound.target);
  const node = id === undefined ? undefined : h.bridge.store.get(id);
  if (!node) {
    const names = [...h.bridge.names.names().values()].sort().join(', ');
    return { problems: [`the demo has no device "${inbound.target}" (it has: ${names})`] };
  }
  const wanted = inbound.type === 'set' ? 'a write' : 'a read';
  const outcome = await poll(() => {
    const rejected = events(h, at, 'command_rejected').find((data) => data.target === inbound.target || data.target === node.id);
    if (rejected) return `the bridge rejected it: ${String(rejected.reason)}`;
    const seen = h.sim.requests.some((request) => request.time >= at && isWrite(request) === (inbound.type === 'set') && addresses(node, request));
    return seen ? '' : undefined;
  }, timeoutMs);
  if (outcome === undefined) return { node, problems: [`the simulated cloud saw no ${wanted} for ${node.name} within ${timeoutMs / 1000} s`] };
  return { node, problems: outcome === '' ? [] : [outcome] };
}

async function checkResponse(h: Harness, key: string, request: string, at: number, timeoutMs: number): Promise<string[]> {
  const responseTopic = `${h.config.mqtt.baseTopic}/bridge/response/${key}`;
  const transaction = transactionOf(request);
  const response = await poll(() => {
    const found = h.messages.find((m) => m.at >= at && m.topic === responseTopic && (transaction === undefined || transactionOf(m.payload) === transaction));
    return found ? (JSON.parse(found.payload) as { status?: unknown; error?: unknown }) : undefined;
  }, timeoutMs);
  if (!response) return [`no answer on ${responseTopic}${transaction === undefined ? '' : ` with transaction ${transaction}`} within ${timeoutMs / 1000} s`];
  return response.status === 'ok' ? [] : [`${responseTopic} answered status ${String(response.status)}: ${String(response.error)}`];
}

/** The request's transaction, as JSON text so "1" and 1 stay different. */
function transactionOf(payload: string): string | undefined {
  try {
    const parsed = JSON.parse(payload) as { transaction?: unknown };
    return parsed.transaction === undefined ? undefined : JSON.stringify(parsed.transaction);
  } catch {
    return undefined;
  }
}

export type Form = 'plain ON/OFF/TOGGLE set' | 'JSON set' | 'set/<attribute>' | 'get' | 'bridge request with a transaction' | 'subscriber';

export const MAIN_FORMS: readonly Form[] = ['plain ON/OFF/TOGGLE set', 'JSON set', 'set/<attribute>', 'get', 'bridge request with a transaction', 'subscriber'];

/** Which of the main forms the blocks show at least once. */
export function formsShown(h: Harness, blocks: readonly ExampleBlock[]): Set<Form> {
  const shown = new Set<Form>();
  for (const command of blocks.flatMap((block) => block.commands)) {
    const parsed = parseCommand(command);
    if (!parsed.ok) continue;
    const { tool, topics, message = '' } = parsed.options;
    if (tool === 'mosquitto_sub') shown.add('subscriber');
    const inbound = tool === 'mosquitto_pub' ? inboundOf(h, topics[0] as string) : undefined;
    if (inbound?.type === 'set' && inbound.attribute !== undefined) shown.add('set/<attribute>');
    else if (inbound?.type === 'set' && /^(on|off|toggle)$/i.test(message.trim())) shown.add('plain ON/OFF/TOGGLE set');
    else if (inbound?.type === 'set' && message.trim().startsWith('{')) shown.add('JSON set');
    if (inbound?.type === 'get') shown.add('get');
    if (inbound?.type === 'bridge_request' && transactionOf(message) !== undefined) shown.add('bridge request with a transaction');
  }
  return shown;
}
