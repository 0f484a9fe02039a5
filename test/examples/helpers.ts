/**
 * Shared by the tests of examples/: the bridge's topic contract, derived
 * from src (so renaming a topic or an event there fails these tests, not
 * only the user who copied an example), and the demo bridge with ways to
 * make it publish the events the examples react to.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { availabilityTopic, bridgeTopic, parseInbound, RESERVED_NAMES, slugify, stateTopic, type BridgeSubtopic } from '../../src/mqtt/topics.js';
import { BRIDGE_EVENT_TYPES, type BridgeEventType } from '../../src/runtime/api.js';
import { startHarness, type Harness } from '../bridge/harness.js';
import { topicMatches } from '../docs/shell-examples.js';
import { events, type BridgeEvent } from '../reliability/helpers.js';

export type { BridgeEvent };

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const EXAMPLES = join(ROOT, 'examples');

// The examples are written for an unconfigured bridge: its defaults are their contract.
const DEFAULTS = loadConfig({ args: [], env: {} });
export const BASE = DEFAULTS.mqtt.baseTopic;
export const HA_STATUS = DEFAULTS.homeassistant.statusTopic;

export function readExample(path: string): string {
  return readFileSync(join(EXAMPLES, path), 'utf8');
}

/**
 * The members of `export type <name> = 'a' | 'b' | `c/${string}`` in a
 * source file. Read from the text because a type has no runtime value;
 * template members come back as MQTT filters (`c/+`).
 */
export function unionMembers(path: string, typeName: string): string[] {
  const text = readFileSync(join(ROOT, path), 'utf8');
  const body = new RegExp(`export type ${typeName}\\s*=([^;]+);`).exec(text)?.[1];
  if (body === undefined) throw new Error(`no type ${typeName} in ${path}`);
  return body
    .split('|')
    .map((member) => member.trim())
    .filter((member) => member !== '')
    .map((member) => {
      const literal = /^(['`])(.+)\1$/.exec(member)?.[2];
      if (literal === undefined) throw new Error(`${typeName} has a member that is not a string: ${member}`);
      return literal.replace(/\$\{string\}/g, '+');
    });
}

export const eventTypes = (): string[] => [...BRIDGE_EVENT_TYPES];

export type Published = { kind: 'state' | 'availability'; name: string } | { kind: 'bridge'; subtopic: string };

/**
 * What the bridge publishes on `topic` (a topic, or a filter with `+` for
 * the node name or response key), or undefined when it never publishes
 * there. `#` is refused: it would also match the command topics.
 */
export function publishedTopic(topic: string): Published | undefined {
  const prefix = `${BASE}/`;
  if (!topic.startsWith(prefix) || topic.includes('#')) return undefined;
  // A topic the bridge listens to is one it never publishes on.
  if (!topic.includes('+') && parseInbound(topic, BASE, HA_STATUS) !== undefined) return undefined;
  const [first = '', ...rest] = topic.slice(prefix.length).split('/');
  if (first === 'bridge') {
    const subtopic = rest.join('/');
    const known = unionMembers('src/mqtt/topics.ts', 'BridgeSubtopic').some((member) => topicMatches(member, subtopic));
    return known && bridgeTopic(BASE, subtopic as BridgeSubtopic) === topic ? { kind: 'bridge', subtopic } : undefined;
  }
  const isName = first === '+' || (slugify(first) === first && first !== '' && !RESERVED_NAMES.includes(first));
  if (!isName) return undefined;
  if (topic === stateTopic(BASE, first)) return { kind: 'state', name: first };
  if (topic === availabilityTopic(BASE, first)) return { kind: 'availability', name: first };
  return undefined;
}

/** Follows `a.b.c` into a parsed JSON value. */
export function atPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The simulated cloud with its built-in demo devices and the bridge on it, settled. */
export async function demoHarness(): Promise<Harness> {
  const h = await startHarness();
  await h.waitForMessage(bridgeTopic(BASE, 'info'));
  return h;
}

type EventOf<T extends BridgeEventType> = Extract<BridgeEvent, { type: T }>;

async function nextEvent<T extends BridgeEventType>(h: Harness, type: T, from: number, matches: (event: EventOf<T>) => boolean): Promise<EventOf<T>> {
  const found = () => events(h, type, from).find(matches);
  await h.waitFor(() => found() !== undefined, 10_000, `a ${type} event`);
  const event = found();
  if (event === undefined) throw new Error(`no ${type} event`);
  return event;
}

/** A payload the command parser refuses. */
export async function provokeRejected(h: Harness, name: string): Promise<EventOf<'command_rejected'>> {
  const from = h.messages.length;
  await h.publish(`${BASE}/${name}/set`, '{"state":"BLINK"}');
  return nextEvent(h, 'command_rejected', from, (event) => event.data.target === name);
}

/** A command to a device the cloud reports offline (a Kasa one: the simulator takes it off line by deviceId). */
export async function provokeFailed(h: Harness, alias: string): Promise<EventOf<'command_failed'>> {
  const node = h.node(alias);
  if (node.address.cloud !== 'kasa') throw new Error(`${alias} is not a Kasa device`);
  const deviceId = node.address.deviceId;
  const from = h.messages.length;
  h.sim.setOnline(deviceId, false);
  try {
    await h.publish(`${BASE}/${h.nameOf(node.id)}/set`, 'ON');
    return await nextEvent(h, 'command_failed', from, (event) => event.data.id === node.id);
  } finally {
    h.sim.setOnline(deviceId, true);
  }
}
