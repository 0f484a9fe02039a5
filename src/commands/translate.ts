/**
 * What a command does to the published state, before the cloud confirms,
 * and how two commands that were never sent combine. Pure functions; the
 * cloud requests themselves are each module's business
 * (src/clouds/<cloud>/modules).
 */
import { isUpdateValue } from '../model/feature.js';
import { desiredOn, type Desired, type DeviceNode, type NodeState } from '../model/node.js';
import type { DesiredState } from './types.js';

/** Keys of a command that are no state of their own. */
const NOT_STATE = new Set(['transition']);

/**
 * The values to publish at once: the command applied to the node's state.
 * A metered node switched off shows power 0 right away (the confirmation
 * read that follows says what the meter really reads). Only the keys that
 * change are returned, so the store guards exactly those.
 */
export function optimisticState(node: DeviceNode, desired: Desired): NodeState {
  const next: NodeState = {};
  const features = node.features ?? {};
  for (const [key, value] of Object.entries(desired)) {
    if (value === undefined || NOT_STATE.has(key) || !(key in features) || features[key]?.readable === false) continue;
    // An install shows as under way, from 0 %, on the versions known.
    if (features[key]?.type.kind === 'update') {
      const current = node.state[key];
      if (isUpdateValue(current)) next[key] = { ...current, in_progress: true, update_percentage: 0 };
    } else next[key] = value;
  }
  const on = desiredOn(desired);
  if (on !== undefined && 'state' in features) next.state = on ? 'ON' : 'OFF';
  if (desired.color !== undefined) next.color_mode = 'hs';
  else if (desired.color_temp !== undefined) next.color_mode = 'color_temp';
  if (on === false) {
    if ('power' in features) next.power = 0;
    if ('current' in features) next.current = 0;
  }
  return next;
}

/** TOGGLE -> ON/OFF from the last known state (unknown state counts as OFF, so TOGGLE turns it on). */
export function resolveToggle(desired: DesiredState, current: NodeState): Desired {
  const { state, ...rest } = desired;
  if (state === undefined) return rest;
  if (state !== 'TOGGLE') return { ...rest, state };
  return { ...rest, state: current.state === 'ON' ? 'OFF' : 'ON' };
}

/**
 * Coalescing of two commands for one node that were never sent: the newer
 * wins per key, with these rules so the result equals sending both:
 * - A newer OFF drops older brightness/colour (the light ends up off).
 * - A newer brightness > 0 without a state drops an older state: it means
 *   "on at that level".
 * - color and color_temp are exclusive: the newer mode drops the older.
 */
export function mergeDesired(older: Desired, newer: Desired): Desired {
  const merged: Desired = { ...older };
  for (const [key, value] of Object.entries(newer)) if (value !== undefined) merged[key] = value;
  if (newer.state === 'OFF') {
    if (newer.brightness === undefined) delete merged.brightness;
    if (newer.color === undefined) delete merged.color;
    if (newer.color_temp === undefined) delete merged.color_temp;
  }
  if (newer.state === undefined && newer.brightness !== undefined && newer.brightness > 0) delete merged.state;
  if (newer.color !== undefined && newer.color_temp === undefined) delete merged.color_temp;
  if (newer.color_temp !== undefined && newer.color === undefined) delete merged.color;
  return merged;
}
