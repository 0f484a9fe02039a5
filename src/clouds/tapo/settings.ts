/**
 * What the Tapo settings modules share: the config entities they declare,
 * and reading one answer of the device's own protocol. Settings are no
 * shadow key: they are read with the device's `get_*` methods through
 * services-sync and written with its `set_*` methods, whose answer carries
 * the device's own error code (a shadow `desired` key the device does not
 * know is accepted by the cloud and silently never applied).
 */
import type { Feature } from '../../model/feature.js';
import { isRecord } from '../../model/util.js';
import type { TapoTarget } from './module.js';

/** A config switch (entity category config). */
export function configSwitch(id: string, name: string, doc: string, icon?: string): Feature {
  return {
    id,
    type: { kind: 'onoff' },
    readable: true,
    writable: true,
    entity: { component: 'switch', name, entity_category: 'config', ...(icon ? { icon } : {}) },
    doc,
    cadence: 'settings',
  };
}

/** A config number with its unit (and Home Assistant device class). */
export function configNumber(
  id: string,
  name: string,
  range: { min: number; max: number; unit: string; deviceClass?: string; mode?: 'box' | 'slider' },
  doc: string,
): Feature {
  const { min, max, unit, deviceClass, mode = 'box' } = range;
  return {
    id,
    type: { kind: 'number', min, max, unit },
    readable: true,
    writable: true,
    entity: { component: 'number', name, unit_of_measurement: unit, entity_category: 'config', mode, ...(deviceClass ? { device_class: deviceClass } : {}) },
    doc,
    cadence: 'settings',
  };
}

/** The answer of one read method, when the device gave one. */
export function answerOf(results: ReadonlyMap<string, Record<string, unknown>>, method: string): Record<string, unknown> | undefined {
  const answer = results.get(method);
  return isRecord(answer) ? answer : undefined;
}

export const onOff = (on: boolean): 'ON' | 'OFF' => (on ? 'ON' : 'OFF');

const LIGHTS = new Set(['bulb', 'lightstrip']);
/** A light (bulb, light strip): their settings differ from plugs'. */
export const isLightTarget = (target: TapoTarget): boolean => LIGHTS.has(target.traits.kind);
/** A thing with a relay of its own: a plug, a socket of a strip, a wall switch or dimmer. */
export const hasOwnRelay = (target: TapoTarget): boolean => !isLightTarget(target) && target.traits.kind !== 'strip';
