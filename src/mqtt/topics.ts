/**
 * Topic names and inbound topic parsing, following zigbee2mqtt:
 *   <base>/<name>                 device state (JSON, retained)
 *   <base>/<name>/availability    per-node availability (retained)
 *   <base>/<name>/set[/<attr>]    commands
 *   <base>/<name>/get             ask for a fresh read
 *   <base>/bridge/...             bridge state, info, devices, event, request/response
 */
import { createHash } from 'node:crypto';
import type { DeviceOverride } from '../config/schema.js';
import { clip } from './echo.js';

/** Names no node may take: they are bridge topics. */
export const RESERVED_NAMES: readonly string[] = ['bridge'];

/** Slugs longer than this are cut: topic names stay readable and well below broker limits. */
const MAX_SLUG_LENGTH = 64;

/** Letters NFKD does not decompose into base letter + mark. */
const EXTRA_TRANSLITERATION: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};

/**
 * A topic-safe name: only `[a-z0-9_-]`. Accents are transliterated (é -> e),
 * everything else (spaces, punctuation, `/`, `+`, `#`, control characters,
 * emoji) becomes `_`, repeats collapse, `_` is trimmed at both ends.
 * Returns '' when nothing usable is left, so the caller can fall back.
 */
export function slugify(alias: string): string {
  const lowered = alias.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  let out = '';
  for (const ch of lowered) out += EXTRA_TRANSLITERATION[ch] ?? ch;
  return out
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/_+/g, '_')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/^_+|_+$/g, '');
}

/**
 * An entity id's object part: lower-case `[a-z0-9_]`, as Home Assistant
 * slugifies (the topic slug with `-` turned into `_`); never empty.
 */
export function entitySlug(raw: string): string {
  const slug = slugify(raw)
    .replace(/-+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  return slug === '' ? 'tplink' : slug;
}

function idHash(id: string, length: number): string {
  return createHash('sha256').update(id, 'utf8').digest('hex').slice(0, length);
}

interface Candidate {
  id: string;
  base: string;
  /** Set by a config override: wins a collision against plain aliases. */
  override: boolean;
}

/**
 * Assigns every node a unique topic name.
 *
 * Base name: the config override `devices[id].name` (slugified), else the
 * slug of the node's name, else the node id itself.
 *
 * Collisions are resolved deterministically, whatever the discovery order:
 * among nodes sharing a base name, the winner keeps the bare name
 * (overrides beat plain aliases, then the lexicographically smallest id
 * wins); every other node gets `<base>_<6 hex of sha256(id)>` (longer when
 * even that is taken). So names are stable across restarts, and adding a
 * device renames at most the current holder of a name, and only when the
 * newcomer sorts first. A base name that is reserved (`bridge`) or equals
 * another node's id is never given bare: all its holders are suffixed, so
 * `resolve()` never has to choose between a name and an id.
 */
export class TopicNameRegistry {
  readonly #overrides: Record<string, DeviceOverride>;
  #byId = new Map<string, string>();
  #byName = new Map<string, string>();

  constructor(overrides: Record<string, DeviceOverride> = {}) {
    this.#overrides = overrides;
  }

  /** Recomputes every name from scratch for this node set; returns id -> name. */
  assign(nodes: readonly { id: string; name: string }[]): Map<string, string> {
    const ids = new Set(nodes.map((node) => node.id));
    const candidates: Candidate[] = [];
    for (const node of ids.size === nodes.length ? nodes : dedupe(nodes)) {
      const overrideName = this.#overrides[node.id]?.name;
      const fromOverride = overrideName === undefined ? '' : slugify(overrideName);
      const base = fromOverride || slugify(node.name) || node.id;
      candidates.push({ id: node.id, base, override: fromOverride !== '' });
    }

    const groups = new Map<string, Candidate[]>();
    for (const candidate of candidates) {
      const group = groups.get(candidate.base);
      if (group) group.push(candidate);
      else groups.set(candidate.base, [candidate]);
    }
    // A suffixed name must never equal any base name, so winners are never displaced.
    const blocked = new Set<string>([...groups.keys(), ...RESERVED_NAMES, ...ids]);
    const taken = new Set<string>();
    const byId = new Map<string, string>();

    const sortedBases = [...groups.keys()].sort();
    // Winners first, so suffix search below sees every bare name.
    const losers: Candidate[] = [];
    for (const base of sortedBases) {
      const group = (groups.get(base) ?? []).sort(compareCandidates);
      // Reserved names are never given bare; a name equal to a node id only to that node itself.
      const winner = RESERVED_NAMES.includes(base)
        ? undefined
        : ids.has(base)
          ? group.find((c) => c.id === base)
          : group[0];
      for (const candidate of group) {
        if (candidate === winner) {
          byId.set(candidate.id, base);
          taken.add(base);
        } else {
          losers.push(candidate);
        }
      }
    }
    for (const candidate of losers) {
      const name = this.#suffixed(candidate, blocked, taken);
      byId.set(candidate.id, name);
      taken.add(name);
    }

    this.#byId = byId;
    this.#byName = new Map([...byId].map(([id, name]) => [name, id]));
    return new Map(byId);
  }

  #suffixed(candidate: Candidate, blocked: Set<string>, taken: Set<string>): string {
    // Deterministic: losers are processed in sorted base/id order, and the
    // hash grows only when a shorter one is already used.
    for (let length = 6; length <= 64; length += 2) {
      const name = `${candidate.base}_${idHash(candidate.id, length)}`;
      if (!blocked.has(name) && !taken.has(name)) return name;
    }
    // Unreachable in practice (a full sha256 collision); the id is unique by definition.
    return `${candidate.base}_${candidate.id}`;
  }

  nameOf(id: string): string | undefined {
    return this.#byId.get(id);
  }

  /** A topic segment -> node id: the topic name, or the node's stable id. */
  resolve(segment: string): string | undefined {
    return this.#byName.get(segment) ?? (this.#byId.has(segment) ? segment : undefined);
  }

  /** Current id -> name map (a copy). */
  names(): Map<string, string> {
    return new Map(this.#byId);
  }
}

function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.override !== b.override) return a.override ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Keeps the first node per id (a caller bug, but it must not break naming). */
function dedupe(nodes: readonly { id: string; name: string }[]): { id: string; name: string }[] {
  const seen = new Set<string>();
  return nodes.filter((node) => (seen.has(node.id) ? false : (seen.add(node.id), true)));
}

