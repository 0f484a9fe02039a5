/**
 * Random, malformed MQTT input for the bridge, every case invalid by
 * construction (so any cloud call it causes is a bug), seeded so a failure
 * can be replayed. `rejected` says whether the bridge must answer the case
 * with exactly one `command_rejected` event (a set/get it subscribes to).
 */
import type { DeviceNode } from '../../src/model/node.js';

export { seededRandom as seeded } from 'tplink-cloud-sim';

export interface FuzzCase {
  topic: string;
  payload: Buffer;
  rejected: boolean;
}

export interface FuzzTargets {
  /** Relay-only nodes (no brightness, colour, colour temperature). */
  plugs: { name: string; node: DeviceNode }[];
  /** True when a topic segment names a node (so random names can avoid real ones). */
  isKnown: (segment: string) => boolean;
}

const NAME_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_- .:é€💡🔌漢\u200b'];

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function randomText(rng: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += pick(rng, NAME_CHARS);
  return out;
}

function deepJson(depth: number, key: string): string {
  return `{"${key}":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/** Payloads no relay-only node accepts on `<name>/set` (and that stay invalid after trimming). */
const BAD_SET_PAYLOADS: ((rng: () => number) => Buffer)[] = [
  (rng) => Buffer.alloc(4097 + Math.floor(rng() * 60_000), 'O'), // too large
  (rng) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(Array.from({ length: 8 + Math.floor(rng() * 200) }, () => Math.floor(rng() * 256)))]),
  (rng) => Buffer.from(deepJson(50 + Math.floor(rng() * 1900), 'state')),
  (rng) => Buffer.from(deepJson(50 + Math.floor(rng() * 1900), 'x')),
  () => Buffer.from('{"state":5}'),
  () => Buffer.from('{"state":null}'),
  () => Buffer.from('{"state":{"state":"ON"}}'),
  () => Buffer.from('{"state":["ON"]}'),
  () => Buffer.from('{"state":"ON","colour":1}'),
  (rng) => Buffer.from(JSON.stringify({ brightness: Math.floor(rng() * 100) + 1 })), // no dimmer
  () => Buffer.from('{"brightness":"x"}'),
  () => Buffer.from('{"brightness":1e309}'),
  (rng) => Buffer.from(JSON.stringify({ color: { h: 400 + rng() * 100, s: 50 } })),
  (rng) => Buffer.from(JSON.stringify({ color_temp: Math.floor(rng() * 200_000) - 50_000 })),
  () => Buffer.from('{"transition":61}'),
  () => Buffer.from('[1,2,3]'),
  () => Buffer.from('{"state":'),
  () => Buffer.from(''),
  () => Buffer.from('   '),
  () => Buffer.from('MAYBE'),
  () => Buffer.from('ON#'),
  () => Buffer.from('+'),
  () => Buffer.from('O\u0000N'),
  () => Buffer.from('2'),
  () => Buffer.from('-1'),
  () => Buffer.from('"TOGGLE'),
  () => Buffer.from('null'),
  // Never a word the parser accepts ("on", "1"...): the leading ~ keeps random text invalid.
  (rng) => Buffer.from(`~${randomText(rng, Math.floor(rng() * 40))}`),
];

const BAD_ATTRIBUTES: [string, string][] = [
  ['brightness', '50'],
  ['brightness', '500'],
  ['color_temp', '2700'],
  ['color', '{"h":10,"s":10}'],
  ['state', 'MAYBE'],
  ['state', ''],
  ['led', 'maybe'],
  ['transition', '-1'],
  ['foo', 'ON'],
  ['STATE', 'ON'],
  ['💡', 'ON'],
];

function unknownName(rng: () => number, targets: FuzzTargets): string {
  for (;;) {
    const name = randomText(rng, 1 + Math.floor(rng() * 30)).trim();
    if (name !== '' && !targets.isKnown(name)) return name;
  }
}

/** One case that travels through a real broker (a valid MQTT topic name). */
export function brokerCase(rng: () => number, targets: FuzzTargets): FuzzCase {
  const plug = pick(rng, targets.plugs);
  const roll = rng();
  if (roll < 0.45) return { topic: `tplink/${plug.name}/set`, payload: pick(rng, BAD_SET_PAYLOADS)(rng), rejected: true };
  if (roll < 0.6) {
    const [attribute, value] = pick(rng, BAD_ATTRIBUTES);
    return { topic: `tplink/${plug.name}/set/${attribute}`, payload: Buffer.from(value), rejected: true };
  }
  if (roll < 0.75) return { topic: `tplink/${unknownName(rng, targets)}/set`, payload: Buffer.from(pick(rng, ['ON', 'OFF', '{"state":"ON"}'])), rejected: true };
  if (roll < 0.8) return { topic: `tplink/${unknownName(rng, targets)}/get`, payload: Buffer.from(''), rejected: true };
  if (roll < 0.82) return { topic: pick(rng, [`tplink//set`, `tplink/${plug.name}/set/`, `tplink//set/state`]), payload: Buffer.from('ON'), rejected: true };
  if (roll < 0.85) return { topic: `tplink/bridge/request/${unknownName(rng, targets)}x`, payload: pick(rng, BAD_SET_PAYLOADS)(rng), rejected: false };
  // Topics the bridge does not subscribe to or must ignore: deeper, empty levels, other cases.
  const odd = [
    `tplink/${plug.name}/set/state/extra`,
    `tplink/${plug.name}/SET`,
    `tplink/${plug.name}`,
    `tplink/${plug.name}/availability`,
    `TPLINK/${plug.name}/set`,
    `/tplink/${plug.name}/set`,
    `tplink/bridge/state`,
    randomText(rng, 1 + Math.floor(rng() * 60)),
  ];
  return { topic: pick(rng, odd), payload: Buffer.from(pick(rng, ['ON', 'OFF', '1', 'TOGGLE'])), rejected: false };
}

/**
 * Topics no conforming broker would deliver (wildcards, NUL, control
 * characters), handed to the bridge's message handler directly: the bridge
 * must not trust the broker to have filtered them. Payloads are valid ones.
 */
export function injectedCase(rng: () => number, targets: FuzzTargets): FuzzCase {
  const plug = pick(rng, targets.plugs).name;
  const topics = [
    'tplink/+/set',
    'tplink/#',
    `tplink/${plug}/set/#`,
    `tplink/${plug}/+`,
    `tplink/${plug}+/set`,
    `tplink/${plug}#/set`,
    `tplink/${plug}\u0000/set`,
    `tplink/${plug}/set\u0000`,
    `tplink/\u0000${plug}/set`,
    `tplink/${plug}\u0001\u001f/set`,
    `tplink/+/get`,
    `tplink/bridge/request/+`,
  ];
  const topic = pick(rng, topics);
  // Control characters (not NUL) reach the command parser as an unknown name: rejected, still no cloud call.
  const rejected = !/[+#\u0000]/.test(topic);
  return { topic, payload: Buffer.from(pick(rng, ['ON', 'OFF', 'TOGGLE', '{"state":"ON"}'])), rejected };
}
