/**
 * The device's own connection to TP-Link's cloud: `cnCloud.get_info`
 * (bulbs and light strips: `smartlife.iot.common.cloud.get_info`),
 * `cld_connection` 1 = connected, read at the settings cadence. Its
 * `username` (the account's e-mail) is never read out of the answer.
 */
import { z } from 'zod';
import { parseModule } from '../device-schema.js';
import { CLOUD_CONNECTION } from '../../../model/features.js';
import type { KasaAnswer, KasaModule, KasaTarget } from '../module.js';

/** The cloud module: bulbs and light strips name it their own way. */
export const cloudModule = (target: KasaTarget) => (target.family === 'bulb' || target.family === 'lightstrip' ? 'smartlife.iot.common.cloud' : 'cnCloud');
const infoSchema = z.looseObject({ cld_connection: z.number() });

function connected(target: KasaTarget, answer: KasaAnswer): boolean | undefined {
  if (target.outlet) return undefined;
  const parsed = parseModule(answer.response, cloudModule(target), 'get_info', infoSchema);
  if (parsed.problem) answer.problems.push(parsed.problem);
  return parsed.value ? parsed.value.cld_connection === 1 : undefined;
}

export const module: KasaModule = {
  name: 'cloud',
  order: 45,
  features: [CLOUD_CONNECTION],
  settingsQuery: (target) => (target.outlet ? undefined : { [cloudModule(target)]: { get_info: null } }),
  detect: () => [],
  detectMore: (target, answer) => (connected(target, answer) === undefined ? [] : [CLOUD_CONNECTION]),
  parse(target, answer, features) {
    const value = connected(target, answer);
    return 'cloud_connection' in features && value !== undefined ? { cloud_connection: value } : {};
  },
};
