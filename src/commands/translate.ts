/**
 * Desired state -> cloud request bodies, and the optimistic state to publish
 * right away. Pure functions: no I/O, so each family's exact JSON is easy
 * to test (kasa-cloud.md §4, tapo-cloud.md §4).
 */
import type { DeviceNode, KasaAddress, NodeState } from '../model/node.js';
import type { DesiredState, ResolvedDesired } from './types.js';

const BULB_MODULE = 'smartlife.iot.smartbulb.lightingservice';
const LIGHTSTRIP_MODULE = 'smartlife.iot.lightStrip';
const DIMMER_MODULE = 'smartlife.iot.dimmer';

function kasaAddress(node: DeviceNode): KasaAddress {
  if (node.address.cloud !== 'kasa') throw new Error(`node ${node.id} is not a Kasa node`);
  return node.address;
}

/** A brightness above 0 without an explicit state means "on at that level" (zigbee2mqtt semantics). */
function effectiveOn(desired: ResolvedDesired): boolean | undefined {
  if (desired.state !== undefined) return desired.state === 'ON';
  if (desired.brightness !== undefined && desired.brightness > 0) return true;
  return undefined;
}

/** The light-state fields shared by Kasa bulbs (transition_light_state) and light strips (set_light_state). */
function kasaLightState(desired: ResolvedDesired): Record<string, number> {
  const light: Record<string, number> = {};
  const on = effectiveOn(desired);
  if (on !== undefined) light.on_off = on ? 1 : 0;
  if (desired.brightness !== undefined) light.brightness = desired.brightness;
  if (desired.color !== undefined) {
    light.hue = desired.color.h;
    light.saturation = desired.color.s;
    // Hue/saturation only apply with color_temp 0.
    light.color_temp = 0;
  } else if (desired.color_temp !== undefined) {
    light.color_temp = desired.color_temp;
  }
  if (desired.transition !== undefined) light.transition_period = Math.round(desired.transition * 1000);
  return light;
}

/**
 * The passthrough `requestData` object for one Kasa node. Several modules
 * and methods travel in one request (e.g. relay + LED), which the device
 * executes in one go. Returns {} when nothing applies. Throws for a
 * non-Kasa node (a caller bug).
 */
export function kasaRequest(node: DeviceNode, desired: ResolvedDesired): Record<string, unknown> {
  const address = kasaAddress(node);
  const request: Record<string, unknown> = {};
  const system: Record<string, unknown> = {};

  if (node.kind === 'bulb' || node.kind === 'lightstrip') {
    const light = kasaLightState(desired);
    if (Object.keys(light).length > 0) {
      request[node.kind === 'bulb' ? BULB_MODULE : LIGHTSTRIP_MODULE] =
        node.kind === 'bulb' ? { transition_light_state: light } : { set_light_state: light };
    }
  } else {
    // Plugs, switches, outlets, dimmers and strip parents: a relay.
    const on = effectiveOn(desired);
    if (node.kind === 'dimmer' && desired.brightness !== undefined && desired.brightness > 0) {
      request[DIMMER_MODULE] = { set_brightness: { brightness: desired.brightness } };
    }
    if (on !== undefined) system.set_relay_state = { state: on ? 1 : 0 };
  }
  if (desired.led !== undefined) system.set_led_off = { off: desired.led === 'OFF' ? 1 : 0 };
  if (Object.keys(system).length > 0) request.system = system;

  // An outlet is addressed through context; without it the whole strip would switch.
  if (address.childId !== undefined && Object.keys(request).length > 0) {
    return { context: { child_ids: [address.childId] }, ...request };
  }
  return request;
}

/**
 * Several outlets of one strip switched to the same state in one
 * passthrough (context.child_ids takes a list). `parent` is the strip's
 * node or address; it only guards against a non-Kasa target, the request
 * itself is sent to the strip's deviceId by the caller.
 */
