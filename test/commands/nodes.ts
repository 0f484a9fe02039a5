/** Small DeviceNode literals for command tests. */
import { emptyCapabilities, type Capabilities, type DeviceNode, type NodeKind } from '../../src/model/node.js';

export function kasaNode(kind: NodeKind, caps: Partial<Capabilities> = {}, extra: Partial<DeviceNode> = {}): DeviceNode {
  return {
    id: `kasa_${kind}`,
    cloud: 'kasa',
    kind,
    name: kind,
    model: 'X',
    address: { cloud: 'kasa', deviceId: 'DEV1', appServerUrl: 'https://use1-wap.tplinkcloud.com' },
    capabilities: { ...emptyCapabilities(), ...caps },
    state: {},
    online: true,
    ...extra,
  };
}

export const plug = kasaNode('plug', { relay: true, led: true });
export const outlet = kasaNode(
  'outlet',
  { relay: true },
  {
    id: 'kasa_DEV101',
    parentId: 'kasa_DEV1',
    address: { cloud: 'kasa', deviceId: 'DEV1', appServerUrl: 'https://x', childId: 'DEV101' },
  },
);
export const strip = kasaNode('strip', { led: true });
export const dimmer = kasaNode('dimmer', { relay: true, brightness: true, led: true });
export const bulb = kasaNode('bulb', { brightness: true, color: true, colorTemp: { min: 2500, max: 9000 } });
export const whiteBulb = kasaNode('bulb', { brightness: true, colorTemp: { min: 2700, max: 5000 } });
export const lightstrip = kasaNode('lightstrip', { brightness: true, color: true, colorTemp: { min: 2500, max: 9000 } });
export const tapoBulb: DeviceNode = {
  ...kasaNode('bulb', { brightness: true, color: true, colorTemp: { min: 2500, max: 6500 } }),
  id: 'tapo_T1',
  cloud: 'tapo',
  address: { cloud: 'tapo', thingName: 'T1', appServerUrl: 'https://euw1' },
};
export const tapoPlug: DeviceNode = {
  ...kasaNode('plug', { relay: true }),
  id: 'tapo_T2',
  cloud: 'tapo',
  address: { cloud: 'tapo', thingName: 'T2', appServerUrl: 'https://euw1' },
};
