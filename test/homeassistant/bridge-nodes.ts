/** Every fixture as one bridge would see it: Kasa and Tapo nodes, merged, with topic names. */
import { kasaNodes, kasaOutletEnergy } from '../../src/clouds/kasa/devices.js';
import { mergeClouds } from '../../src/model/merge.js';
import type { DeviceNode } from '../../src/model/node.js';
import { applyTapoUsage, tapoNodes } from '../../src/clouds/tapo/devices.js';
import type { DiscoveryOptions } from '../../src/homeassistant/discovery.js';
import { entitySlug } from '../../src/homeassistant/topics.js';
import { kasaCase, tapoCase } from '../devices/fixture-nodes.js';
import { fixtureFiles } from '../helpers/fixtures.js';

export function allFixtureNodes(): DeviceNode[] {
  const kasa = fixtureFiles('kasa').flatMap((file) => {
    const c = kasaCase(file, true);
    const { nodes } = kasaNodes(c.entry, c.response);
    return nodes.map((n) => (n.parentId && n.capabilities.energy ? { ...n, state: kasaOutletEnergy(n, c.response) } : n));
  });
  const tapo = fixtureFiles('tapo').flatMap((file) => {
    const c = tapoCase(file);
    return tapoNodes(c.things, c.shadows).map((n) => (c.usage && n.capabilities.energy ? { ...n, state: applyTapoUsage(n, c.usage) } : n));
  });
  return mergeClouds(kasa, tapo);
}

/** A unique topic name per node, as the bridge's name registry would give. */
export function topicName(node: DeviceNode): string {
  return `${entitySlug(node.name)}_${node.id.slice(-6).toLowerCase()}`;
}

export function options(mode: DiscoveryOptions['mode'], over: Partial<DiscoveryOptions> = {}): DiscoveryOptions {
  return {
    prefix: 'homeassistant',
    mode,
    baseTopic: 'tplink',
    topicName,
    bridgeId: 'tplink_cloud_mqtt_test1234',
    version: '0.1.0',
    ...over,
  };
}