export function kasaStripRequest(
  parent: DeviceNode | KasaAddress,
  childIds: readonly string[],
  state: 0 | 1,
): Record<string, unknown> {
  const cloud = 'address' in parent ? parent.address.cloud : parent.cloud;
  if (cloud !== 'kasa') throw new Error('kasaStripRequest needs a Kasa strip');
  if (childIds.length === 0) throw new Error('kasaStripRequest needs at least one child id');
  return { context: { child_ids: [...childIds] }, system: { set_relay_state: { state } } };
}

/**
 * The Tapo shadow `desired` object. Colour sets color_temp 0 (colour mode),
 * as the app does. led and transition have no shadow field and are left out.
 */
export function tapoDesired(node: DeviceNode, desired: ResolvedDesired): Record<string, unknown> {
  if (node.address.cloud !== 'tapo') throw new Error(`node ${node.id} is not a Tapo node`);
  const out: Record<string, unknown> = {};
  const on = effectiveOn(desired);
  if (on !== undefined) out.on = on;
  if (desired.brightness !== undefined) out.brightness = desired.brightness;
  if (desired.color !== undefined) {
    out.hue = desired.color.h;
    out.saturation = desired.color.s;
    out.color_temp = 0;
  } else if (desired.color_temp !== undefined) {
    out.color_temp = desired.color_temp;
  }
  return out;
}

/**
 * The state to publish immediately, before the cloud confirms: the node's
 * current state with the command applied. The next poll corrects it if the
 * device did something else.
 */
export function optimisticState(node: DeviceNode, desired: ResolvedDesired): NodeState {
  const next: NodeState = { ...node.state };
  const on = effectiveOn(desired);
  if (on !== undefined) next.state = on ? 'ON' : 'OFF';
  if (desired.brightness !== undefined) next.brightness = desired.brightness;
  if (desired.color !== undefined) {
    next.color = { h: desired.color.h, s: desired.color.s };
    next.color_mode = 'hs';
  } else if (desired.color_temp !== undefined) {
    next.color_temp = desired.color_temp;
    next.color_mode = 'color_temp';
  }
  if (desired.led !== undefined) next.led = desired.led;
  return next;
}

/** TOGGLE -> ON/OFF from the last known state (unknown state counts as OFF, so TOGGLE turns it on). */
export function resolveToggle(desired: DesiredState, current: NodeState): ResolvedDesired {
  const { state, ...rest } = desired;
  if (state === undefined) return rest;
  if (state !== 'TOGGLE') return { ...rest, state };
  return { ...rest, state: current.state === 'ON' ? 'OFF' : 'ON' };
}

function invert(state: 'ON' | 'OFF'): 'ON' | 'OFF' {
  return state === 'ON' ? 'OFF' : 'ON';
}

/**
 * Coalescing of two commands for one node that were never sent: the newer
 * wins per attribute, with these rules so the result equals sending both:
 * - TOGGLE after TOGGLE cancels (no state change); TOGGLE after ON/OFF is
 *   the inverse of it; ON/OFF after anything replaces it.
 * - A newer OFF drops older brightness/colour (the light ends up off).
 * - A newer brightness > 0 without a state drops an older state: it means
 *   "on at that level".
 * - color and color_temp are exclusive: the newer mode drops the older.
 */
export function mergeDesired(older: DesiredState, newer: DesiredState): DesiredState {
  const merged: DesiredState = { ...older };
  for (const [key, value] of Object.entries(newer) as [keyof DesiredState, DesiredState[keyof DesiredState]][]) {
    if (value !== undefined && key !== 'state') (merged as Record<string, unknown>)[key] = value;
  }

  if (newer.state === 'TOGGLE') {
    if (older.state === 'TOGGLE') delete merged.state;
    else if (older.state === 'ON' || older.state === 'OFF') merged.state = invert(older.state);
    else merged.state = 'TOGGLE';
  } else if (newer.state !== undefined) {
    merged.state = newer.state;
  }

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
