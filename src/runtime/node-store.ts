/**
 * The bridge's view of every node: who it is (from the lists), what it can
 * do (its features, fixed at its interview and never shrunk), its state
 * and where each value came from. Sources' readings and commands write
 * here; the publisher reads from here. Nothing here talks to a cloud or a
 * broker.
 *
 * Ordering: a command guards the keys it sets. While it is pending, and
 * afterwards for every read sent before it completed, a read cannot
 * overwrite those keys: a read that left before the command never brings
 * the old state back (no OFF -> ON -> OFF flicker). A failed command puts
 * back the last values read from the cloud.
 */
import { sameInstant } from '../model/time.js';
import { sameFeatures, unionFeatures } from '../model/feature.js';
import { identityOf, type CloudName, type DeviceNode, type NodeIdentity, type NodeState, type StateValue } from '../model/node.js';
import type { NodeReading, ValueSource } from '../model/reading.js';

/** Consecutive failed reads after which a node is shown unavailable. */
export const FAILURES_BEFORE_OFFLINE = 3;

export interface ListChange {
  added: DeviceNode[];
  removed: DeviceNode[];
  /** Some node's name changed: topic names must be reassigned. */
  renamed: boolean;
  /** Known nodes the list changed (availability, versions): to publish. */
  changed: string[];
}

export interface ReadingsChange {
  /** Nodes whose state, identity or features changed. */
  changed: string[];
  /** Nodes the readings brought in (strip outlets). */
  added: DeviceNode[];
}

export interface Provenance {
  source: ValueSource;
  /** Read: when its request was sent; command: when it was accepted (ms since epoch). */
  at: number;
}

interface Guard {
  pending: number;
  /** Reads sent before this time lose to the command. */
  until: number;
}

export class NodeStore {
  readonly #nodes = new Map<string, DeviceNode>();
  readonly #failures = new Map<string, number>();
  /** Last values read from the cloud: what a failed command restores. */
  readonly #real = new Map<string, NodeState>();
  readonly #provenance = new Map<string, Map<string, Provenance>>();
  readonly #guards = new Map<string, Map<string, Guard>>();
  /** Nodes whose next complete read replaces their features (model/firmware change, request). */
  readonly #reinterview = new Set<string>();
  /** Model and firmware as each kind of source last told (the list and sysinfo spell them differently). */
  readonly #seen = new Map<string, string>();
  /**
   * Outlet ids per strip, kept as nodes come, go or move: a command asks for
   * its node's outlets, and scanning 1,600 nodes for them cost 0.5 ms a command.
   */
  readonly #children = new Map<string, Set<string>>();
  /** The parent each outlet is indexed under. */
  readonly #indexedParent = new Map<string, string>();

