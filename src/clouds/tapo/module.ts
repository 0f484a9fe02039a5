/**
 * A Tapo module owns some features of a device: how it detects them (in
 * the shadow's `reported` part and the model's traits, at interview), how it
 * reads their values from a shadow or from the usage endpoint, and what it
 * writes to carry out a command (a shadow `desired` fragment). Modules live
 * one per file in ./modules and are found there by modules/index.ts.
 */
import type { Feature, FeatureSet } from '../../model/feature.js';
import type { Desired, NodeIdentity, NodeState } from '../../model/node.js';
import type { TapoUsageInput } from '../../model/inputs.js';
import type { TapoModelTraits } from './models.js';

/** One call of the device's own protocol (method and params), as services-sync carries it. */
export interface SmartCall {
  method: string;
  params?: Record<string, unknown>;
}

export interface TapoTarget {
  node: NodeIdentity;
  traits: TapoModelTraits;
}

export interface TapoModule {
  name: string;
  /** Discovery order of its entities (lower first). */
  order: number;
  /** Every feature it can give a node; detect() says which one has. */
  features: Feature[];
  /** The features the device has, from its shadow's `reported` part and its model. */
  detect(target: TapoTarget, reported: Record<string, unknown>): Feature[];
  /** The values of its features in a shadow's `reported` part. */
  parse?(target: TapoTarget, reported: Record<string, unknown>, features: FeatureSet): NodeState;
  /**
   * The device methods it reads through services-sync at the energy cadence
   * (`get_energy_usage`...); empty or absent: none.
   */
  servicesMethods?(target: TapoTarget, features: FeatureSet): string[];
  /** Features services-sync results reveal (figures only some firmware reports). */
  detectServices?(results: ReadonlyMap<string, Record<string, unknown>>): Feature[];
  /** Its values in the services-sync results, by method. */
  parseServices?(results: ReadonlyMap<string, Record<string, unknown>>, features: FeatureSet): NodeState;
  /** Its values from `GET /v1/things/{id}/usage`, where the cloud refuses services-sync. */
  parseUsage?(usage: TapoUsageInput, features: FeatureSet): NodeState;
  /** The shadow `desired` fragment for `desired` values of its features, if any. */
  write?(target: TapoTarget, desired: Desired, features: FeatureSet): Record<string, unknown> | undefined;
  /**
   * The device's own setters (services-sync `set_*`) for `desired` values of
   * its features: settings that are no shadow key. `read` holds the last
   * answers of the read methods, for setters that take the whole object back.
   */
  servicesWrite?(target: TapoTarget, desired: Desired, features: FeatureSet, read: ReadonlyMap<string, Record<string, unknown>>): SmartCall[];
}