// ---------------------------------------------------------------------------
// Inbound topics

export type Inbound =
  | { type: 'set'; target: string; attribute?: string }
  | { type: 'get'; target: string }
  | { type: 'bridge_request'; key: string }
  | { type: 'ha_status' }
  /** Looks like a command (`<base>/…/set`) but names no device or attribute: answered with command_rejected. */
  | { type: 'malformed_set'; target: string; reason: string };

/**
 * Classifies a received topic. `target` is the raw segment (a topic name or
 * a node id): pass it to `TopicNameRegistry.resolve`. Anything else (the
 * bridge's own state topics, deeper or malformed topics, wildcard or NUL
 * characters, empty segments) is undefined.
 */
export function parseInbound(topic: string, baseTopic: string, haStatusTopic?: string): Inbound | undefined {
  if (haStatusTopic !== undefined && haStatusTopic !== '' && topic === haStatusTopic) return { type: 'ha_status' };
  if (/[+#\u0000]/.test(topic)) return undefined;
  const prefix = `${baseTopic}/`;
  if (!topic.startsWith(prefix)) return undefined;
  const parts = topic.slice(prefix.length).split('/');
  const [first, second, third] = parts;
  if (second === 'set' && (parts.length === 2 || parts.length === 3) && (first === '' || first === 'bridge' || third === '')) {
    const reason = first === 'bridge' ? 'the bridge takes no commands on set: use bridge/request/<key>' : `malformed command topic "${clip(topic)}": empty device name or attribute`;
    return { type: 'malformed_set', target: first ?? '', reason };
  }
  if (parts.some((part) => part === '')) return undefined;
  if (first === undefined || second === undefined) return undefined;

  if (first === 'bridge') {
    // `request/<key>` or `request/<group>/<key>` (device/interview).
    if ((parts.length === 3 || parts.length === 4) && second === 'request' && third !== undefined) {
      return { type: 'bridge_request', key: parts.slice(2).join('/') };
    }
    return undefined;
  }
  if (parts.length === 2 && second === 'set') return { type: 'set', target: first };
  if (parts.length === 2 && second === 'get') return { type: 'get', target: first };
  if (parts.length === 3 && second === 'set' && third !== undefined) return { type: 'set', target: first, attribute: third };
  return undefined;
}

/** The filters the bridge subscribes to. */
export function subscriptions(baseTopic: string, haStatusTopic?: string): string[] {
  const topics = [`${baseTopic}/+/set`, `${baseTopic}/+/set/+`, `${baseTopic}/+/get`, `${baseTopic}/bridge/request/+`, `${baseTopic}/bridge/request/+/+`];
  if (haStatusTopic) topics.push(haStatusTopic);
  return topics;
}

// ---------------------------------------------------------------------------
// Outbound topics

export type BridgeSubtopic = 'state' | 'info' | 'devices' | 'event' | `request/${string}` | `response/${string}`;

export function stateTopic(baseTopic: string, name: string): string {
  return `${baseTopic}/${name}`;
}

export function availabilityTopic(baseTopic: string, name: string): string {
  return `${baseTopic}/${name}/availability`;
}

/** `<base>/<name>/set`, or `<base>/<name>/set/<feature>` for one feature. */
export function setTopic(baseTopic: string, name: string, feature?: string): string {
  return feature === undefined ? `${baseTopic}/${name}/set` : `${baseTopic}/${name}/set/${feature}`;
}

export function bridgeTopic(baseTopic: string, subtopic: BridgeSubtopic): string {
  return `${baseTopic}/bridge/${subtopic}`;
}
