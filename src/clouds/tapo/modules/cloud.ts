/**
 * The device's own connection to TP-Link's cloud (`get_connect_cloud_state`
 * -> `status`, 0 = connected, as python-kasa reads it) and its clock
 * (`get_device_time` -> `timestamp` UTC seconds, `time_diff` minutes from
 * UTC), both read at the settings cadence in the one services-sync of that
 * cycle. The clock is published as the device tells it, at its offset (a
 * P110M captured in the year 2000 says so); the bridge never uses it for
 * anything else.
 */
import { CLOUD_CONNECTION } from '../../../model/features.js';
import type { Feature } from '../../../model/feature.js';
import type { NodeState } from '../../../model/node.js';
import { isoInstant } from '../../../model/time.js';
import { finiteNumber } from '../../../model/util.js';
import type { TapoModule } from '../module.js';

export const DEVICE_TIME: Feature = {
  id: 'device_time',
  type: { kind: 'timestamp' },
  readable: true,
  writable: false,
  cadence: 'settings',
  entity: { component: 'sensor', name: 'Device time', device_class: 'timestamp', icon: 'mdi:clock', entity_category: 'diagnostic', enabled_by_default: false },
  doc: "Tapo: the device's clock at the last settings read, at its offset",
};

type Results = ReadonlyMap<string, Record<string, unknown>>;

const cloudStatus = (results: Results) => finiteNumber(results.get('get_connect_cloud_state')?.status);

function deviceTime(results: Results): string | undefined {
  const time = results.get('get_device_time');
  const seconds = finiteNumber(time?.timestamp);
  return seconds === undefined ? undefined : isoInstant(seconds * 1000, finiteNumber(time?.time_diff) ?? 0);
}

export const module: TapoModule = {
  name: 'cloud',
  order: 45,
  features: [CLOUD_CONNECTION, DEVICE_TIME],
  // Sockets share their strip's link and clock.
  detect: () => [],
  servicesMethods: ({ node }, _features, cadence) => (cadence === 'settings' && node.kind !== 'outlet' ? ['get_connect_cloud_state', 'get_device_time'] : []),
  detectServices: (results) => [...(cloudStatus(results) === undefined ? [] : [CLOUD_CONNECTION]), ...(deviceTime(results) === undefined ? [] : [DEVICE_TIME])],
  parseServices(results, features) {
    const out: NodeState = {};
    const status = cloudStatus(results);
    if ('cloud_connection' in features && status !== undefined) out.cloud_connection = status === 0;
    const time = deviceTime(results);
    if ('device_time' in features && time !== undefined) out.device_time = time;
    return out;
  },
};