  all(): DeviceNode[] {
    return [...this.#nodes.values()];
  }

  get size(): number {
    return this.#nodes.size;
  }

  get(id: string): DeviceNode | undefined {
    return this.#nodes.get(id);
  }

  ofCloud(cloud: CloudName): DeviceNode[] {
    return this.all().filter((node) => node.cloud === cloud);
  }

  childrenOf(parentId: string): DeviceNode[] {
    const ids = this.#children.get(parentId);
    if (!ids) return [];
    const children: DeviceNode[] = [];
    for (const id of ids) {
      const child = this.#nodes.get(id);
      if (child) children.push(child);
    }
    return children;
  }

  /** Where a state value came from, and when. */
  provenance(id: string, key: string): Provenance | undefined {
    return this.#provenance.get(id)?.get(key);
  }

  /**
   * Makes `identities` the complete set of one cloud (after a list read).
   * Known nodes keep their features and state; outlets (which only state
   * reads reveal) stay while their strip does. A changed model or firmware
   * asks for a new interview.
   */
  applyList(cloud: CloudName, identities: NodeIdentity[]): ListChange {
    const incoming = new Map(identities.map((identity) => [identity.id, identity]));
    const removed = this.ofCloud(cloud).filter(
      (node) => !incoming.has(node.id) && !(node.parentId !== undefined && incoming.has(node.parentId)),
    );
    for (const node of removed) this.#forget(node.id);
    const added: DeviceNode[] = [];
    const changed: string[] = [];
    let renamed = false;
    for (const identity of identities) {
      const known = this.#nodes.get(identity.id);
      if (!known) {
        const node: DeviceNode = { ...identityOf(identity), state: {} };
        this.#add(node);
        added.push(node);
        continue;
      }
      if (known.name !== identity.name) renamed = true;
      const before = JSON.stringify(identityOf(known));
      this.#updateIdentity(known, identity, 'list');
      if (JSON.stringify(identityOf(known)) !== before) changed.push(known.id);
    }
    return { added, removed, renamed, changed };
  }

  /** Applies what reads found; see the ordering rule above. */
  applyReadings(readings: NodeReading[]): ReadingsChange {
    const changed: string[] = [];
    const added: DeviceNode[] = [];
    for (const reading of readings) {
      let node = this.#nodes.get(reading.id);
      if (!node) {
        if (!reading.identity) continue;
        node = { ...identityOf(reading.identity), state: {} };
        this.#add(node);
        added.push(node);
      }
      // The features (~1.5 KB of JSON a node) are compared by identity first: they rarely change after the interview.
      const before = { name: node.name, swVersion: node.swVersion, online: node.online, features: node.features, state: JSON.stringify(node.state) };
      if (reading.identity) this.#updateIdentity(node, reading.identity, 'read');
      // Only a state read interviews; other reads may add what they saw, once the node is known.
      if (reading.features && reading.source === 'read') {
        const interview = node.features === undefined || this.#reinterview.delete(node.id);
        node.features = interview ? reading.features : unionFeatures(node.features ?? {}, reading.features);
      } else if (reading.features && node.features) {
        node.features = unionFeatures(node.features, reading.features);
      }
      this.#applyValues(node, reading);
      // A read that reached the device resets the failure count; whether it is online is its identity's say.
      if (reading.source === 'read') this.#failures.delete(node.id);
      const featuresChanged = node.features !== before.features && !sameFeatures(node.features, before.features);
      const identityChanged = node.name !== before.name || node.swVersion !== before.swVersion || node.online !== before.online;
      if (identityChanged || featuresChanged || JSON.stringify(node.state) !== before.state) changed.push(node.id);
    }
    return { changed, added };
  }

  #applyValues(node: DeviceNode, reading: NodeReading): void {
    const guards = this.#guards.get(node.id);
    const real = this.#real.get(node.id) ?? {};
    const provenance = this.#provenanceOf(node.id);
    const state: NodeState = { ...node.state };
    for (const [key, value] of Object.entries(reading.values)) {
      if (value === undefined) continue;
      const guard = guards?.get(key);
      if (guard && (guard.pending > 0 || reading.sentAt < guard.until)) continue;
      // An instant read again a little later (on since...) is the same instant: no churn.
      if (node.features?.[key]?.type.kind === 'timestamp' && sameInstant(state[key], value)) continue;
      real[key] = value;
      state[key] = value;
      provenance.set(key, { source: reading.source, at: reading.sentAt });
    }
    // colour temperature 0 means colour mode: a colour reading drops the stale temperature.
    if (reading.values.color_mode === 'hs' && reading.values.color_temp === undefined && !guards?.get('color_temp')?.pending) {
      delete state.color_temp;
    }
    this.#real.set(node.id, real);
    node.state = state;
  }

  /**
   * A command's optimistic values, shown at once. The keys stay guarded
   * until `settleCommand`; returns the node as it now is.
   */
  beginCommand(id: string, patch: NodeState, at = Date.now()): DeviceNode | undefined {
    const node = this.#nodes.get(id);
    if (!node) return undefined;
    const guards = this.#guards.get(id) ?? new Map<string, Guard>();
    this.#guards.set(id, guards);
    const provenance = this.#provenanceOf(id);
    const state: NodeState = { ...node.state };
    for (const [key, value] of Object.entries<StateValue | undefined>(patch)) {
      if (value === undefined) continue;
      state[key] = value;
      const guard = guards.get(key) ?? { pending: 0, until: 0 };
      guard.pending += 1;
      guards.set(key, guard);
      provenance.set(key, { source: 'command', at });
    }
    node.state = state;
    return node;
  }

