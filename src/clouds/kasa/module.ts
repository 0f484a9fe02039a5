/**
 * A Kasa module owns some features of a device: what the state read asks
 * the device for (merged with the other modules' questions into one
 * passthrough), how it detects the features in an answer (at interview),
 * how it reads their values, and the request fragment that writes them.
 * Modules live one per file in ./modules and are found there by
 * modules/index.ts: adding a feature adds a file.
 */
import type { Feature, FeatureSet } from '../../model/feature.js';
import type { Desired, NodeIdentity, NodeState } from '../../model/node.js';
import type { KasaChild, KasaSysinfo } from './device-schema.js';
import type { KasaFamily } from './family.js';

/** A passthrough request: module -> method -> params. */
export type KasaRequest = Record<string, Record<string, unknown>>;

/** The node a module works on, and what kind of Kasa device it is. */
export interface KasaTarget {
  node: NodeIdentity;
  /** From sysinfo once read, else from the list entry. */
  family: KasaFamily;
  /** An outlet of a strip: addressed with context.child_ids. */
  outlet: boolean;
  /** What the node has so far (absent before its interview). */
  features?: FeatureSet;
}

export interface KasaAnswer {
  /** The whole passthrough answer (module -> method -> answer). */
  response: unknown;
  /** Parsed sysinfo, when this answer carries it (state reads; not per-outlet energy reads). */
  sysinfo?: KasaSysinfo;
  /** An outlet's entry of sysinfo.children. */
  child?: KasaChild;
  /** Short, loggable descriptions of answers that could not be used. */
  problems: string[];
  /** When the request was sent (ms since epoch): instants are worked out from it. */
  readAt?: number;
}

export interface KasaModule {
  /** For logs and tests. */
  name: string;
  /** Discovery order of its entities (lower first). */
  order: number;
  /** Every feature it can give a node; detect() says which one has. */
  features: Feature[];
  /** What the state read asks for; undefined: nothing beyond sysinfo. */
  query?(target: KasaTarget): KasaRequest | undefined;
  /**
   * What the energy read asks for, at poll.energyIntervalS (strip outlets
   * with context): merged with the other modules' into one passthrough per node.
   */
  energyQuery?(target: KasaTarget): KasaRequest | undefined;
  /** What the settings read asks for, at poll.settingsIntervalS, at interview, on get and after a write of one. */
  settingsQuery?(target: KasaTarget): KasaRequest | undefined;
  /** What the firmware check asks for, every firmware.checkIntervalH. */
  firmwareQuery?(target: KasaTarget): KasaRequest | undefined;
  /** The features the device has, from a state answer. */
  detect(target: KasaTarget, answer: KasaAnswer): Feature[];
  /**
   * Features an energy, settings or firmware answer reveals (a module the
   * state read does not ask); they are added to the node's.
   */
  detectMore?(target: KasaTarget, answer: KasaAnswer): Feature[];
  /** The values of its features in an answer; only what the answer carries. */
  parse(target: KasaTarget, answer: KasaAnswer, features: FeatureSet): NodeState;
  /**
   * The request fragment setting `desired` values of its features, if any.
   * `last`: the device's last state answer, for writes that need what it
   * reported (a light preset's values).
   */
  write?(target: KasaTarget, desired: Desired, features: FeatureSet, last: KasaAnswer): KasaRequest | undefined;
}
