/**
 * What the Kasa dimmer modules share: a wall dimmer's parameters are one
 * answer (`smartlife.iot.dimmer.get_dimmer_parameters`) with a setter per
 * key. A module lists the parameters it owns (feature, answer key, setter
 * and its one argument) and gets a whole KasaModule: asked in the settings
 * read (modules asking the same method are merged into one ask by
 * devices.ts), found and read from the answer, written with the setters.
 * Only on dimmers that answer the method (HS220, KS220M).
 */
import { z } from 'zod';
import { parseModule } from './device-schema.js';
import type { Feature } from '../../model/feature.js';
import type { NodeState } from '../../model/node.js';
import type { KasaAnswer, KasaModule, KasaRequest, KasaTarget } from './module.js';

const MODULE = 'smartlife.iot.dimmer';
const READ = 'get_dimmer_parameters';

export interface DimmerParameter {
  feature: Feature;
  /** The key of get_dimmer_parameters. */
  key: string;
  /** The setter and the name of its one argument. */
  method: string;
  param: string;
}

/** A time in ms up to `max`, a config number entity. */
export function dimmerDuration(id: string, name: string, max: number, icon: string, doc: string): Feature {
  return {
    id,
    type: { kind: 'number', min: 0, max, step: 100, unit: 'ms' },
    readable: true,
    writable: true,
    entity: { component: 'number', name, device_class: 'duration', unit_of_measurement: 'ms', entity_category: 'config', mode: 'box', icon },
    doc,
    cadence: 'settings',
  };
}

const isDimmer = (target: KasaTarget) => target.family === 'dimmer' && !target.outlet;

/** The module owning `parameters`: each reads its own keys, so one bad key does not hide another module's. */
export function dimmerParametersModule(name: string, order: number, parameters: readonly DimmerParameter[]): KasaModule {
  const schema = z.looseObject(Object.fromEntries(parameters.map(({ key }) => [key, z.number().optional()])));

  function values(target: KasaTarget, answer: KasaAnswer): Array<{ feature: Feature; value: number }> {
    if (!isDimmer(target)) return [];
    const parsed = parseModule(answer.response, MODULE, READ, schema);
    if (parsed.problem) answer.problems.push(parsed.problem);
    const params = parsed.value;
    return params ? parameters.flatMap(({ feature, key }) => (typeof params[key] === 'number' ? [{ feature, value: params[key] }] : [])) : [];
  }

  return {
    name,
    order,
    features: parameters.map((parameter) => parameter.feature),
    settingsQuery: (target) => (isDimmer(target) ? { [MODULE]: { [READ]: null } } : undefined),
    detect: () => [],
    detectMore: (target, answer) => values(target, answer).map(({ feature }) => feature),
    parse(target, answer, features) {
      const out: NodeState = {};
      for (const { feature, value } of values(target, answer)) if (feature.id in features) out[feature.id] = value;
      return out;
    },
    // One setter per value asked for; the dimmer takes several in one passthrough.
    write(target, desired, features) {
      if (!isDimmer(target)) return undefined;
      const methods: Record<string, unknown> = {};
      for (const { feature, method, param } of parameters) {
        const value = desired[feature.id];
        if (typeof value === 'number' && feature.id in features) methods[method] = { [param]: value };
      }
      return Object.keys(methods).length > 0 ? ({ [MODULE]: methods } satisfies KasaRequest) : undefined;
    },
  };
}
