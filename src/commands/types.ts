/**
 * Shared command types. A command is a "desired state" in the zigbee2mqtt
 * vocabulary: one value per writable feature (brightness 0-100, color_temp
 * in Kelvin, color {h, s}, led ON/OFF...), checked against the node's
 * features; each cloud's modules turn it into requests.
 */
import type { Desired, DesiredValues } from '../model/node.js';

export type { HsColor } from '../model/feature.js';

/** What a `set` asks for; TOGGLE is resolved from the last known state before queueing. */
export type DesiredState = DesiredValues<'ON' | 'OFF' | 'TOGGLE'>;

/** DesiredState with TOGGLE resolved: what the queue and the clouds see. */
export type ResolvedDesired = Desired;

export type ParseResult = { ok: true; desired: DesiredState } | { ok: false; reason: string };

export type CommandOutcome = { status: 'done' } | { status: 'failed'; error: unknown } | { status: 'expired' };

/** True when a desired state asks for nothing. */
export function isEmptyDesired(desired: Desired): boolean {
  return Object.values(desired).every((value) => value === undefined);
}
