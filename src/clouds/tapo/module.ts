/**
 * A Tapo module owns some features of a device: how it detects them (in
 * the shadow's `reported` part and the model's traits, at interview), how it
 * reads their values from a shadow or from the usage endpoint, and what it
 * writes to carry out a command (a shadow `desired` fragment). Modules live
 * one per file in ./modules and are found there by modules/index.ts.
 */
import type { ExtraRead, Feature, FeatureSet } from '../../model/feature.js';
import type { Desired, NodeIdentity, NodeState } from '../../model/node.js';
import type { TapoUsageInput } from '../../model/inputs.js';
import type { TapoModelTraits } from './models.js';

/**
 * One device method in a services-sync multipleRequest: its name, or name
 * and params; `once`: a write that must not run twice (an install), never
 * repeated after a timeout.
 */
export type ServicesCall = string | { method: string; params?: Record<string, unknown>; once?: boolean };

export type TapoCadence = 'energy' | ExtraRead;

/** The bridge's settings that decide what a module offers (firmware.allowInstall). */
export interface TapoModuleSettings {
  allowFirmwareInstall: boolean;
}
export const DEFAULT_MODULE_SETTINGS: TapoModuleSettings = { allowFirmwareInstall: true };

/** A thing's services-sync answers, by method. */
export type ServicesAnswers = ReadonlyMap<string, Record<string, unknown>>;

const NO_ANSWERS: ServicesAnswers = new Map();
export const noAnswers = (): ServicesAnswers => NO_ANSWERS;

export const callMethod = (call: ServicesCall): string => (typeof call === 'string' ? call : call.method);

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
  /**
   * The values of its features in a shadow's `reported` part, read at
   * `readAt` (ms since epoch). `read`: the thing's last services-sync
   * answers, for values worked out from both (the light preset it shows).
   */
  parse?(target: TapoTarget, reported: Record<string, unknown>, features: FeatureSet, readAt: number, read: ServicesAnswers): NodeState;
  /**
   * The device methods it reads through services-sync at a cadence
   * (energy: `get_energy_usage`...; settings: `get_led_info`...;
   * firmware: `get_latest_fw`...). All of one cadence go in one
   * multipleRequest per thing. `features` is what the node has so far (at
   * its interview, what the shadow showed): a module asks what may reveal
   * its features; a method the device answers -1002 to is not asked again.
   */
  servicesMethods?(target: TapoTarget, features: FeatureSet, cadence: TapoCadence): ServicesCall[];
  /** Features services-sync results reveal (figures only some firmware reports), as the bridge's settings allow them. */
  detectServices?(results: ReadonlyMap<string, Record<string, unknown>>, settings: TapoModuleSettings): Feature[];
  /**
   * Its values in the services-sync results, by method. `state`: the
   * node's last state, for a value a partial read updates (an install's
   * progress keeps the latest version the last check found).
   */
  parseServices?(results: ReadonlyMap<string, Record<string, unknown>>, features: FeatureSet, state: NodeState): NodeState;
  /** Its values from `GET /v1/things/{id}/usage`, where the cloud refuses services-sync. */
  parseUsage?(usage: TapoUsageInput, features: FeatureSet): NodeState;
  /** The shadow `desired` fragment for `desired` values of its features, if any (`read`: as for writeServices). */
  write?(target: TapoTarget, desired: Desired, features: FeatureSet, read: ServicesAnswers): Record<string, unknown> | undefined;
  /**
   * The services-sync calls (`set_*`, `device_reboot`...) carrying `desired`
   * values that are no shadow key: sent in one multipleRequest after the
   * shadow PATCH, each answer's error_code checked. `read`: the last
   * answers of the thing's read methods, for setters that take the whole
   * object back (set_led_info, set_protection_power).
   */
  writeServices?(target: TapoTarget, desired: Desired, features: FeatureSet, read: ReadonlyMap<string, Record<string, unknown>>): ServicesCall[];
}
