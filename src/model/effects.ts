/**
 * Light effects as both clouds show them: the JSON light's `effect` with
 * its `effect_list` ("off" first: stops the running one; Home Assistant's
 * own word for no effect). A light strip's effect is a whole definition
 * (its type and the type's parameters): a bare name starts nothing. Both
 * clouds let the bridge read the definition of the strip's current (or
 * last) effect, and start it again by sending that definition back with
 * `enable` 1, or stop it with `enable` 0.
 */
import type { Feature } from './feature.js';

export const OFF = 'off';

export const EFFECT: Feature = {
  id: 'effect',
  type: { kind: 'enum', options: [OFF] },
  readable: true,
  writable: true,
  doc: 'light strips (Kasa, Tapo) and Tapo bulbs with effects: the running effect, "off" when none; set one of the list to start it, "off" to stop',
  // Which effect runs is in the state read (the Tapo shadow, Kasa sysinfo); definitions at the settings cadence.
};

/** The effect feature offering these effects besides "off". */
export function effectFeature(names: readonly string[]): Feature {
  return { ...EFFECT, type: { kind: 'enum', options: [OFF, ...names.filter((name) => name !== OFF)] } };
}

/** The running effect in a device's summary (`{name, enable}`, enable 1 or true), "off" when none runs. */
export function runningEffect(summary: Record<string, unknown>): string | undefined {
  if (typeof summary.name !== 'string') return undefined;
  return summary.enable === 1 || summary.enable === true ? summary.name : OFF;
}

/**
 * The parameters starting `effect` again from the definition the device
 * reported (its name), or stopping it ("off"); undefined when the
 * definition is of another effect.
 */
export function effectParams(definition: Record<string, unknown>, effect: string, brightness?: number): Record<string, unknown> | undefined {
  if (effect === OFF) return { ...definition, enable: 0 };
  if (definition.name !== effect) return undefined;
  return { ...definition, enable: 1, ...(brightness !== undefined ? { brightness } : {}) };
}
