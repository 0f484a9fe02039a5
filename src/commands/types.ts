/**
 * Shared command types. A command is a "desired state" in the zigbee2mqtt
 * vocabulary (brightness 0-100, color_temp in Kelvin, color {h, s}); the
 * translators turn it into Kasa passthrough or Tapo shadow requests.
 */

export interface HsColor {
  /** 0-360 */
  h: number;
  /** 0-100 */
  s: number;
}

export interface DesiredState {
  state?: 'ON' | 'OFF' | 'TOGGLE';
  /** 1-100. A payload brightness of 0 is parsed as state OFF instead. */
  brightness?: number;
  /** Kelvin, within the node's range. */
  color_temp?: number;
  color?: HsColor;
  /** Seconds, 0-60. */
  transition?: number;
  led?: 'ON' | 'OFF';
}

/** DesiredState with TOGGLE resolved by the caller from the last known state. */
export type ResolvedDesired = Omit<DesiredState, 'state'> & { state?: 'ON' | 'OFF' };

export type ParseResult = { ok: true; desired: DesiredState } | { ok: false; reason: string };

export type CommandOutcome = { status: 'done' } | { status: 'failed'; error: unknown } | { status: 'expired' };

/** True when a desired state asks for nothing (e.g. TOGGLE followed by TOGGLE). */
export function isEmptyDesired(desired: DesiredState): boolean {
  return Object.values(desired).every((value) => value === undefined);
}