  /**
   * The command for `keys` settled. Done: reads sent before now still lose
   * to it. Failed: the last values read from the cloud come back.
   */
  settleCommand(id: string, keys: string[], ok: boolean, at = Date.now()): DeviceNode | undefined {
    const node = this.#nodes.get(id);
    const guards = this.#guards.get(id);
    if (!node || !guards) return node;
    const real = this.#real.get(id) ?? {};
    const state: NodeState = { ...node.state };
    for (const key of keys) {
      const guard = guards.get(key);
      if (!guard) continue;
      guard.pending = Math.max(0, guard.pending - 1);
      if (ok) {
        guard.until = Math.max(guard.until, at);
      } else if (guard.pending === 0) {
        if (real[key] === undefined) delete state[key];
        else state[key] = real[key];
        this.#provenance.get(id)?.delete(key);
      }
    }
    node.state = state;
    return node;
  }

  /** The node's next complete read fixes its features anew. */
  requestInterview(id: string): void {
    if (this.#nodes.has(id)) this.#reinterview.add(id);
  }

  setOnline(id: string, online: boolean): void {
    const node = this.#nodes.get(id);
    if (node && node.online !== online) node.online = online;
    if (online) this.#failures.delete(id);
  }

  /** Every node of a cloud unavailable at once (its login is refused): the ids. */
  setCloudOffline(cloud: CloudName): string[] {
    const ids = this.ofCloud(cloud).map((node) => node.id);
    for (const id of ids) this.setOnline(id, false);
    return ids;
  }

  /** Counts a failed read; after repeated failures the node goes offline. */
  recordFailure(id: string): void {
    const count = (this.#failures.get(id) ?? 0) + 1;
    this.#failures.set(id, count);
    if (count >= FAILURES_BEFORE_OFFLINE) this.setOnline(id, false);
  }

  #updateIdentity(node: DeviceNode, identity: NodeIdentity, from: 'list' | 'read'): void {
    const key = `${from}:${node.id}`;
    const version = JSON.stringify([identity.modelFull ?? identity.model, identity.swVersion ?? null]);
    const seen = this.#seen.get(key);
    this.#seen.set(key, version);
    if (seen !== undefined && seen !== version && node.features !== undefined) this.#reinterview.add(node.id);
    // A list entry knows less than sysinfo (the list's kind is a guess): keep what reads found.
    const kind = node.features !== undefined && identity.kind !== node.kind && identity.parentId === undefined ? node.kind : identity.kind;
    Object.assign(node, {
      ...identityOf(identity),
      kind,
      mac: identity.mac ?? node.mac,
      hwVersion: identity.hwVersion ?? node.hwVersion,
      swVersion: identity.swVersion ?? node.swVersion,
    });
    this.#indexParent(node);
  }

  #add(node: DeviceNode): void {
    this.#nodes.set(node.id, node);
    this.#indexParent(node);
  }

  /** Keeps #children true when a node comes with, or changes, its parent. */
  #indexParent(node: DeviceNode): void {
    const before = this.#indexedParent.get(node.id);
    if (before === node.parentId) return;
    if (before !== undefined) this.#unindexParent(node.id, before);
    if (node.parentId === undefined) return;
    const siblings = this.#children.get(node.parentId) ?? new Set<string>();
    siblings.add(node.id);
    this.#children.set(node.parentId, siblings);
    this.#indexedParent.set(node.id, node.parentId);
  }

  #unindexParent(id: string, parentId: string): void {
    this.#indexedParent.delete(id);
    const siblings = this.#children.get(parentId);
    siblings?.delete(id);
    if (siblings?.size === 0) this.#children.delete(parentId);
  }

  #provenanceOf(id: string): Map<string, Provenance> {
    const map = this.#provenance.get(id) ?? new Map<string, Provenance>();
    this.#provenance.set(id, map);
    return map;
  }

  #forget(id: string): void {
    const parentId = this.#indexedParent.get(id);
    if (parentId !== undefined) this.#unindexParent(id, parentId);
    this.#nodes.delete(id);
    this.#failures.delete(id);
    this.#real.delete(id);
    this.#provenance.delete(id);
    this.#guards.delete(id);
    this.#reinterview.delete(id);
    this.#seen.delete(`list:${id}`);
    this.#seen.delete(`read:${id}`);
  }
}
