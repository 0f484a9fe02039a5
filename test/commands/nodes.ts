/** Small DeviceNode literals for command tests, with the features each family declares. */
import { BRIGHTNESS, COLOR, COLOR_TEMP, ENERGY, LED, POWER, STATE } from '../../src/model/features.js';
import { featureSet, withRange, type Feature } from '../../src/model/feature.js';
import type { DeviceNode, NodeKind } from '../../src/model/node.js';

export function kasaNode(kind: NodeKind, features: Feature[] = [], extra: Partial<DeviceNode> = {}): DeviceNode {
  return {
    id: `kasa_${kind}`,
    cloud: 'kasa',
    kind,
    name: kind,
    model: 'X',
    address: { cloud: 'kasa', deviceId: 'DEV1', appServerUrl: 'https://use1-wap.tplinkcloud.com' },
    features: featureSet(features),
    state: {},
    online: true,
    ...extra,
  };
}

const kelvin = (min: number, max: number) => withRange(COLOR_TEMP, min, max);

export const plug = kasaNode('plug', [STATE, LED]);
export const meteredPlug = kasaNode('plug', [STATE, POWER, ENERGY, LED], { id: 'kasa_metered' });
export const outlet = kasaNode('outlet', [STATE], {
  id: 'kasa_DEV101',
  parentId: 'kasa_DEV1',
  address: { cloud: 'kasa', deviceId: 'DEV1', appServerUrl: 'https://x', childId: 'DEV101' },
});
export const strip = kasaNode('strip', [STATE, LED]);
export const dimmer = kasaNode('dimmer', [STATE, BRIGHTNESS, LED]);
export const bulb = kasaNode('bulb', [STATE, BRIGHTNESS, kelvin(2500, 9000), COLOR]);
export const whiteBulb = kasaNode('bulb', [STATE, BRIGHTNESS, kelvin(2700, 5000)]);
export const lightstrip = kasaNode('lightstrip', [STATE, BRIGHTNESS, kelvin(2500, 9000), COLOR]);
export const tapoBulb: DeviceNode = {
  ...kasaNode('bulb', [STATE, BRIGHTNESS, kelvin(2500, 6500), COLOR]),
  id: 'tapo_T1',
  cloud: 'tapo',
  address: { cloud: 'tapo', thingName: 'T1', appServerUrl: 'https://euw1' },
};
export const tapoPlug: DeviceNode = {
  ...kasaNode('plug', [STATE]),
  id: 'tapo_T2',
  cloud: 'tapo',
  address: { cloud: 'tapo', thingName: 'T2', appServerUrl: 'https://euw1' },
};
